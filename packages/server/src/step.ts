import {
  PushflowError,
  type ChallengeFlow,
  type EnrollmentFlow,
  type FlowClock,
  type FlowKind,
  type FlowOutput,
  type FlowRecord,
  type Transport,
} from "@pushflow/core";
import { startChallenge, startEnrollment, type ChallengeInput, type EnrollmentInput } from "@pushflow/core/adapter";
import { StepClock } from "./step-clock.ts";
import { trackTransport } from "./tracked-transport.ts";
import type { FlowServerEvent, ServerView } from "./types.ts";

/** One step of a flow: start it or restore it, let it run until it is idle, and report. */
export interface StepRequest {
  readonly kind: FlowKind;
  readonly transport: Transport;
  readonly clock: FlowClock;
  readonly random?: () => number;
  readonly warn: (message: string) => void;
  /** A new flow's input, or the record of a flow to restore. */
  readonly from: { readonly input: EnrollmentInput | ChallengeInput } | { readonly record: FlowRecord };
  /** Sent once the flow is idle (the poll that was due has been answered). */
  readonly event?: FlowServerEvent;
  /** The record's expiry in states that have no deadline yet (before the QR or the first push). */
  readonly fallbackExpiresAt: number;
  /** Asked before each transport call: false once the step's lease may have lapsed. */
  readonly mayCall?: () => boolean;
}

/** The step's lease may have lapsed before a call it had to send: it sent nothing and must write nothing. */
export class LeaseLapsed extends Error {
  /** Calls the step had sent before it stopped. */
  readonly sent: number;
  constructor(sent: number) {
    super("the step's lease may have lapsed: it stopped before sending");
    this.name = "LeaseLapsed";
    this.sent = sent;
  }
}

export interface StepReport {
  /** The outcome, when the flow ended in this step. */
  readonly output: FlowOutput | undefined;
  /** The flow to save, when it goes on. */
  readonly record: FlowRecord | undefined;
  readonly view: ServerView;
  /** Emitted in this step only (a first enrollment); never saved. */
  readonly recoveryCodes: readonly string[] | undefined;
  /** When the flow's earliest timer is due; undefined when only an event can move it. */
  readonly nextDueAt: number | undefined;
  /** Transport calls this step sent. */
  readonly sent: number;
}

/** Enough to let a flow run dozens of due timers; more means something loops. */
const MAX_ROUNDS = 100;

/** A macrotask: every promise callback queued before it (answers, XState's done events) has run. */
const macrotask = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));

export async function runStep(request: StepRequest): Promise<StepReport> {
  const clock = new StepClock(request.clock);
  const tracked = trackTransport(request.transport, request.mayCall);
  const options = {
    transport: tracked.transport,
    clock,
    warn: request.warn,
    ...(request.random ? { random: request.random } : {}),
    ...("record" in request.from ? { record: request.from.record } : {}),
  };
  // A restored flow takes its context from the record; the input is not read.
  const input = "input" in request.from ? request.from.input : { mfaToken: "" };
  const step: StepFlow =
    request.kind === "enroll" ? { kind: "enroll", flow: startEnrollment(input, options) } : { kind: "challenge", flow: startChallenge(input, options) };
  const { flow } = step;

  let output: FlowOutput | undefined;
  let recoveryCodes: readonly string[] | undefined;
  flow.events.on("done", ({ type: _t, flow: _f, ...rest }) => (output = rest));
  flow.events.on("recovery-codes", (event) => (recoveryCodes = event.codes));

  /** Runs the due timers one by one, each with the transport calls it causes, until nothing is due. */
  const settle = async () => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      await macrotask();
      if (tracked.refused) throw new LeaseLapsed(tracked.sent);
      if (tracked.inFlight > 0) await tracked.idle();
      else if (!clock.fireDue()) return;
    }
    throw new PushflowError("internal", "the flow did not come to rest within one step");
  };

  try {
    await settle();
    if (request.event && output === undefined) {
      send(step, request.event);
      await settle();
    }
    const view = viewOf(step);
    return {
      output,
      record: output === undefined ? recordOf(flow, view, request.fallbackExpiresAt) : undefined,
      view,
      recoveryCodes,
      nextDueAt: output === undefined ? clock.nextAt() : undefined,
      sent: tracked.sent,
    };
  } finally {
    flow.actor.stop();
  }
}

/** The step's flow with its kind, which says which events it takes and what its view shows. */
type StepFlow = { readonly kind: "enroll"; readonly flow: EnrollmentFlow } | { readonly kind: "challenge"; readonly flow: ChallengeFlow };

/**
 * Sends the user's event to a flow of its kind. `parseEvent` admits only the events of the flow's
 * kind; one of the other kind would not apply, and is ignored like any event that does not apply.
 */
function send(step: StepFlow, event: FlowServerEvent): void {
  if (step.kind === "challenge") {
    if (event.type !== "ACK_RECOVERY_CODES") step.flow.send(event);
  } else if (event.type === "CANCEL" || event.type === "ACK_RECOVERY_CODES") step.flow.send(event);
}

function viewOf(step: StepFlow): ServerView {
  if (step.kind === "challenge") return step.flow.view();
  const view = step.flow.view();
  const qr = view.done ? undefined : step.flow.qr();
  return qr === undefined ? view : { ...view, qr };
}

/**
 * Core's record of the flow. Before the flow has a deadline (before the QR or the first push) the
 * record expires when the server says (docs/server.md: one window after the start, or with the
 * mfa_token when that is sooner), not one core default after each step.
 */
function recordOf(flow: StepFlow["flow"], view: ServerView, fallbackExpiresAt: number): FlowRecord {
  const record = flow.record();
  if (!record) throw new PushflowError("internal", "the flow rests in a state that cannot be saved");
  return view.deadlineAt === undefined ? { ...record, expiresAt: fallbackExpiresAt } : record;
}
