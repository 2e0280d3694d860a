import { EventEmitter } from "eventemitter3";
import { createActor, type Actor, type AnyStateMachine, type SnapshotFrom } from "xstate";
import { systemClock, type FlowClock } from "./clock.ts";
import { isPushflowError, type Problem } from "./errors.ts";
import type { DoneEvent, FlowEvents } from "./events.ts";
import type { FlowRuntime } from "./machines/actors.ts";
import type { ChallengeEvent, ChallengeInput } from "./machines/challenge.types.ts";
import type { EnrollmentEvent, EnrollmentInput } from "./machines/enrollment.types.ts";
import { REASONS, type ChallengeOutput, type EnrollmentOutput, type FlowOutput } from "./machines/outcomes.ts";
import { DEFAULTS } from "./machines/policy.ts";
import type { FlowContext } from "./machines/shared.ts";
import { challengeSettingsFrom, type challengeMachine } from "./machines/challenge.machine.ts";
import { enrollmentSettingsFrom, type enrollmentMachine } from "./machines/enrollment.machine.ts";
import { challengeWithRuntime, enrollmentWithRuntime } from "./machines/runtime.ts";
import { requestGates } from "./machines/actors.ts";
import { RECORD_VERSION, type FlowKind, type FlowRecord } from "./persistence.ts";
import { redactInspection, redactingObserver, type Inspector } from "./inspection.ts";
import type { Transport } from "./transport.ts";
import { challengeView, enrollmentView, stateName, type ChallengeView, type EnrollmentView } from "./views.ts";

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
  const runtime = runtimeOf(options);
  const flow = runFlow("enroll", enrollmentWithRuntime(runtime), input, options, events, toEnrollmentView, topState);
  const qr = () => {
    const c = (flow.actor.getSnapshot() as SnapshotFrom<ReturnType<typeof enrollmentWithRuntime>>).context;
    return c.barcodeUri === undefined || c.expiresAt === undefined ? undefined : { barcodeUri: c.barcodeUri, expiresAt: c.expiresAt };
  };
  if (options.record) {
    // A resumed enrollment shows its QR again: the first `qr` event went to the previous page or process.
    flow.started.then((running) => {
      const shown = qr();
      if (running && shown && flow.actor.getSnapshot().status === "active") flow.events.emit("qr", { type: "qr", ...shown });
    });
  }
  return { ...flow.api, qr } as EnrollmentFlow;
}

/** Starts (or resumes) a push challenge; `events` as for startEnrollment. */
export function startChallenge(input: ChallengeInput, options: FlowOptions, events = new EventEmitter<FlowEvents>()): ChallengeFlow {
  return runFlow("challenge", challengeWithRuntime(runtimeOf(options)), input, options, events, toChallengeView, challengeResumeAt)
    .api as ChallengeFlow;
}

// Shared by every flow rather than made per flow: a back-end may hold thousands.
const toEnrollmentView = (s: SnapshotFrom<AnyStateMachine>) => enrollmentView(s as never);
const toChallengeView = (s: SnapshotFrom<AnyStateMachine>) => challengeView(s as never);
const topState = (s: SnapshotFrom<AnyStateMachine>) => stateName(s.value).split(".")[0] ?? "";
/** Inside `challenged`, the screen the user is on: the push, or a code entry. */
const challengeResumeAt = (s: SnapshotFrom<AnyStateMachine>) => (s.matches("challenged") ? (stateName(s.value).split(".")[1] ?? "polling") : topState(s));

function runtimeOf(options: FlowOptions): FlowRuntime {
  const clock = options.clock ?? systemClock;
  return options.random ? { transport: options.transport, clock, random: options.random } : { transport: options.transport, clock };
}

function runFlow<TView>(
  kind: FlowKind,
  machine: AnyStateMachine,
  input: EnrollmentInput | ChallengeInput,
  options: FlowOptions,
  events: EventEmitter<FlowEvents>,
  toView: (snapshot: SnapshotFrom<AnyStateMachine>) => TView,
  resumeAt: (snapshot: SnapshotFrom<AnyStateMachine>) => string,
) {
  const clock = options.clock ?? systemClock;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  // Bad input is a PushflowError thrown here, not an actor that starts in an error state.
  if (!options.record) (kind === "enroll" ? enrollmentSettingsFrom(input) : challengeSettingsFrom(input));
  if (input.pollIntervalMs !== undefined && input.pollIntervalMs < DEFAULTS.pollIntervalMs && options.transport.loopback !== true) {
    warn(`pushflow: a poll interval of ${input.pollIntervalMs} ms is below Auth0's 5 s; expect slow_down answers`);
  }
  // A saved flow starts from its context, in the state it was saved in: its timers start anew from
  // the absolute times the context keeps, so it waits only what is left.
  const saved = options.record;
  const actor = createActor(machine, {
    input: saved ? { resume: { at: saved.at, context: saved.context } } : input,
    clock,
    ...(options.inspect ? { inspect: redactingObserver(options.inspect) } : {}),
  });
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

  let settle: (output: FlowOutput) => void = () => {};
  const done = new Promise<FlowOutput>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (output: FlowOutput) => {
    if (finished) return;
    finished = true;
    options.signal?.removeEventListener("abort", cancel);
    persist(null);
    // `done` goes out and the outcome settles once the record is gone, so a process may exit right after.
    void saving.then(() => {
      events.emit("done", { type: "done", flow: kind, ...output } as DoneEvent);
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
      if (events.listenerCount("state") > 0) events.emit("state", { type: "state", view: toView(snapshot) as never });
      if (snapshot.status === "done") finish(snapshot.output as FlowOutput);
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
    actor,
    // After the end an event changes nothing (XState would only warn about a stopped actor).
    send: (event: { type: string }) => {
      if (event.type === "CANCEL") cancel();
      else if (!finished) actor.send(event as never);
    },
    cancel,
    view: () => toView(actor.getSnapshot()),
    record,
  };
  return { api, actor, events, started };
}
