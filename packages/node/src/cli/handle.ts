import type { ChallengeEvent, EnrollmentEvent, FlowEventName, FlowHandle, FlowOutput, FlowView } from "@pushflow/core";

/** Either flow's handle, as the CLI drives it. */
export type CliHandle = FlowHandle<FlowOutput, EnrollmentEvent | ChallengeEvent, FlowView>;

export const EVENT_NAMES: readonly FlowEventName[] = ["state", "qr", "recovery-codes", "poll", "backoff", "done"];

/** Listens to any event by name with one untyped listener (the NDJSON printer, the demo log). */
export function onAnyEvent(handle: CliHandle, listener: (name: FlowEventName, payload: object) => void): void {
  const on = handle.events.on.bind(handle.events) as (name: FlowEventName, fn: (payload: object) => void) => void;
  for (const name of EVENT_NAMES) on(name, (payload) => listener(name, payload));
}
