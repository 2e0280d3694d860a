import { assign } from "xstate";
import { runtimeActors, type FlowRuntime } from "./actors.ts";
import { challengeDueTimes, challengeMachine } from "./challenge.machine.ts";
import { enrollmentDueTimes, enrollmentMachine } from "./enrollment.machine.ts";
import { delaysFrom, flowUpdates } from "./shared.ts";

/**
 * Bound machines are built once per (transport, clock, random) and shared by every flow that runs
 * on them: `provide()` builds a whole new machine, which would be most of a flow's memory otherwise.
 */
const cache = new WeakMap<object, WeakMap<object, WeakMap<object, Bound>>>();
const DEFAULT_RANDOM = {};

interface Bound {
  enroll?: ReturnType<typeof buildEnrollment>;
  challenge?: ReturnType<typeof buildChallenge>;
}

function boundFor(runtime: FlowRuntime): Bound {
  let byClock = cache.get(runtime.transport);
  if (!byClock) cache.set(runtime.transport, (byClock = new WeakMap()));
  let byRandom = byClock.get(runtime.clock);
  if (!byRandom) byClock.set(runtime.clock, (byRandom = new WeakMap()));
  const key = runtime.random ?? DEFAULT_RANDOM;
  let entry = byRandom.get(key);
  if (!entry) byRandom.set(key, (entry = {}));
  return entry;
}

/** The enrollment machine bound to a transport and a clock, ready for `createActor`. */
export function enrollmentWithRuntime(runtime: FlowRuntime) {
  const bound = boundFor(runtime);
  return (bound.enroll ??= buildEnrollment(runtime));
}

/** The challenge machine bound to a transport and a clock, ready for `createActor`. */
export function challengeWithRuntime(runtime: FlowRuntime) {
  const bound = boundFor(runtime);
  return (bound.challenge ??= buildChallenge(runtime));
}

// Requests go through the transport; waits, the start and the time a poll went out come from the clock.
function buildEnrollment(runtime: FlowRuntime) {
  const { associate, verifyOob } = runtimeActors(runtime);
  const now = () => runtime.clock.now();
  return enrollmentMachine.provide({
    actors: { associate, verifyOob },
    delays: delaysFrom(enrollmentDueTimes, now),
    actions: {
      assignDeadline: assign(({ context }) => flowUpdates.started(context, now(), context.settings.enrollmentWindowMs)),
      assignPollSent: assign(({ context }) => flowUpdates.pollSent(context, now())),
    },
  });
}

function buildChallenge(runtime: FlowRuntime) {
  const { listAuthenticators, requestChallenge, verifyOob, verifyOtp, verifyRecoveryCode } = runtimeActors(runtime);
  const now = () => runtime.clock.now();
  return challengeMachine.provide({
    actors: { listAuthenticators, requestChallenge, verifyOob, verifyOtp, verifyRecoveryCode },
    delays: delaysFrom(challengeDueTimes, now),
    actions: {
      assignDeadline: assign(({ context }) => flowUpdates.started(context, now(), context.settings.timeoutMs)),
      assignPollSent: assign(({ context }) => flowUpdates.pollSent(context, now())),
    },
  });
}
