import { runtimeActors, type FlowRuntime } from "./actors.ts";
import { challengeMachine } from "./challenge.machine.ts";
import { enrollmentMachine } from "./enrollment.machine.ts";
import { pollMachine } from "./poll.machine.ts";

function providedPoll(runtime: FlowRuntime) {
  const actors = runtimeActors(runtime);
  return pollMachine.provide({ actors: { verifyOob: actors.verifyOob, timer: actors.timer } });
}

/**
 * Bound machines are built once per (transport, clock, random) and shared by every flow that runs
 * on them: `provide()` builds a whole new machine, which is most of a flow's memory otherwise.
 */
const cache = new WeakMap<object, WeakMap<object, WeakMap<object, { enroll?: unknown; challenge?: unknown }>>>();
const DEFAULT_RANDOM = {};

function cached<T>(runtime: FlowRuntime, kind: "enroll" | "challenge", build: () => T): T {
  let byClock = cache.get(runtime.transport);
  if (!byClock) cache.set(runtime.transport, (byClock = new WeakMap()));
  let byRandom = byClock.get(runtime.clock);
  if (!byRandom) byClock.set(runtime.clock, (byRandom = new WeakMap()));
  const key = runtime.random ?? DEFAULT_RANDOM;
  let entry = byRandom.get(key);
  if (!entry) byRandom.set(key, (entry = {}));
  return (entry[kind] ??= build()) as T;
}

/** The enrollment machine bound to a transport and a clock, ready for `createActor`. */
export function enrollmentWithRuntime(runtime: FlowRuntime) {
  return cached(runtime, "enroll", () => buildEnrollment(runtime));
}

/** The challenge machine bound to a transport and a clock, ready for `createActor`. */
export function challengeWithRuntime(runtime: FlowRuntime) {
  return cached(runtime, "challenge", () => buildChallenge(runtime));
}

function buildEnrollment(runtime: FlowRuntime) {
  const actors = runtimeActors(runtime);
  return enrollmentMachine.provide({
    actors: { associate: actors.associate, timer: actors.timer, poll: providedPoll(runtime) },
  });
}

function buildChallenge(runtime: FlowRuntime) {
  const actors = runtimeActors(runtime);
  return challengeMachine.provide({
    actors: {
      listAuthenticators: actors.listAuthenticators,
      requestChallenge: actors.requestChallenge,
      verifyOtp: actors.verifyOtp,
      verifyRecoveryCode: actors.verifyRecoveryCode,
      timer: actors.timer,
      poll: providedPoll(runtime),
    },
  });
}
