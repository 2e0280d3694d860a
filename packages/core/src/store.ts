/**
 * A framework-free store over a launched flow, for UI bindings: `subscribe` and `getSnapshot` in
 * the shape React's `useSyncExternalStore` and Vue's `shallowRef` take as they are. The snapshot
 * keeps its identity until something on screen changes: the view, the outcome, a countdown second.
 */
import type { EventEmitter } from "eventemitter3";
import type { AnyStateMachine } from "xstate";
import { systemClock, type FlowClock } from "./clock.ts";
import type { DoneEvent, FlowEvents } from "./events.ts";
import { challengeMachine } from "./machines/challenge.machine.ts";
import type { ChallengeEvent } from "./machines/challenge.types.ts";
import { enrollmentMachine } from "./machines/enrollment.machine.ts";
import type { EnrollmentEvent } from "./machines/enrollment.types.ts";
import type { QrEmitted, RecoveryCodesEmitted } from "./machines/events.types.ts";
import { CHALLENGE_OUTCOMES, ENROLLMENT_OUTCOMES, type ChallengeOutput, type EnrollmentOutput, type FlowOutput } from "./machines/outcomes.ts";
import type { ChallengeView, EnrollmentView, FlowView } from "./views.ts";

/** What a store reads of a flow: an adapter's handle (`enroll`/`challenge`) has all of it. */
export interface StoreSource<TView, TOutput, TEvent> {
  readonly events: EventEmitter<FlowEvents>;
  view(): TView | undefined;
  send(event: TEvent): void;
  cancel(): void;
  readonly outcome: Promise<TOutput>;
}

/** The actions the current state of a challenge allows; the others are absent. */
export interface ChallengeActions {
  readonly cancel?: () => void;
  readonly choose?: (authenticatorId: string) => void;
  readonly resend?: () => void;
  readonly useOtp?: () => void;
  readonly submitOtp?: (otp: string) => void;
  readonly useRecoveryCode?: () => void;
  readonly submitRecoveryCode?: (code: string) => void;
  readonly backToPush?: () => void;
}

/** The actions the current state of an enrollment allows; the others are absent. */
export interface EnrollmentActions {
  readonly cancel?: () => void;
  readonly acknowledgeRecoveryCodes?: () => void;
}

interface BaseSnapshot<TView, TOutput, TActions> {
  /** The flow's view; undefined until the flow runs (during a login or a resume). */
  readonly view: TView | undefined;
  /** The outcome, once the flow is done (tokens included: keep it off screen and out of logs). */
  readonly outcome: TOutput | undefined;
  /** Whole seconds until the flow's deadline, once it has one; 0 once passed. */
  readonly secondsLeft: number | undefined;
  readonly actions: TActions;
}

export interface ChallengeStoreSnapshot extends BaseSnapshot<ChallengeView, ChallengeOutput, ChallengeActions> {
  /** Whole seconds until a resend is allowed, once a push went out; 0 once it is. */
  readonly resendInSeconds: number | undefined;
}

export interface EnrollmentStoreSnapshot extends BaseSnapshot<EnrollmentView, EnrollmentOutput, EnrollmentActions> {
  /** The QR to show, from the `qr` event, until the flow ends. */
  readonly qr: { readonly barcodeUri: string; readonly expiresAt: number } | undefined;
  /**
   * The recovery codes of a first enrollment, held in memory only while they await the user's
   * acknowledgement (never saved, never in the view); undefined after it.
   */
  readonly recoveryCodes: readonly string[] | undefined;
}

/** A store for a UI binding. */
export interface ViewStore<TSnapshot> {
  /** Called after every change of the snapshot; while someone listens, the countdowns tick. */
  subscribe(listener: () => void): () => void;
  /** The same object until something changed. */
  getSnapshot(): TSnapshot;
  /** Stops listening to the flow (the flow itself runs on: cancel it through `actions.cancel`). */
  dispose(): void;
}

export interface ViewStoreOptions {
  /** The flow's clock, for the countdowns; default the system clock. Tests pass a SimulatedClock. */
  readonly clock?: FlowClock;
}

type AppEventType = ChallengeEvent["type"] | EnrollmentEvent["type"];

/**
 * Each app event the machines accept, with the view's own word on it where a guard reads the
 * context: the machine definition says which events a state takes, the view whether a guard lets it.
 */
const ALLOWED_BY_VIEW: Partial<Record<AppEventType, (view: FlowView) => boolean>> = {
  RESEND: (view) => view.flow === "challenge" && view.canResend,
  ACK_RECOVERY_CODES: (view) => view.flow === "enroll" && view.recoveryCodesPending,
};
const APP_EVENTS: readonly AppEventType[] = [
  "CANCEL",
  "CHOOSE_AUTHENTICATOR",
  "RESEND",
  "USE_OTP",
  "SUBMIT_OTP",
  "USE_RECOVERY_CODE",
  "SUBMIT_RECOVERY_CODE",
  "BACK_TO_PUSH",
  "ACK_RECOVERY_CODES",
];

/**
 * The app events the state of a view accepts, from the machine definition: the events of its
 * state node and of every node above it. Before the flow runs only CANCEL; after it ends none.
 */
export function allowedEvents(view: FlowView | { readonly done: true } | undefined): readonly AppEventType[] {
  if (view === undefined) return ["CANCEL"];
  if (view.done || !("flow" in view)) return [];
  const machine: AnyStateMachine = view.flow === "enroll" ? enrollmentMachine : challengeMachine;
  const accepted = new Set<string>();
  // An unknown state gets the root's events (CANCEL) only.
  for (let node: StateNode | undefined = stateNode(machine, view.state) ?? machine.root; node; node = node.parent) {
    for (const type of node.ownEvents) accepted.add(type);
  }
  return APP_EVENTS.filter((type) => accepted.has(type) && (ALLOWED_BY_VIEW[type]?.(view) ?? true));
}

type StateNode = AnyStateMachine["root"];

/** The node of a view's state; a state this version does not know (a view relayed by another tab running a newer one) has none. */
function stateNode(machine: AnyStateMachine, state: string): StateNode | undefined {
  try {
    return machine.getStateNodeById(`${machine.id}.${state}`);
  } catch {
    return undefined;
  }
}

const isChallengeOutput = (output: FlowOutput): output is ChallengeOutput => (CHALLENGE_OUTCOMES as readonly string[]).includes(output.outcome);
const isEnrollmentOutput = (output: FlowOutput): output is EnrollmentOutput => (ENROLLMENT_OUTCOMES as readonly string[]).includes(output.outcome);

/** A store over a challenge handle (e.g. `challenge(options)` of @pushflow/browser). */
export function challengeStore(source: StoreSource<ChallengeView, ChallengeOutput, ChallengeEvent>, options: ViewStoreOptions = {}): ViewStore<ChallengeStoreSnapshot> {
  const send = (event: ChallengeEvent) => source.send(event);
  const all: Required<ChallengeActions> = {
    cancel: () => source.cancel(),
    choose: (id) => send({ type: "CHOOSE_AUTHENTICATOR", id }),
    resend: () => send({ type: "RESEND" }),
    useOtp: () => send({ type: "USE_OTP" }),
    submitOtp: (otp) => send({ type: "SUBMIT_OTP", otp }),
    useRecoveryCode: () => send({ type: "USE_RECOVERY_CODE" }),
    submitRecoveryCode: (code) => send({ type: "SUBMIT_RECOVERY_CODE", code }),
    backToPush: () => send({ type: "BACK_TO_PUSH" }),
  };
  const names: Record<ChallengeEvent["type"], keyof ChallengeActions> = {
    CANCEL: "cancel",
    CHOOSE_AUTHENTICATOR: "choose",
    RESEND: "resend",
    USE_OTP: "useOtp",
    SUBMIT_OTP: "submitOtp",
    USE_RECOVERY_CODE: "useRecoveryCode",
    SUBMIT_RECOVERY_CODE: "submitRecoveryCode",
    BACK_TO_PUSH: "backToPush",
  };
  return createStore<ChallengeView, ChallengeOutput, ChallengeEvent, ChallengeActions, ChallengeStoreSnapshot>(source, options, {
    actions: actionPicker<ChallengeActions>(all, names),
    outputOf: (output) => (isChallengeOutput(output) ? output : undefined),
    build: (base, view, seconds) => ({ ...base, resendInSeconds: seconds(view?.resendAvailableAt) }),
    countdowns: (view) => [view?.deadlineAt, view?.resendAvailableAt],
  });
}

/** A store over an enrollment handle (e.g. `enroll(options)` of @pushflow/browser). */
export function enrollmentStore(source: StoreSource<EnrollmentView, EnrollmentOutput, EnrollmentEvent>, options: ViewStoreOptions = {}): ViewStore<EnrollmentStoreSnapshot> {
  const all: Required<EnrollmentActions> = {
    cancel: () => source.cancel(),
    acknowledgeRecoveryCodes: () => source.send({ type: "ACK_RECOVERY_CODES" }),
  };
  const names: Record<EnrollmentEvent["type"], keyof EnrollmentActions> = { CANCEL: "cancel", ACK_RECOVERY_CODES: "acknowledgeRecoveryCodes" };
  let qr: EnrollmentStoreSnapshot["qr"];
  let codes: readonly string[] | undefined;
  let wasPending = false;
  return createStore<EnrollmentView, EnrollmentOutput, EnrollmentEvent, EnrollmentActions, EnrollmentStoreSnapshot>(source, options, {
    actions: actionPicker<EnrollmentActions>(all, names),
    listen: (events, update) => {
      const onQr = ({ barcodeUri, expiresAt }: QrEmitted) => {
        qr = { barcodeUri, expiresAt };
        update();
      };
      const onCodes = ({ codes: emitted }: RecoveryCodesEmitted) => {
        codes = emitted;
        update();
      };
      events.on("qr", onQr);
      events.on("recovery-codes", onCodes);
      return () => {
        events.off("qr", onQr);
        events.off("recovery-codes", onCodes);
      };
    },
    outputOf: (output) => (isEnrollmentOutput(output) ? output : undefined),
    build: (base, view) => {
      const running = base.outcome === undefined && view?.done !== true;
      // Dropped once acknowledged (or the flow ended): the codes stay in memory no longer than needed.
      // They come just before the view that marks them pending, hence the wait for that mark.
      const pending = view?.recoveryCodesPending === true;
      if (!running || (wasPending && !pending)) codes = undefined;
      wasPending = pending;
      if (!running) qr = undefined;
      return { ...base, qr, recoveryCodes: codes };
    },
    countdowns: (view) => [view?.deadlineAt],
  });
}

/** The allowed actions of a view, the same object for the same set (stable for memoized UIs). */
function actionPicker<TActions extends object>(all: Required<TActions>, names: Partial<Record<AppEventType, keyof TActions>>) {
  const cache = new Map<string, TActions>();
  return (view: FlowView | typeof DONE | undefined): TActions => {
    const keys = allowedEvents(view).flatMap((type) => names[type] ?? []);
    const id = keys.join(",");
    let actions = cache.get(id);
    if (!actions) cache.set(id, (actions = Object.fromEntries(keys.map((key) => [key, all[key]])) as TActions));
    return actions;
  };
}

interface StoreParts<TView extends FlowView, TOutput, TActions, TSnapshot> {
  readonly actions: (view: TView | typeof DONE | undefined) => TActions;
  readonly build: (base: BaseSnapshot<TView, TOutput, TActions>, view: TView | undefined, seconds: (at: number | undefined) => number | undefined) => TSnapshot;
  /** Listens to more of the flow's events than `state` and `done`; returns how to stop. */
  readonly listen?: (events: EventEmitter<FlowEvents>, update: () => void) => () => void;
  /** The outcome of a `done` event, when it is one of this flow's. */
  readonly outputOf: (output: FlowOutput) => TOutput | undefined;
  /** The instants whose countdowns the snapshot shows. */
  readonly countdowns: (view: TView | undefined) => readonly (number | undefined)[];
}

/** A view that allows nothing: `allowedEvents` of a done view is empty. */
const DONE = { done: true } as const;

function createStore<TView extends FlowView, TOutput extends FlowOutput, TEvent, TActions, TSnapshot extends BaseSnapshot<TView, TOutput, TActions>>(
  source: StoreSource<TView, TOutput, TEvent>,
  options: ViewStoreOptions,
  parts: StoreParts<TView, TOutput, TActions, TSnapshot>,
): ViewStore<TSnapshot> {
  const clock = options.clock ?? systemClock;
  const listeners = new Set<() => void>();
  let view = source.view();
  let outcome: TOutput | undefined;
  let timer: unknown;
  let disposed = false;

  const seconds = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, Math.ceil((at - clock.now()) / 1000)));
  // Once the outcome is in, nothing is left to do, even if the last view is not marked done (a tab that ended on a conflict).
  const build = () =>
    parts.build({ view, outcome, secondsLeft: seconds(view?.deadlineAt), actions: parts.actions(outcome === undefined ? view : DONE) }, view, seconds);
  let snapshot = build();

  /** Rebuilds the snapshot; listeners hear of it only when a field differs. */
  const update = () => {
    const next = build();
    const changed = (Object.keys(next) as (keyof TSnapshot)[]).some((key) => next[key] !== snapshot[key]);
    if (changed) {
      snapshot = next;
      for (const listener of [...listeners]) listener();
    }
    schedule();
  };

  /** One timer, to the next instant a countdown shows another second; none while nobody listens. */
  const schedule = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (disposed || listeners.size === 0 || outcome !== undefined || view?.done === true) return;
    const now = clock.now();
    const waits = parts.countdowns(view).flatMap((at) => (at !== undefined && at > now ? [((at - now - 1) % 1000) + 1] : []));
    if (waits.length === 0) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      update();
    }, Math.min(...waits));
  };

  // The view the event carries is the handle's view now (typed by the handle, not the emitter).
  const onState = () => {
    view = source.view() ?? view;
    update();
  };
  // The outcome as soon as the `done` event goes out: no render of a finished view without it.
  const onDone = ({ type: _type, flow: _flow, ...output }: DoneEvent) => {
    outcome = parts.outputOf(output) ?? outcome;
    update();
  };
  source.events.on("state", onState);
  source.events.on("done", onDone);
  const unlisten = parts.listen?.(source.events, () => update());
  // The outcome of a flow that ended before the store was made.
  void source.outcome.then((output) => {
    if (disposed || outcome !== undefined) return;
    outcome = output;
    view = source.view() ?? view;
    update();
  });

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        // Time went by while nobody listened: catch up before the first tick.
        view = source.view() ?? view;
        update();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) schedule();
      };
    },
    getSnapshot: () => snapshot,
    dispose() {
      disposed = true;
      listeners.clear();
      schedule();
      source.events.off("state", onState);
      source.events.off("done", onDone);
      unlisten?.();
    },
  };
}

/** A flow with its store, as a UI binding runs it. */
export interface RunningFlow<TSnapshot> {
  readonly store: ViewStore<TSnapshot>;
  cancel(): void;
  /** Settles when the flow ends. */
  readonly ended: Promise<unknown>;
}

/**
 * Flows that a UI let run on when it went away (a binding's `onUnmount: "keep"`), by store key:
 * the next UI on the same key takes the running flow over, store and all, instead of starting a
 * second one. A flow that ends meanwhile is dropped.
 */
export function keptFlows<TSnapshot>() {
  const kept = new Map<string, RunningFlow<TSnapshot>>();
  return {
    keep(key: string, flow: RunningFlow<TSnapshot>): void {
      kept.set(key, flow);
      void flow.ended.then(() => {
        if (kept.get(key) !== flow) return;
        kept.delete(key);
        flow.store.dispose();
      });
    },
    take(key: string): RunningFlow<TSnapshot> | undefined {
      const flow = kept.get(key);
      kept.delete(key);
      return flow;
    },
  };
}
