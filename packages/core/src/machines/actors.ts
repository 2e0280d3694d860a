import { fromPromise } from "xstate";
import type { FlowClock } from "../clock.ts";
import { PushflowError, type Problem } from "../errors.ts";
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

/** What a request actor answers: the transport's result, stamped. */
export type Answer<T> = Stamped<Result<T>>;

/** Any answer, as far as the guards that only ask "did it fail, and how" need. */
export type AnyAnswer = { readonly ok: true } | { readonly ok: false; readonly problem: Problem };

/** What a flow needs from the outside world. */
export interface FlowRuntime {
  readonly transport: Transport;
  readonly clock: FlowClock;
  /** A sample of [0, 1) for backoff jitter; Math.random by default. */
  readonly random?: () => number;
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
  associate: fromPromise<Answer<Association>, { readonly mfaToken: string }>(missingRuntime),
  listAuthenticators: fromPromise<Answer<readonly Authenticator[]>, { readonly mfaToken: string }>(missingRuntime),
  requestChallenge: fromPromise<Answer<ChallengeAnswer>, RequestChallengeInput>(missingRuntime),
  verifyOob: fromPromise<Answer<Tokens>, { readonly mfaToken: string; readonly oobCode: string }>(missingRuntime),
  verifyOtp: fromPromise<Answer<Tokens>, { readonly mfaToken: string; readonly otp: string }>(missingRuntime),
  verifyRecoveryCode: fromPromise<Answer<RecoveryTokens>, { readonly mfaToken: string; readonly recoveryCode: string }>(
    missingRuntime,
  ),
};

/**
 * What a request waits for before it goes out, by the flow's actor system: the flow runtime
 * registers one when it saves the flow, so that a request never leaves before the record of the
 * state that sends it (write-ahead). A process that dies with a request in flight then resumes
 * knowing that it was sent.
 */
export const requestGates = new WeakMap<object, () => Promise<unknown>>();

const NOT_SENT = { ok: false, problem: { code: "network", message: "the request was not sent: the flow stopped before" } } as const;

/** The same actors, bound to a transport and a clock. */
export function runtimeActors(runtime: FlowRuntime): typeof declaredActors {
  const { transport, clock } = runtime;
  const random = runtime.random ?? Math.random;
  const stamp = <T>(answer: Promise<T>): Promise<Stamped<T>> => answer.then((value) => ({ ...value, at: clock.now(), jitter: random() }));
  /** Sends once the flow's gate opens, and not at all if the flow stopped meanwhile. */
  const send = <T>(system: object, signal: AbortSignal, call: () => Promise<Result<T>>): Promise<Answer<T>> => {
    const gate = requestGates.get(system);
    if (gate === undefined) return stamp(call());
    return gate().then(() => stamp(signal.aborted ? Promise.resolve<Result<T>>(NOT_SENT) : call()));
  };
  return {
    associate: fromPromise(({ input, signal, system }) => send(system, signal, () => transport.associate(input, { signal }))),
    listAuthenticators: fromPromise(({ input, signal, system }) => send(system, signal, () => transport.listAuthenticators(input, { signal }))),
    requestChallenge: fromPromise(({ input, signal, system }) =>
      send(system, signal, () => transport.challenge({ ...input, challengeType: "oob" }, { signal })),
    ),
    verifyOob: fromPromise(({ input, signal, system }) => send(system, signal, () => transport.verifyOob(input, { signal }))),
    verifyOtp: fromPromise(({ input, signal, system }) => send(system, signal, () => transport.verifyOtp(input, { signal }))),
    verifyRecoveryCode: fromPromise(({ input, signal, system }) => send(system, signal, () => transport.verifyRecoveryCode(input, { signal }))),
  };
}
