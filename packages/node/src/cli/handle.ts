import { FLOW_EVENT_NAMES, type ChallengeEvent, type EnrollmentEvent, type FlowEventName, type FlowHandle, type FlowOutput, type FlowView } from "@pushflow/core";

/** Either flow's handle, as the CLI drives it. */
export type CliHandle = FlowHandle<FlowOutput, EnrollmentEvent | ChallengeEvent, FlowView>;


/** Listens to any event by name with one untyped listener (the NDJSON printer, the demo log). */
export function onAnyEvent(handle: CliHandle, listener: (name: FlowEventName, payload: object) => void): void {
  const on = handle.events.on.bind(handle.events) as (name: FlowEventName, fn: (payload: object) => void) => void;
  for (const name of FLOW_EVENT_NAMES) on(name, (payload) => listener(name, payload));
}
