import { EventEmitter } from "eventemitter3";
import { createActor, type Actor, type ActorRef, type AnyStateMachine, type EventObject, type Snapshot } from "xstate";
import { systemClock, type FlowClock } from "./clock.ts";
import { isPushflowError, PushflowError, type Problem } from "./errors.ts";
import type { FlowEvents } from "./events.ts";
import type { FlowRuntime } from "./machines/actors.ts";
import type { ChallengeContext, ChallengeEvent, ChallengeInput, ChallengeResumePoint } from "./machines/challenge.types.ts";
import type { EnrollmentContext, EnrollmentEvent, EnrollmentInput, EnrollmentResumePoint } from "./machines/enrollment.types.ts";
import type { FlowEmitted } from "./machines/events.types.ts";
import { REASONS, type ChallengeOutput, type EnrollmentOutput, type FlowOutput } from "./machines/outcomes.ts";
import { DEFAULTS } from "./machines/policy.ts";
import type { FlowContext } from "./machines/shared.ts";
import { challengeSettingsFrom, type challengeMachine } from "./machines/challenge.machine.ts";
import { enrollmentSettingsFrom, type enrollmentMachine } from "./machines/enrollment.machine.ts";
import { challengeWithRuntime, enrollmentWithRuntime } from "./machines/runtime.ts";
import { requestGates } from "./machines/actors.ts";
import { RECORD_VERSION, RESUME_POINTS, type FlowKind, type FlowRecord } from "./persistence.ts";
import { redactInspection, redactingObserver, type Inspector } from "./inspection.ts";
import type { Transport } from "./transport.ts";
import {
  challengeView,
  enrollmentView,
  stateName,
  type ChallengeSnapshot,
  type ChallengeView,
  type EnrollmentSnapshot,
  type EnrollmentView,
  type FlowView,
} from "./views.ts";

/** How to run a flow: everything outside the machine comes in here. */
export interface FlowOptions {
  readonly transport: Transport;
  /** Default: the system clock. Tests pass XState's SimulatedClock. */
  readonly clock?: FlowClock;
  /** A sample of [0, 1) for backoff jitter. */
  readonly random?: () => number;
  /** Aborting it cancels the flow: outcome `cancelled`, no request after it. */
  readonly signal?: AbortSignal;
  /** Resume this saved flow (checked with `parseRecord`) instead of starting a new one. */
  readonly record?: FlowRecord;
  /** Called with a record after every change while the flow can be resumed, and with `null` once it ended. */
  readonly persist?: (record: FlowRecord | null) => void | Promise<void>;
  /**
   * Receives XState inspection events with every secret redacted: a function, or an Observer such
   * as @statelyai/inspect's `inspector.inspect`. See docs/inspector.md.
   */
  readonly inspect?: Inspector;
  /** Where warnings go (e.g. a poll interval below 5 s); default console.warn. */
  readonly warn?: (message: string) => void;
}

/** A running flow. */
export interface Flow<TView, TOutput extends FlowOutput, TEvent, TMachine extends AnyStateMachine = AnyStateMachine> {
  readonly kind: FlowKind;
  /** DESIGN.md's events: state, qr, recovery-codes, poll, backoff, done. */
  readonly events: EventEmitter<FlowEvents>;
  /** Settles with the outcome; never rejects. */
  readonly done: Promise<TOutput>;
  send(event: TEvent): void;
  cancel(): void;
  view(): TView;
  /** The flow as a record, when it can be resumed now. */
  record(): FlowRecord | undefined;
  /** The XState actor, for UI bindings (e.g. @xstate/react's useSelector). */
  readonly actor: Actor<TMachine>;
}

export type EnrollmentFlow = Flow<EnrollmentView, EnrollmentOutput, EnrollmentEvent, typeof enrollmentMachine> & {
  /** The QR to show, once associated. */
  qr(): { readonly barcodeUri: string; readonly expiresAt: number } | undefined;
};
export type ChallengeFlow = Flow<ChallengeView, ChallengeOutput, ChallengeEvent, typeof challengeMachine>;

/**
 * Starts (or resumes) a push enrollment. The actor starts in a microtask, so listeners added now
 * see every event. `events` is the emitter to emit on: launch passes its handle's, so that no
 * event is relayed from one emitter to another.
 */
export function startEnrollment(input: EnrollmentInput, options: FlowOptions, events = new EventEmitter<FlowEvents>()): EnrollmentFlow {
  const saved = options.record;
  checkInput(saved ? undefined : () => enrollmentSettingsFrom(input), input, options);
  const actor = createActor(enrollmentWithRuntime(runtimeOf(options)), {
    input: saved ? resumeFrom<EnrollmentResumePoint, EnrollmentContext>(RESUME_POINTS.enroll, saved) : input,
    ...actorOptions(options),
  });
  const flow = runFlow<EnrollmentSnapshot, EnrollmentEvent, EnrollmentOutput, EnrollmentView>("enroll", actor, options, events, enrollmentView, topState);
  const qr = () => {
    const c = actor.getSnapshot().context;
    return c.barcodeUri === undefined || c.expiresAt === undefined ? undefined : { barcodeUri: c.barcodeUri, expiresAt: c.expiresAt };
  };
  if (saved) {
    // A resumed enrollment shows its QR again: the first `qr` event went to the previous page or process.
    flow.started.then((running) => {
      const shown = qr();
      if (running && shown && actor.getSnapshot().status === "active") events.emit("qr", { type: "qr", ...shown });
    });
  }
  return { ...flow.api, actor, qr };
}

/** Starts (or resumes) a push challenge; `events` as for startEnrollment. */
export function startChallenge(input: ChallengeInput, options: FlowOptions, events = new EventEmitter<FlowEvents>()): ChallengeFlow {
  const saved = options.record;
  checkInput(saved ? undefined : () => challengeSettingsFrom(input), input, options);
  const actor = createActor(challengeWithRuntime(runtimeOf(options)), {
    input: saved ? resumeFrom<ChallengeResumePoint, ChallengeContext>(RESUME_POINTS.challenge, saved) : input,
    ...actorOptions(options),
  });
  const flow = runFlow<ChallengeSnapshot, ChallengeEvent, ChallengeOutput, ChallengeView>("challenge", actor, options, events, challengeView, challengeResumeAt);
  return { ...flow.api, actor };
}

// Shared by every flow rather than made per flow: a back-end may hold thousands.
const topState = (s: EnrollmentSnapshot | ChallengeSnapshot) => stateName(s.value).split(".")[0] ?? "";
/** Inside `challenged`, the screen the user is on: the push, or a code entry. */
const challengeResumeAt = (s: ChallengeSnapshot) => (s.matches("challenged") ? (stateName(s.value).split(".")[1] ?? "polling") : topState(s));

/**
 * Checks a new flow's input (`settings`, which throws a PushflowError: bad input is an error at
 * the call, not an actor that starts in an error state) and warns about a short poll interval.
 */
function checkInput(settings: (() => unknown) | undefined, input: EnrollmentInput | ChallengeInput, options: FlowOptions): void {
  settings?.();
  if (input.pollIntervalMs !== undefined && input.pollIntervalMs < DEFAULTS.pollIntervalMs && options.transport.loopback !== true) {
    const warn = options.warn ?? ((message: string) => console.warn(message));
    warn(`pushflow: a poll interval of ${input.pollIntervalMs} ms is below Auth0's 5 s; expect slow_down answers`);
  }
}

/** The actor's options both flows share: the clock, and the inspector (redacting). */
function actorOptions(options: FlowOptions) {
  return { clock: options.clock ?? systemClock, ...(options.inspect ? { inspect: redactingObserver(options.inspect) } : {}) };
}

/**
 * A saved flow as its machine's input: one of its kind's resume points, and its context. It goes
 * on from that context in that state: its timers start anew from the absolute times the context
 * keeps, so it waits only what is left. A record is data read back from a store, whose type leaves
 * the context open: `parseRecord` checked its shape, and `record()` below wrote it from the context
 * of this same machine, which is what the one cast here says.
 */
function resumeFrom<P extends string, C extends FlowContext>(points: readonly P[], saved: FlowRecord): { readonly resume: { readonly at: P; readonly context: C } } {
  const at = points.find((point) => point === saved.at);
  if (at === undefined) throw new PushflowError("invalid_record", "the saved flow has no state to go on from: it was discarded; start a new flow");
  return { resume: { at, context: saved.context as C } };
}

function runtimeOf(options: FlowOptions): FlowRuntime {
  const clock = options.clock ?? systemClock;
  return options.random ? { transport: options.transport, clock, random: options.random } : { transport: options.transport, clock };
}

/** What the flow runner reads of a snapshot, whichever machine it is of. */
type FlowSnapshot<TOutput extends FlowOutput> = Snapshot<TOutput> & {
  readonly context: FlowContext;
  hasTag(tag: string): boolean;
};

/** The outcomes the runner itself may end a flow with, before or beside its machine: every flow has them. */
type RunnerOutput =
  | { readonly outcome: "cancelled"; readonly reason: string }
  | { readonly outcome: "failed"; readonly reason: string; readonly error: Problem };

/**
 * Runs a flow on its actor, typed by the actor's own machine (XState's ActorRef of its snapshot,
 * events and emitted events): the view, the resume point and `send` are checked against it.
 * The caller adds the actor to the API it answers.
 */
function runFlow<TSnapshot extends FlowSnapshot<TOutput>, TEvent extends EventObject, TOutput extends FlowOutput, TView extends FlowView>(
  kind: FlowKind,
  // The flow cancels itself with CANCEL: the actor must take it (both machines do, at every state).
  actor: ActorRef<TSnapshot, TEvent | { readonly type: "CANCEL" }, FlowEmitted>,
  options: FlowOptions,
  events: EventEmitter<FlowEvents>,
  toView: (snapshot: TSnapshot) => TView,
  resumeAt: (snapshot: TSnapshot) => string,
) {
  const clock = options.clock ?? systemClock;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  // `flow.actor.system.inspect(...)` (through any actor of the flow) gets redacted events too.
  redactInspection(actor.system);

  const record = (): FlowRecord | undefined => {
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== "active" || !snapshot.hasTag("resumable")) return undefined;
    const c: FlowContext = snapshot.context;
    const savedAt = clock.now();
    // The flow's deadline is set as it starts, so a resumable state always has one; past it the record is useless.
    const expiresAt = c.deadlineAt ?? savedAt;
    return { version: RECORD_VERSION, flow: kind, savedAt, expiresAt, at: resumeAt(snapshot), context: snapshot.context };
  };

  // Saves are chained so that an older record never lands after a newer one.
  let saving: Promise<void> = Promise.resolve();
  // A saved flow sends a request only once the record of the state that sends it has landed: the
  // request starts before the subscribers hear of the new state, so the gate lets them run first.
  if (options.persist) {
    requestGates.set(actor.system, async () => {
      await null;
      await saving;
    });
  }
  let cleared = false;
  const persist = (value: FlowRecord | null) => {
    if (!options.persist) return;
    // The record goes once: a state that holds tokens clears it before the end does.
    if (value === null && cleared) return;
    cleared = value === null;
    const save = options.persist;
    saving = saving.then(() => save(value)).catch((error: unknown) => {
      // Another owner saved the flow since: stop now, before the request that waits for this save.
      if (isPushflowError(error) && error.code === "conflict") return stopTaken(error.toProblem());
      warn(`pushflow: saving the flow failed: ${String(error)}`);
    });
  };

  function stopTaken(problem: Problem) {
    finish({ outcome: "failed", reason: problem.message, error: problem });
    actor.stop();
  }

  let settle: (output: TOutput | RunnerOutput) => void = () => {};
  const done = new Promise<TOutput | RunnerOutput>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (output: TOutput | RunnerOutput) => {
    if (finished) return;
    finished = true;
    options.signal?.removeEventListener("abort", cancel);
    persist(null);
    // `done` goes out and the outcome settles once the record is gone, so a process may exit right after.
    void saving.then(() => {
      events.emit("done", { type: "done", flow: kind, ...output });
      settle(output);
    });
  };

  actor.on("*", (emitted) => {
    const e = emitted as { type: keyof FlowEvents };
    (events.emit as (name: string, payload: unknown) => boolean)(e.type, emitted);
  });
  // An event that does not apply leaves the very same snapshot: no new state, nothing to save.
  let last: unknown;
  actor.subscribe({
    next: (snapshot) => {
      if (snapshot === last) return;
      last = snapshot;
      // A view is built only for someone who listens: a back-end with many flows often does not.
      if (events.listenerCount("state") > 0) events.emit("state", { type: "state", view: toView(snapshot) });
      if (snapshot.status === "done") finish(snapshot.output);
      else if (!options.persist) return;
      else if (snapshot.hasTag("holdsTokens")) persist(null);
      else {
        // States between two resumable ones (a code being verified) keep the last record.
        const saved = record();
        if (saved) persist(saved);
      }
    },
    error: (error) =>
      finish({ outcome: "failed", reason: "the flow stopped unexpectedly", error: { code: "internal", message: String(error) } }),
  });

  // Cancelled before the actor starts, the flow sends nothing: starting would send its first request.
  let running = false;
  let cancelledEarly = false;
  function cancel() {
    if (finished) return;
    if (running) actor.send({ type: "CANCEL" });
    else cancelledEarly = true;
  }
  const started = Promise.resolve().then(() => {
    if (cancelledEarly || options.signal?.aborted) {
      finish({ outcome: "cancelled", reason: REASONS.cancelled });
      return false;
    }
    options.signal?.addEventListener("abort", cancel, { once: true });
    running = true;
    actor.start();
    return true;
  });

  const api = {
    kind,
    events,
    done,
    // After the end an event changes nothing (XState would only warn about a stopped actor).
    send: (event: TEvent) => {
      if (event.type === "CANCEL") cancel();
      else if (!finished) actor.send(event);
    },
    cancel,
    view: () => toView(actor.getSnapshot()),
    record,
  };
  return { api, started };
}
