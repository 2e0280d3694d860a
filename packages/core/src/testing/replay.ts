import { EventEmitter } from "eventemitter3";
import type { AnyStateMachine, StateValue } from "xstate";
import type { DoneEvent, FlowEvents } from "../events.ts";
import { challengeMachine } from "../machines/challenge.machine.ts";
import type { ChallengeEvent } from "../machines/challenge.types.ts";
import { enrollmentMachine } from "../machines/enrollment.machine.ts";
import type { EnrollmentEvent } from "../machines/enrollment.types.ts";
import type { ChallengeOutput, EnrollmentOutput, FlowOutput } from "../machines/outcomes.ts";
import type { StoreSource } from "../store.ts";
import { challengeView, enrollmentView, type ChallengeSnapshot, type ChallengeView, type EnrollmentSnapshot, type EnrollmentView, type FlowView } from "../views.ts";
import type { PathSnapshot } from "./model-paths.ts";

/**
 * A stand-in for a flow handle that shows the snapshots of a generated model path: hand its
 * `source` to a store (`challengeStore`, `useChallengeStore`…) and `show` each step's state, to
 * render your screen for every state without a transport or a clock. What the screen sends is
 * kept in `sent`.
 */
export interface ReplayFlow<TView, TOutput, TEvent, TSnapshot> {
  readonly source: StoreSource<TView, TOutput, TEvent>;
  /** Emits the state (and, for a final one, the outcome) as a running flow would; returns the real snapshot. */
  show(state: PathSnapshot): TSnapshot;
  /** The events sent through the source, `{ type: "CANCEL" }` for a cancel. */
  readonly sent: readonly (TEvent | { readonly type: "CANCEL" })[];
}

export function replayChallenge(): ReplayFlow<ChallengeView, ChallengeOutput, ChallengeEvent, ChallengeSnapshot> {
  return replay("challenge", (state) => {
    const snapshot: ChallengeSnapshot = anyMachine(challengeMachine).resolveState(snapshotParts(state));
    return { snapshot, view: challengeView(snapshot), output: snapshot.status === "done" ? snapshot.output : undefined };
  });
}

export function replayEnrollment(): ReplayFlow<EnrollmentView, EnrollmentOutput, EnrollmentEvent, EnrollmentSnapshot> {
  return replay("enroll", (state) => {
    const snapshot: EnrollmentSnapshot = anyMachine(enrollmentMachine).resolveState(snapshotParts(state));
    return { snapshot, view: enrollmentView(snapshot), output: snapshot.status === "done" ? snapshot.output : undefined };
  });
}

/** The machine with its context untyped: a path's context is plain data, checked by the machine alone. */
const anyMachine = (machine: AnyStateMachine): AnyStateMachine => machine;

const STATUSES = ["active", "done", "error", "stopped"] as const;

/** A path's plain snapshot as `resolveState` takes it: the path keeps the machine's own values. */
function snapshotParts(state: PathSnapshot) {
  const status = STATUSES.find((s) => s === state.status);
  if (status === undefined) throw new Error(`not a snapshot status: ${state.status}`);
  return { value: state.value as StateValue, context: state.context, status, output: state.output };
}

function replay<TView extends FlowView, TOutput extends FlowOutput, TEvent, TSnapshot>(
  kind: "challenge" | "enroll",
  resolve: (state: PathSnapshot) => { snapshot: TSnapshot; view: TView; output: TOutput | undefined },
): ReplayFlow<TView, TOutput, TEvent, TSnapshot> {
  const events = new EventEmitter<FlowEvents>();
  const sent: (TEvent | { readonly type: "CANCEL" })[] = [];
  let current: TView | undefined;
  let settle: (output: TOutput) => void = () => {};
  const outcome = new Promise<TOutput>((resolveOutcome) => (settle = resolveOutcome));
  return {
    source: {
      events,
      view: () => current,
      send: (event) => void sent.push(event),
      cancel: () => void sent.push({ type: "CANCEL" }),
      outcome,
    },
    show(state) {
      const { snapshot, view, output } = resolve(state);
      current = view;
      events.emit("state", { type: "state", view });
      if (output) {
        const done: DoneEvent = { type: "done", flow: kind, ...output };
        events.emit("done", done);
        settle(output);
      }
      return snapshot;
    },
    sent,
  };
}
