/**
 * Compile-time checks of the machines' wiring, run by `pnpm typecheck` (part of `pnpm test`):
 * every name a machine uses must be one its `setup()` declares. XState skips an unknown action at
 * run time without a word, so only the compiler can catch a misspelling. Each `@ts-expect-error`
 * fails the typecheck if the line below it ever compiles.
 */
import { challengeContext, challengeSetup } from "../../src/machines/challenge.machine.ts";
import type { ChallengeMachineInput } from "../../src/machines/challenge.types.ts";
import { enrollmentContext, enrollmentSetup } from "../../src/machines/enrollment.machine.ts";
import type { EnrollmentMachineInput } from "../../src/machines/enrollment.types.ts";
import { answer } from "../../src/machines/shared.ts";
import { MemoryFlowStore } from "../../src/persistence.ts";

const challenge = ({ input }: { input: ChallengeMachineInput }) => challengeContext(input);
const enrollment = ({ input }: { input: EnrollmentMachineInput }) => enrollmentContext(input);

// The real names compile: the checks below fail for the misspelling, not for the shape.
challengeSetup.createMachine({ context: challenge, on: { CANCEL: { guard: "canResend", actions: ["clearCodeError", "assignResendReady"] } } });
enrollmentSetup.createMachine({ context: enrollment, after: { untilDeadline: { guard: "wasRateLimited", actions: "assignCodesAcknowledged" } } });
enrollmentSetup.createMachine({
  context: enrollment,
  invoke: { src: "associate", input: { mfaToken: "m" }, onDone: { guard: { type: "isMisconfigured", params: answer }, actions: { type: "assignProblem", params: answer } } },
});

// A misspelled action.
// @ts-expect-error "assignProblm" is not an action of the challenge
challengeSetup.createMachine({ context: challenge, on: { CANCEL: { actions: "assignProblm" } } });
// @ts-expect-error "emitQR" is not an action of the enrollment (it is emitQr)
enrollmentSetup.createMachine({ context: enrollment, on: { CANCEL: { actions: ["emitQR"] } } });
enrollmentSetup.createMachine({
  context: enrollment,
  // @ts-expect-error "assignProblm" is not an action of the enrollment, with params either
  invoke: { src: "associate", input: { mfaToken: "m" }, onDone: { actions: { type: "assignProblm", params: answer } } },
});

// A misspelled guard.
// @ts-expect-error "canResnd" is not a guard of the challenge
challengeSetup.createMachine({ context: challenge, on: { RESEND: { guard: "canResnd" } } });
enrollmentSetup.createMachine({
  context: enrollment,
  // @ts-expect-error "isMisconfigurd" is not a guard of the enrollment
  invoke: { src: "associate", input: { mfaToken: "m" }, onDone: { guard: { type: "isMisconfigurd", params: answer } } },
});

// A misspelled actor or event. (XState types `after` keys as any string: test/wiring.test.ts
// checks the delays instead, at run time.)
// @ts-expect-error "verifyOOB" is not an actor of the enrollment
enrollmentSetup.createMachine({ context: enrollment, invoke: { src: "verifyOOB" } });
// @ts-expect-error "RESNED" is not an event of the challenge
challengeSetup.createMachine({ context: challenge, on: { RESNED: { actions: "clearCodeError" } } });

// A view's state is the union of the machine's state paths: a typo in a comparison does not compile.
declare const challengeView: import("../../src/views.ts").ChallengeView;
declare const enrollmentView: import("../../src/views.ts").EnrollmentView;
export const onCodeScreen = challengeView.state === "challenged.otpEntry";
// @ts-expect-error "challenged.otpEntrry" is not a state of the challenge
export const typo = challengeView.state === "challenged.otpEntrry";
// @ts-expect-error the poll loop's own steps are not views' states
export const step = enrollmentView.state === "awaitingDevice.waiting";

// A flow's actor is typed by its machine: its snapshot's context is typed, and an event the machine
// does not take does not compile.
declare const challengeFlow: import("../../src/flow.ts").ChallengeFlow;
declare const enrollmentHandle: import("../../src/launch.ts").EnrollmentHandle;
export const attempt: number = challengeFlow.actor.getSnapshot().context.attempt;
challengeFlow.actor.send({ type: "RESEND" });
// @ts-expect-error BOGUS is not an event of the challenge
challengeFlow.actor.send({ type: "BOGUS" });
export const started = enrollmentHandle.started.then((flow) => {
  // @ts-expect-error RESEND is a challenge event, not an enrollment one
  flow?.actor.send({ type: "RESEND" });
  return flow?.actor.getSnapshot().context.recoveryCodesPending;
});

// A required option missing is a compile error: a flow needs an mfa_token, a login, or a saved flow.
declare const adapter: ReturnType<typeof import("../../src/adapter.ts").createAdapter>;
export const given = [adapter.challenge({ mfaToken: "m" }), adapter.enroll({ username: "u", password: "p" }), adapter.challenge({ store: new MemoryFlowStore() })];
// @ts-expect-error no mfa_token, no login and no saved flow to resume
adapter.challenge({});
// @ts-expect-error a username without its password is no login
adapter.enroll({ username: "u" });
