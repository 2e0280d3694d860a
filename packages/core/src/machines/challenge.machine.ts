import { assign, emit, setup } from "xstate";
import { PushflowError, type Problem } from "../errors.ts";
import type { Authenticator, ChallengeAnswer, RecoveryTokens, Tokens } from "../transport.ts";
import { declaredActors, type Answer, type AnyAnswer } from "./actors.ts";
import type {
  ChallengeContext,
  ChallengeEvent,
  ChallengeInput,
  ChallengeMachineInput,
  ChallengeResumePoint,
  ChallengeSettings,
  PushAuthenticator,
} from "./challenge.types.ts";
import type { FlowEmitted } from "./events.types.ts";
import { challengeOutputOf, REASONS, type ChallengeOutput } from "./outcomes.ts";
import { DEFAULTS, isRetryable, retryAt } from "./policy.ts";
import {
  answer,
  approvalOf,
  approved,
  delaysFrom,
  durationOption,
  failedWith,
  flowContextFrom,
  flowDueTimes,
  flowGuards,
  flowSettingsFrom,
  flowUpdates,
  mfaTokenInput,
  pollBackoffEmitted,
  pollEmitted,
  pollRequestInput,
  reasonOf,
  resumedContext,
  retryBackoff,
  sharedFinalStates,
  thrown,
} from "./shared.ts";

type ListAnswer = Answer<readonly Authenticator[]>;
type PushAnswer = Answer<ChallengeAnswer>;
type Args = { readonly context: ChallengeContext };

/** Only active push (oob + auth0) authenticators can be challenged with a push. */
export function pushChoices(authenticators: readonly Authenticator[]): PushAuthenticator[] {
  return authenticators
    .filter((a) => a.active && a.authenticatorType === "oob" && a.oobChannel === "auth0")
    .map((a) => (a.name === undefined ? { id: a.id } : { id: a.id, name: a.name }));
}

const listed = (answer: ListAnswer): PushAuthenticator[] => (answer.ok ? pushChoices(answer.value) : []);

const NO_OOB_CODE: Problem = { code: "invalid_response", message: "the challenge answer has no oob_code: is this a push authenticator?" };

/** When each wait of the challenge ends, on the flow clock. */
export const challengeDueTimes = {
  ...flowDueTimes,
  /** The next poll, or the end of the resend cooldown when that comes first: one timer for both. */
  untilWake: (context: ChallengeContext) => (context.resendReady ? context.nextPollAt : Math.min(context.nextPollAt, context.resendAvailableAt)),
};

/**
 * The flow's deadline, taken by every state that can be in it: `rate_limited` when the server's
 * last answer said wait (a 429), `expired` otherwise. A retry the server asked for past it loses to it.
 */
const endsAtDeadline = [{ guard: "wasRateLimited", target: "#challenge.rate_limited" }, { target: "#challenge.expired" }] as const;

/** Why a challenge expired, by how far it got: listing, sending the push, choosing, or the push itself. */
function expiredReason(context: ChallengeContext): string {
  if (context.oobCode !== undefined) return REASONS.challengeExpired;
  if (context.authenticatorId !== undefined) return REASONS.pushNotSentExpired;
  return context.choices.length > 0 ? REASONS.choiceExpired : REASONS.listExpired;
}

/** Checks a challenge's options and fills in defaults; bad input is a PushflowError naming the option. */
export function challengeSettingsFrom(input: ChallengeInput): ChallengeSettings {
  const requestedId = input.authenticatorId;
  if (requestedId !== undefined && (typeof requestedId !== "string" || requestedId.trim() === "")) {
    throw new PushflowError("bad_input", "authenticatorId must be a non-empty string when given");
  }
  return {
    ...flowSettingsFrom(input),
    requestedId,
    timeoutMs: durationOption("timeoutMs", input.timeoutMs, DEFAULTS.challengeTimeoutMs),
    resendCooldownMs: durationOption("resendCooldownMs", input.resendCooldownMs, DEFAULTS.resendCooldownMs, 0),
  };
}

/** The context a new or resumed challenge starts with. */
export function challengeContext(input: ChallengeMachineInput): ChallengeContext {
  if (input.resume) return { ...resumedContext(input.resume.context), resumeAt: input.resume.at };
  return {
    settings: challengeSettingsFrom(input),
    ...flowContextFrom(input),
    choices: [],
    authenticatorId: undefined,
    resendAvailableAt: 0,
    resendReady: false,
    codeError: undefined,
    resumeAt: undefined,
  };
}

/** The request of `challenging` and `resending`: a push to the chosen authenticator. */
const pushRequestInput = ({ context }: Args) => ({ mfaToken: context.settings.mfaToken, authenticatorId: context.authenticatorId ?? "" });

/** The named implementations of the challenge: a name the machine uses that is not here is a compile error. */
export const challengeSetup = setup({
  types: {
    input: {} as ChallengeMachineInput,
    context: {} as ChallengeContext,
    events: {} as ChallengeEvent,
    output: {} as ChallengeOutput,
    emitted: {} as FlowEmitted,
  },
  actors: {
    listAuthenticators: declaredActors.listAuthenticators,
    requestChallenge: declaredActors.requestChallenge,
    verifyOob: declaredActors.verifyOob,
    verifyOtp: declaredActors.verifyOtp,
    verifyRecoveryCode: declaredActors.verifyRecoveryCode,
  },
  delays: delaysFrom(challengeDueTimes, () => 0),
  guards: {
    ...flowGuards,
    isResumingAt: ({ context }: Args, { at }: { at: ChallengeResumePoint }) => context.resumeAt === at,
    hasRequested: ({ context }: Args, { answer }: { answer: ListAnswer }) =>
      context.settings.requestedId !== undefined && listed(answer).some((c) => c.id === context.settings.requestedId),
    isRequestedMissing: ({ context }: Args, { answer }: { answer: ListAnswer }) => answer.ok && context.settings.requestedId !== undefined,
    hasOneChoice: (_: unknown, { answer }: { answer: ListAnswer }) => listed(answer).length === 1,
    hasSeveralChoices: (_: unknown, { answer }: { answer: ListAnswer }) => listed(answer).length > 1,
    isChoice: ({ context }: Args, { id }: { id: string }) => context.choices.some((c) => c.id === id),
    isPushSent: (_: unknown, { answer }: { answer: PushAnswer }) => answer.ok && answer.value.oobCode !== undefined,
    isRetryable: (_: unknown, { answer }: { answer: AnyAnswer }) => !answer.ok && isRetryable(answer.problem),
    isNotEnrolled: (_: unknown, { answer }: { answer: AnyAnswer }) => failedWith(answer, "not_enrolled", "invalid_authenticator"),
    isRejected: (_: unknown, { answer }: { answer: AnyAnswer }) => failedWith(answer, "rejected"),
    isMfaRequired: (_: unknown, { answer }: { answer: AnyAnswer }) => failedWith(answer, "mfa_required"),
    /** A code refused, or lost on the way: the user may try again. */
    isCodeRefused: (_: unknown, { answer }: { answer: AnyAnswer }) => failedWith(answer, "invalid_code", "server_error", "network", "timeout"),
    isLockedOut: (_: unknown, { answer }: { answer: AnyAnswer }) => failedWith(answer, "too_many_attempts"),
    hasText: (_: unknown, { text }: { text: string }) => text.trim() !== "",
    canResend: ({ context }: Args) => context.resendReady,
    /** The wake-up timer fired for the end of the resend cooldown, not for a poll. */
    isResendDue: ({ context }: Args) => !context.resendReady && context.resendAvailableAt <= context.nextPollAt,
  },
  actions: {
    assignProblem: assign((_, { answer }: { answer: AnyAnswer }) => flowUpdates.problem(answer)),
    assignCrash: assign((_, { error }: { error: unknown }) => flowUpdates.crash(error)),
    assignAnswerLost: assign((_, { answer }: { answer: AnyAnswer }) => flowUpdates.answerLost(answer, REASONS.pushAnswerLost)),
    assignRetry: assign(({ context }, { answer }: { answer: Answer<unknown> }) => flowUpdates.retry(context, answer)),
    emitRetryBackoff: emit(({ context }) => retryBackoff(context)),
    // The runtime replaces it with one that reads its clock (runtime.ts).
    assignPollSent: assign(({ context }) => flowUpdates.pollSent(context, context.nextPollAt)),
    assignPollAnswer: assign(({ context }, { answer }: { answer: Answer<unknown> }) => flowUpdates.pollAnswer(context, answer)),
    emitPoll: emit(({ context }) => pollEmitted(context)),
    emitPollBackoff: emit(({ context }) => pollBackoffEmitted(context)),
    assignResumed: assign({ resumeAt: undefined }),
    emitResume: emit((_, resume: { at: ChallengeResumePoint; repeats?: "challenge" }): FlowEmitted => ({ type: "resume", ...resume })),
    // The runtime replaces it with one that reads its clock (runtime.ts).
    assignDeadline: assign(({ context }) => flowUpdates.started(context, 0, context.settings.timeoutMs)),
    assignChoices: assign((_, { answer }: { answer: ListAnswer }) => ({ choices: listed(answer), retries: 0, lastWait: undefined })),
    assignRequested: assign(({ context }) => ({ authenticatorId: context.settings.requestedId })),
    assignOnlyChoice: assign(({ context }) => ({ authenticatorId: context.choices[0]?.id })),
    assignChosen: assign((_, { id }: { id: string }) => ({ authenticatorId: id })),
    assignUnknownAuthenticator: assign({ problem: { code: "not_enrolled", message: REASONS.unknownAuthenticator } }),
    assignNoPushAuthenticator: assign({ problem: { code: "not_enrolled", message: REASONS.noPushAuthenticator } }),
    /** A challenge that failed, or that answered without an oob_code (not a push authenticator). */
    assignPushProblem: assign((_, { answer }: { answer: PushAnswer }) => ({
      problem: answer.ok ? NO_OOB_CODE : answer.problem,
    })),
    assignPush: assign(({ context }, { answer }: { answer: PushAnswer }) => {
      if (!answer.ok) return {};
      return {
        oobCode: answer.value.oobCode,
        nextPollAt: answer.at + context.intervalMs,
        resendAvailableAt: answer.at + context.settings.resendCooldownMs,
        resendReady: false,
        lastWait: undefined,
        answerLost: false,
        retries: 0,
        problem: undefined,
      };
    }),
    assignResendDeferred: assign((_, { answer }: { answer: PushAnswer }) =>
      answer.ok ? {} : { resendAvailableAt: retryAt(answer.problem, 0, answer.at, answer.jitter), resendReady: false, problem: answer.problem },
    ),
    emitResendBackoff: emit(({ context }) => ({ ...retryBackoff(context), retryAt: context.resendAvailableAt })),
    assignResendReady: assign({ resendReady: true }),
    assignPushApproval: assign((_, { answer }: { answer: Answer<Tokens> }) => (answer.ok ? { approval: approved(answer.value, "push") } : {})),
    assignOtpApproval: assign((_, { answer }: { answer: Answer<Tokens> }) => (answer.ok ? { approval: approved(answer.value, "otp") } : {})),
    // The new recovery code is a secret of the outcome, kept beside the tokens rather than in them.
    assignRecoveryApproval: assign((_, { answer }: { answer: Answer<RecoveryTokens> }) => {
      if (!answer.ok) return {};
      const { recoveryCode, ...tokens } = answer.value;
      return { approval: approved(tokens, "recovery-code", recoveryCode) };
    }),
    assignCodeError: assign((_, { answer }: { answer: AnyAnswer }) => ({
      codeError: answer.ok ? undefined : answer.problem.code === "invalid_code" ? "That code is not valid." : answer.problem.message,
    })),
    clearCodeError: assign({ codeError: undefined }),
  },
});

/**
 * Push challenge: list authenticators → choose an active push one → challenge → poll with the
 * challenge oob_code until approved or rejected. While waiting the user may resend the push
 * (after a cooldown), or switch to a one-time code or a recovery code and back.
 */
export const challengeMachine = challengeSetup.createMachine({
  id: "challenge",
  context: ({ input }) => challengeContext(input),
  initial: "starting",
  on: { CANCEL: "#challenge.cancelled" },
  states: {
    starting: {
      always: [
        { guard: { type: "isResumingAt", params: { at: "retryingList" } }, target: "#challenge.retryingList", actions: ["assignResumed", { type: "emitResume", params: { at: "retryingList" } }] },
        { guard: { type: "isResumingAt", params: { at: "choosing" } }, target: "#challenge.choosing", actions: ["assignResumed", { type: "emitResume", params: { at: "choosing" } }] },
        // The push was requested when the flow stopped, and its answer is lost: request it again, and say so.
        { guard: { type: "isResumingAt", params: { at: "challenging" } }, target: "#challenge.challenging", actions: ["assignResumed", { type: "emitResume", params: { at: "challenging", repeats: "challenge" } }] },
        { guard: { type: "isResumingAt", params: { at: "retryingChallenge" } }, target: "#challenge.retryingChallenge", actions: ["assignResumed", { type: "emitResume", params: { at: "retryingChallenge" } }] },
        { guard: { type: "isResumingAt", params: { at: "polling" } }, target: "#challenge.challenged.polling", actions: ["assignResumed", { type: "emitResume", params: { at: "polling" } }] },
        { guard: { type: "isResumingAt", params: { at: "otpEntry" } }, target: "#challenge.challenged.otpEntry", actions: ["assignResumed", { type: "emitResume", params: { at: "otpEntry" } }] },
        { guard: { type: "isResumingAt", params: { at: "recoveryEntry" } }, target: "#challenge.challenged.recoveryEntry", actions: ["assignResumed", { type: "emitResume", params: { at: "recoveryEntry" } }] },
        // A new flow: its deadline counts from now, for every state that follows.
        { target: "#challenge.listing", actions: "assignDeadline" },
      ],
    },
    listing: {
      after: { untilDeadline: endsAtDeadline },
      invoke: {
        id: "listAuthenticators",
        src: "listAuthenticators",
        input: mfaTokenInput,
        onDone: [
          { guard: { type: "hasRequested", params: answer }, target: "#challenge.challenging", actions: [{ type: "assignChoices", params: answer }, "assignRequested"] },
          { guard: { type: "isRequestedMissing", params: answer }, target: "#challenge.not_enrolled", actions: "assignUnknownAuthenticator" },
          { guard: { type: "hasOneChoice", params: answer }, target: "#challenge.challenging", actions: [{ type: "assignChoices", params: answer }, "assignOnlyChoice"] },
          { guard: { type: "hasSeveralChoices", params: answer }, target: "#challenge.choosing", actions: { type: "assignChoices", params: answer } },
          { guard: { type: "isSuccess", params: answer }, target: "#challenge.not_enrolled", actions: "assignNoPushAuthenticator" },
          { guard: { type: "canRetry", params: answer }, target: "#challenge.retryingList", actions: [{ type: "assignRetry", params: answer }, "emitRetryBackoff"] },
          { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#challenge.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isMisconfigured", params: answer }, target: "#challenge.misconfigured", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isRateLimited", params: answer }, target: "#challenge.rate_limited", actions: { type: "assignProblem", params: answer } },
          { target: "#challenge.failed", actions: { type: "assignProblem", params: answer } },
        ],
        onError: { target: "#challenge.failed", actions: { type: "assignCrash", params: thrown } },
      },
    },
    retryingList: {
      tags: ["resumable"],
      after: { untilRetry: { target: "#challenge.listing" }, untilDeadline: endsAtDeadline },
    },
    choosing: {
      tags: ["resumable"],
      // The list just answered: nothing said wait, so the deadline means the user did not choose.
      after: { untilDeadline: { target: "#challenge.expired" } },
      on: {
        CHOOSE_AUTHENTICATOR: {
          guard: { type: "isChoice", params: ({ event }) => ({ id: event.id }) },
          target: "#challenge.challenging",
          actions: { type: "assignChosen", params: ({ event }) => ({ id: event.id }) },
        },
      },
    },
    challenging: {
      tags: ["resumable"],
      after: { untilDeadline: endsAtDeadline },
      invoke: {
        id: "requestChallenge",
        src: "requestChallenge",
        input: pushRequestInput,
        onDone: [
          { guard: { type: "isPushSent", params: answer }, target: "#challenge.challenged", actions: { type: "assignPush", params: answer } },
          { guard: { type: "canRetry", params: answer }, target: "#challenge.retryingChallenge", actions: [{ type: "assignRetry", params: answer }, "emitRetryBackoff"] },
          { guard: { type: "isNotEnrolled", params: answer }, target: "#challenge.not_enrolled", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#challenge.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isMisconfigured", params: answer }, target: "#challenge.misconfigured", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isRateLimited", params: answer }, target: "#challenge.rate_limited", actions: { type: "assignProblem", params: answer } },
          { target: "#challenge.failed", actions: { type: "assignPushProblem", params: answer } },
        ],
        onError: { target: "#challenge.failed", actions: { type: "assignCrash", params: thrown } },
      },
    },
    retryingChallenge: {
      tags: ["resumable"],
      after: { untilRetry: { target: "#challenge.challenging" }, untilDeadline: endsAtDeadline },
    },
    challenged: {
      // One deadline for the push and the code screens inside.
      after: { untilDeadline: endsAtDeadline },
      initial: "polling",
      states: {
        polling: {
          tags: ["resumable"],
          on: {
            RESEND: { guard: "canResend", target: "#challenge.challenged.resending" },
            USE_OTP: { target: "#challenge.challenged.otpEntry", actions: "clearCodeError" },
            USE_RECOVERY_CODE: { target: "#challenge.challenged.recoveryEntry", actions: "clearCodeError" },
          },
          initial: "waiting",
          states: {
            waiting: {
              after: {
                untilWake: [
                  { guard: "isResendDue", target: "#challenge.challenged.polling.waiting", reenter: true, actions: "assignResendReady" },
                  { target: "#challenge.challenged.polling.requesting" },
                ],
              },
            },
            requesting: {
              entry: "assignPollSent",
              invoke: {
                id: "verifyOob",
                src: "verifyOob",
                input: pollRequestInput,
                onDone: [
                  { guard: { type: "isSuccess", params: answer }, target: "#challenge.approved", actions: { type: "assignPushApproval", params: answer } },
                  { guard: { type: "isPending", params: answer }, target: "#challenge.challenged.polling.waiting", actions: [{ type: "assignPollAnswer", params: answer }, "emitPoll"] },
                  {
                    guard: { type: "isDelayed", params: answer },
                    target: "#challenge.challenged.polling.waiting",
                    actions: [{ type: "assignPollAnswer", params: answer }, "emitPoll", "emitPollBackoff"],
                  },
                  { guard: { type: "isRejected", params: answer }, target: "#challenge.rejected", actions: { type: "assignProblem", params: answer } },
                  { guard: { type: "isExpired", params: answer }, target: "#challenge.expired", actions: { type: "assignProblem", params: answer } },
                  { guard: { type: "isMfaRequired", params: answer }, target: "#challenge.mfa_required", actions: { type: "assignProblem", params: answer } },
                  { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#challenge.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
                  { guard: { type: "isMisconfigured", params: answer }, target: "#challenge.misconfigured", actions: { type: "assignProblem", params: answer } },
                  { guard: { type: "isAnswerLost", params: answer }, target: "#challenge.failed", actions: { type: "assignAnswerLost", params: answer } },
                  { target: "#challenge.failed", actions: { type: "assignProblem", params: answer } },
                ],
                onError: { target: "#challenge.failed", actions: { type: "assignCrash", params: thrown } },
              },
            },
          },
        },
        resending: {
          invoke: {
            id: "requestChallenge",
            src: "requestChallenge",
            input: pushRequestInput,
            onDone: [
              { guard: { type: "isPushSent", params: answer }, target: "#challenge.challenged.polling", actions: { type: "assignPush", params: answer } },
              // Too many pushes, or a failure: keep polling the push already sent, resend later.
              {
                guard: { type: "isRetryable", params: answer },
                target: "#challenge.challenged.polling",
                actions: [{ type: "assignResendDeferred", params: answer }, "emitResendBackoff"],
              },
              { guard: { type: "isNotEnrolled", params: answer }, target: "#challenge.not_enrolled", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#challenge.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMisconfigured", params: answer }, target: "#challenge.misconfigured", actions: { type: "assignProblem", params: answer } },
              { target: "#challenge.failed", actions: { type: "assignPushProblem", params: answer } },
            ],
            onError: { target: "#challenge.failed", actions: { type: "assignCrash", params: thrown } },
          },
        },
        otpEntry: {
          tags: ["resumable"],
          on: {
            SUBMIT_OTP: { guard: { type: "hasText", params: ({ event }) => ({ text: event.otp }) }, target: "#challenge.challenged.verifyingOtp" },
            USE_RECOVERY_CODE: { target: "#challenge.challenged.recoveryEntry", actions: "clearCodeError" },
            BACK_TO_PUSH: { target: "#challenge.challenged.polling" },
          },
        },
        verifyingOtp: {
          invoke: {
            id: "verifyOtp",
            src: "verifyOtp",
            input: ({ context, event }) => ({ mfaToken: context.settings.mfaToken, otp: event.type === "SUBMIT_OTP" ? event.otp.trim() : "" }),
            onDone: [
              { guard: { type: "isSuccess", params: answer }, target: "#challenge.approved", actions: { type: "assignOtpApproval", params: answer } },
              { guard: { type: "isCodeRefused", params: answer }, target: "#challenge.challenged.otpEntry", actions: { type: "assignCodeError", params: answer } },
              { guard: { type: "isLockedOut", params: answer }, target: "#challenge.locked_out", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMfaRequired", params: answer }, target: "#challenge.mfa_required", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#challenge.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMisconfigured", params: answer }, target: "#challenge.misconfigured", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isRateLimited", params: answer }, target: "#challenge.rate_limited", actions: { type: "assignProblem", params: answer } },
              { target: "#challenge.failed", actions: { type: "assignProblem", params: answer } },
            ],
            onError: { target: "#challenge.failed", actions: { type: "assignCrash", params: thrown } },
          },
        },
        recoveryEntry: {
          tags: ["resumable"],
          on: {
            SUBMIT_RECOVERY_CODE: { guard: { type: "hasText", params: ({ event }) => ({ text: event.code }) }, target: "#challenge.challenged.verifyingRecoveryCode" },
            USE_OTP: { target: "#challenge.challenged.otpEntry", actions: "clearCodeError" },
            BACK_TO_PUSH: { target: "#challenge.challenged.polling" },
          },
        },
        verifyingRecoveryCode: {
          invoke: {
            id: "verifyRecoveryCode",
            src: "verifyRecoveryCode",
            input: ({ context, event }) => ({ mfaToken: context.settings.mfaToken, recoveryCode: event.type === "SUBMIT_RECOVERY_CODE" ? event.code.trim() : "" }),
            onDone: [
              { guard: { type: "isSuccess", params: answer }, target: "#challenge.approved", actions: { type: "assignRecoveryApproval", params: answer } },
              { guard: { type: "isCodeRefused", params: answer }, target: "#challenge.challenged.recoveryEntry", actions: { type: "assignCodeError", params: answer } },
              { guard: { type: "isLockedOut", params: answer }, target: "#challenge.locked_out", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMfaRequired", params: answer }, target: "#challenge.mfa_required", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#challenge.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMisconfigured", params: answer }, target: "#challenge.misconfigured", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isRateLimited", params: answer }, target: "#challenge.rate_limited", actions: { type: "assignProblem", params: answer } },
              { target: "#challenge.failed", actions: { type: "assignProblem", params: answer } },
            ],
            onError: { target: "#challenge.failed", actions: { type: "assignCrash", params: thrown } },
          },
        },
      },
    },
    approved: {
      type: "final",
      output: ({ context }): ChallengeOutput => {
        const { tokens, method, newRecoveryCode } = approvalOf(context);
        const reason = method === "push" ? REASONS.approvedPush : method === "otp" ? REASONS.approvedOtp : REASONS.approvedRecovery;
        return newRecoveryCode === undefined ? { outcome: "approved", reason, tokens, method } : { outcome: "approved", reason, tokens, method, newRecoveryCode };
      },
    },
    rejected: { type: "final", output: { outcome: "rejected", reason: REASONS.rejected } },
    expired: {
      type: "final",
      output: ({ context }): ChallengeOutput => ({ outcome: "expired", reason: expiredReason(context) }),
    },
    not_enrolled: {
      type: "final",
      output: ({ context }): ChallengeOutput => ({ outcome: "not_enrolled", reason: reasonOf(context.problem, REASONS.noPushAuthenticator) }),
    },
    mfa_required: {
      type: "final",
      // The new mfa_token is a secret: it lives in the problem of the answer, and goes out only here.
      output: ({ context }): ChallengeOutput => ({ outcome: "mfa_required", reason: REASONS.mfaRequired, mfaToken: context.problem?.mfaToken ?? "" }),
    },
    locked_out: { type: "final", output: { outcome: "locked_out", reason: REASONS.lockedOut } },
    ...sharedFinalStates("challenge"),
  },
  output: ({ event }) => challengeOutputOf(event.output),
});
