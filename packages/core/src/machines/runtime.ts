import { runtimeActors, type FlowRuntime } from "./actors.ts";
import { challengeMachine } from "./challenge.machine.ts";
import { enrollmentMachine } from "./enrollment.machine.ts";
import { pollMachine } from "./poll.machine.ts";

function providedPoll(runtime: FlowRuntime) {
  const actors = runtimeActors(runtime);
  return pollMachine.provide({ actors: { verifyOob: actors.verifyOob, timer: actors.timer } });
}

/** The enrollment machine bound to a transport and a clock, ready for `createActor`. */
export function enrollmentWithRuntime(runtime: FlowRuntime) {
  const actors = runtimeActors(runtime);
  return enrollmentMachine.provide({
    actors: { associate: actors.associate, timer: actors.timer, poll: providedPoll(runtime) },
  });
}

/** The challenge machine bound to a transport and a clock, ready for `createActor`. */
export function challengeWithRuntime(runtime: FlowRuntime) {
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
