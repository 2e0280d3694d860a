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
