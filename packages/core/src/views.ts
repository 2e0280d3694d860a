import type { SnapshotFrom, StateValueFrom } from "xstate";
import type { challengeMachine } from "./machines/challenge.machine.ts";
import type { PushAuthenticator } from "./machines/challenge.types.ts";
import type { enrollmentMachine } from "./machines/enrollment.machine.ts";
import type { Outcome } from "./machines/outcomes.ts";

export type EnrollmentSnapshot = SnapshotFrom<typeof enrollmentMachine>;
export type ChallengeSnapshot = SnapshotFrom<typeof challengeMachine>;

/** A state value as a dotted path (`{ challenged: "otpEntry" }` → `"challenged.otpEntry"`), at the type level. */
type StatePath<V> = V extends string ? V : V extends object ? { [K in keyof V & string]: `${K}.${StatePath<V[K]>}` }[keyof V & string] : never;
/** The path a view shows: the poll loop's own steps left out. */
type ViewPath<P> = P extends `${infer Head}.waiting` ? Head : P extends `${infer Head}.requesting` ? Head : P;

/** Every `state` an enrollment's view can show: a typo in a comparison is a compile error. */
export type EnrollmentState = ViewPath<StatePath<StateValueFrom<typeof enrollmentMachine>>>;
/** Every `state` a challenge's view can show. */
export type ChallengeState = ViewPath<StatePath<StateValueFrom<typeof challengeMachine>>>;

/** What a screen needs of a flow, built from a whitelist: no secret can slip in. */
interface BaseView<S extends string> {
  /**
   * The current state as a dotted path, e.g. `challenged.polling`. The poll loop's own steps
   * (`waiting`, `requesting`) are not screens: the path stops at the state that holds them.
   */
  readonly state: S;
  readonly done: boolean;
  readonly outcome: Outcome | undefined;
  /** Polls sent so far. */
  readonly attempt: number;
  readonly intervalMs: number;
  readonly nextPollAt: number | undefined;
  readonly deadlineAt: number | undefined;
}

export interface EnrollmentView extends BaseView<EnrollmentState> {
  readonly flow: "enroll";
  /** The QR is ready (its URI comes in the `qr` event and from the enrollment flow's `qr()`). */
  readonly hasQr: boolean;
  readonly expiresAt: number | undefined;
  readonly recoveryCodesPending: boolean;
}

export interface ChallengeView extends BaseView<ChallengeState> {
  readonly flow: "challenge";
  readonly choices: readonly PushAuthenticator[];
  readonly authenticatorId: string | undefined;
  readonly canResend: boolean;
  readonly resendAvailableAt: number | undefined;
  /** Why the last one-time or recovery code was refused. */
  readonly codeError: string | undefined;
}

export type FlowView = EnrollmentView | ChallengeView;

/** The dotted path of a snapshot's value, without the poll loop's steps. */
export function stateName<V>(value: V): ViewPath<StatePath<V>> {
  // The string built here is the path the type computes; TypeScript cannot follow the recursion.
  return statePath(value).replace(/\.(waiting|requesting)$/, "") as ViewPath<StatePath<V>>;
}

function statePath(value: unknown): string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") {
    const [key, inner] = Object.entries(value)[0] ?? ["", ""];
    return `${key}.${statePath(inner)}`;
  }
  return "";
}

export function enrollmentView(snapshot: EnrollmentSnapshot): EnrollmentView {
  const c = snapshot.context;
  return {
    flow: "enroll",
    state: stateName(snapshot.value),
    done: snapshot.status === "done",
    outcome: snapshot.output?.outcome,
    attempt: c.attempt,
    intervalMs: c.intervalMs,
    nextPollAt: snapshot.matches("awaitingDevice") ? c.nextPollAt : undefined,
    deadlineAt: c.deadlineAt,
    hasQr: c.barcodeUri !== undefined,
    expiresAt: c.expiresAt,
    recoveryCodesPending: c.recoveryCodesPending,
  };
}

export function challengeView(snapshot: ChallengeSnapshot): ChallengeView {
  const c = snapshot.context;
  const polling = snapshot.matches({ challenged: "polling" });
  return {
    flow: "challenge",
    state: stateName(snapshot.value),
    done: snapshot.status === "done",
    outcome: snapshot.output?.outcome,
    attempt: c.attempt,
    intervalMs: c.intervalMs,
    nextPollAt: polling ? c.nextPollAt : undefined,
    deadlineAt: c.deadlineAt,
    choices: c.choices,
    authenticatorId: c.authenticatorId,
    canResend: polling && c.resendReady,
    resendAvailableAt: c.oobCode === undefined ? undefined : c.resendAvailableAt,
    codeError: c.codeError,
  };
}
