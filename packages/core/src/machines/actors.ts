import { fromPromise } from "xstate";
import type { FlowClock } from "../clock.ts";
import { PushflowError } from "../errors.ts";
import type {
  Association,
  Authenticator,
  ChallengeAnswer,
  RecoveryTokens,
  Result,
  Tokens,
  Transport,
} from "../transport.ts";

/** A transport answer with the time it arrived and a jitter sample, both from the runtime. */
export type Stamped<T> = T & { readonly at: number; readonly jitter: number };

/** What a flow needs from the outside world. */
export interface FlowRuntime {
  readonly transport: Transport;
  readonly clock: FlowClock;
  /** A sample of [0, 1) for backoff jitter; Math.random by default. */
  readonly random?: () => number;
}

export interface TimerInput {
  /** Absolute time on the flow clock: a resumed flow waits only what is left. */
  readonly until: number;
}
export interface TimerOutput {
  readonly firedAt: number;
}

/** Input of `requestChallenge` (not the challenge machine's `ChallengeInput`). */
export interface RequestChallengeInput {
  readonly mfaToken: string;
  readonly authenticatorId: string;
}

function missingRuntime(): never {
  throw new PushflowError("internal", "this machine has no runtime: start it with startEnrollment/startChallenge or enrollmentWithRuntime/challengeWithRuntime");
}

/**
 * The actors of the machines, as declared in `setup()`. They only fail until a runtime is
 * provided; the graph tests traverse the machines without running them.
 */
export const declaredActors = {
  associate: fromPromise<Stamped<Result<Association>>, { readonly mfaToken: string }>(missingRuntime),
  listAuthenticators: fromPromise<Stamped<Result<readonly Authenticator[]>>, { readonly mfaToken: string }>(missingRuntime),
  requestChallenge: fromPromise<Stamped<Result<ChallengeAnswer>>, RequestChallengeInput>(missingRuntime),
  verifyOob: fromPromise<Stamped<Result<Tokens>>, { readonly mfaToken: string; readonly oobCode: string }>(missingRuntime),
  verifyOtp: fromPromise<Stamped<Result<Tokens>>, { readonly mfaToken: string; readonly otp: string }>(missingRuntime),
  verifyRecoveryCode: fromPromise<Stamped<Result<RecoveryTokens>>, { readonly mfaToken: string; readonly recoveryCode: string }>(
    missingRuntime,
  ),
  timer: fromPromise<TimerOutput, TimerInput>(missingRuntime),
};

/** The same actors, bound to a transport and a clock. */
export function runtimeActors(runtime: FlowRuntime): typeof declaredActors {
  const { transport, clock } = runtime;
  const random = runtime.random ?? Math.random;
  const stamp = async <T>(answer: Promise<T>): Promise<Stamped<T>> => {
    const value = await answer;
    return { ...value, at: clock.now(), jitter: random() };
  };
  return {
    associate: fromPromise(({ input, signal }) => stamp(transport.associate(input, { signal }))),
    listAuthenticators: fromPromise(({ input, signal }) => stamp(transport.listAuthenticators(input, { signal }))),
    requestChallenge: fromPromise(({ input, signal }) =>
      stamp(transport.challenge({ ...input, challengeType: "oob" }, { signal })),
    ),
    verifyOob: fromPromise(({ input, signal }) => stamp(transport.verifyOob(input, { signal }))),
    verifyOtp: fromPromise(({ input, signal }) => stamp(transport.verifyOtp(input, { signal }))),
    verifyRecoveryCode: fromPromise(({ input, signal }) => stamp(transport.verifyRecoveryCode(input, { signal }))),
    timer: fromPromise(({ input, signal }) => waitUntil(clock, input.until, signal)),
  };
}

/** Resolves at `until` on the flow clock; a stopped actor clears its timeout. */
function waitUntil(clock: FlowClock, until: number, signal: AbortSignal): Promise<TimerOutput> {
  return new Promise((resolve) => {
    const id = clock.setTimeout(() => resolve({ firedAt: clock.now() }), Math.max(0, until - clock.now()));
    signal.addEventListener("abort", () => clock.clearTimeout(id), { once: true });
  });
}
