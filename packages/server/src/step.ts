import {
  PushflowError,
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
  const flow = request.kind === "enroll" ? startEnrollment(input, options) : startChallenge(input, options);

  let output: FlowOutput | undefined;
  let recoveryCodes: readonly string[] | undefined;
  flow.events.on("done", ({ type: _t, flow: _f, ...rest }) => (output = rest as FlowOutput));
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
      flow.send(request.event as never);
      await settle();
    }
    const view = viewOf(request.kind, flow);
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

type AnyFlow = ReturnType<typeof startChallenge> | EnrollmentFlow;

function viewOf(kind: FlowKind, flow: AnyFlow): ServerView {
  if (kind === "challenge") return (flow as ReturnType<typeof startChallenge>).view();
  const enrollment = flow as EnrollmentFlow;
  const view = enrollment.view();
  const qr = view.done ? undefined : enrollment.qr();
  return qr === undefined ? view : { ...view, qr };
}

/**
 * Core's record of the flow. Before the flow has a deadline (before the QR or the first push) the
 * record expires when the server says (docs/server.md: one window after the start, or with the
 * mfa_token when that is sooner), not one core default after each step.
 */
function recordOf(flow: AnyFlow, view: ServerView, fallbackExpiresAt: number): FlowRecord {
  const record = flow.record();
  if (!record) throw new PushflowError("internal", "the flow rests in a state that cannot be saved");
  return view.deadlineAt === undefined ? { ...record, expiresAt: fallbackExpiresAt } : record;
}
