import type { BackoffEmitted, PollEmitted, QrEmitted, RecoveryCodesEmitted, ResumeEmitted } from "./machines/events.types.ts";
import type { FlowOutput } from "./machines/outcomes.ts";
import type { FlowKind } from "./persistence.ts";
import type { FlowView } from "./views.ts";

/** Every snapshot change, as a whitelisted view: no secret. */
export interface StateEvent {
  readonly type: "state";
  readonly view: FlowView;
}

/** The outcome. Tokens, the new recovery code and a new mfa_token appear here only, as DESIGN.md says. */
export type DoneEvent = { readonly type: "done"; readonly flow: FlowKind } & FlowOutput;

/** The events of a flow's emitter; the same names in every adapter. */
export interface FlowEvents {
  state: [StateEvent];
  qr: [QrEmitted];
  "recovery-codes": [RecoveryCodesEmitted];
  poll: [PollEmitted];
  backoff: [BackoffEmitted];
  resume: [ResumeEmitted];
  done: [DoneEvent];
}

export type FlowEventName = keyof FlowEvents;

/** Every event name, `done` last: for code that relays or records all of a flow's events. */
export const FLOW_EVENT_NAMES = ["state", "qr", "recovery-codes", "poll", "backoff", "resume", "done"] as const satisfies readonly FlowEventName[];
export type FlowEvent = FlowEvents[FlowEventName][0];
