import { assign, emit, enqueueActions, setup } from "xstate";
import type { ErrorCode, Problem } from "../errors.ts";
import type { Authenticator, ChallengeAnswer, RecoveryTokens, Result, Tokens } from "../transport.ts";
import { declaredActors, type Stamped } from "./actors.ts";
import type { ChallengeContext, ChallengeEvent, ChallengeInput, PushAuthenticator } from "./challenge.types.ts";
import type { FlowEmitted } from "./events.types.ts";
import { REASONS, type ApprovalMethod, type ChallengeOutput } from "./outcomes.ts";
import { DEFAULTS, isRetryable, retryAt } from "./policy.ts";
import { pollMachine } from "./poll.machine.ts";
import type { PollAnsweredEvent, PollOutput, PollReport, PollSentEvent } from "./poll.types.ts";
import {
  afterPollAnswered,
  afterPollSent,
  afterRetryableFailure,
  canRetry,
  deadlineFrom,
  initialFlowContext,
  pollBackoffEmitted,
  pollEmitted,
  pollInput,
  crashProblem,
  reasonOf,
  retryBackoffEmitted,
  sharedFinalStates,
} from "./shared.ts";

type ListAnswer = Stamped<Result<readonly Authenticator[]>>;
type ChallengeAnswerStamped = Stamped<Result<ChallengeAnswer>>;
type CodeAnswer = Stamped<Result<Tokens | RecoveryTokens>>;
/** Any answer or poll result: all the guards below need is whether it failed, and how. */
type AnyAnswer = { readonly ok: true } | { readonly ok: false; readonly problem: Problem };

type Outcomes = "not_enrolled" | "mfa_token_invalid" | "misconfigured" | "rate_limited" | "rejected" | "expired" | "mfa_required";
const TARGET: Record<string, Outcomes> = {
  not_enrolled: "not_enrolled",
  invalid_authenticator: "not_enrolled",
  mfa_token_invalid: "mfa_token_invalid",
  misconfigured: "misconfigured",
  rate_limited: "rate_limited",
  rejected: "rejected",
  expired: "expired",
  mfa_required: "mfa_required",
};

const failedWith = (answer: AnyAnswer, codes: readonly ErrorCode[]): boolean => !answer.ok && codes.includes(answer.problem.code);

/** Only active push (oob + auth0) authenticators can be challenged with a push. */
export function pushChoices(authenticators: readonly Authenticator[]): PushAuthenticator[] {
  return authenticators
    .filter((a) => a.active && a.authenticatorType === "oob" && a.oobChannel === "auth0")
    .map((a) => (a.name === undefined ? { id: a.id } : { id: a.id, name: a.name }));
}

const listed = (answer: ListAnswer): PushAuthenticator[] => (answer.ok ? pushChoices(answer.value) : []);

/**
 * Push challenge: list authenticators → choose an active push one → challenge → poll with the
 * challenge oob_code until approved or rejected. While waiting the user may resend the push
 * (after a cooldown), or switch to a one-time code or a recovery code and back.
 */
export const challengeMachine = setup({
  types: {
    input: {} as ChallengeInput,
    context: {} as ChallengeContext,
    events: {} as ChallengeEvent | PollReport,
    output: {} as ChallengeOutput,
    emitted: {} as FlowEmitted,
  },
  actors: {
    listAuthenticators: declaredActors.listAuthenticators,
    requestChallenge: declaredActors.requestChallenge,
    verifyOtp: declaredActors.verifyOtp,
    verifyRecoveryCode: declaredActors.verifyRecoveryCode,
    timer: declaredActors.timer,
    poll: pollMachine,
  },
  guards: {
    foundRequested: ({ context }, { answer }: { answer: ListAnswer }) =>
      context.requestedId !== undefined && listed(answer).some((c) => c.id === context.requestedId),
    missingRequested: ({ context }, { answer }: { answer: ListAnswer }) => answer.ok && context.requestedId !== undefined,
    foundOne: (_, { answer }: { answer: ListAnswer }) => listed(answer).length === 1,
    foundSeveral: (_, { answer }: { answer: ListAnswer }) => listed(answer).length > 1,
    succeeded: (_, { answer }: { answer: AnyAnswer }) => answer.ok,
    failedWith: (_, { answer, codes }: { answer: AnyAnswer; codes: readonly ErrorCode[] }) => failedWith(answer, codes),
    canRetry: ({ context }, { answer }: { answer: AnyAnswer }) => !answer.ok && canRetry(context, answer.problem),
    isRetryable: (_, { answer }: { answer: AnyAnswer }) => !answer.ok && isRetryable(answer.problem),
    pushSent: (_, { answer }: { answer: ChallengeAnswerStamped }) => answer.ok && answer.value.oobCode !== undefined,
    isChoice: ({ context }, { id }: { id: string }) => context.choices.some((c) => c.id === id),
    resendReady: ({ context }) => context.resendReady,
    hasText: (_, { text }: { text: string }) => text.trim() !== "",
    wasRateLimited: ({ context }) => context.lastWait === "rate_limited",
  },
  actions: {
    keepChoices: assign((_, { answer }: { answer: ListAnswer }) => ({ choices: listed(answer), retries: 0 })),
    chooseRequested: assign(({ context }) => ({ authenticatorId: context.requestedId })),
    chooseOnly: assign(({ context }) => ({ authenticatorId: context.choices[0]?.id })),
    choose: assign((_, { id }: { id: string }) => ({ authenticatorId: id })),
    keepNotEnrolled: assign((_, { message }: { message: string }) => ({ problem: { code: "not_enrolled", message } as Problem })),
    keepRetry: assign(({ context }, { answer }: { answer: Stamped<AnyAnswer> }) =>
      answer.ok ? {} : afterRetryableFailure(context, answer),
    ),
    emitRetryBackoff: emit(({ context }) => retryBackoffEmitted(context)),
    keepCrash: assign((_, { error }: { error: unknown }) => ({ problem: crashProblem(error) })),
    keepProblem: assign((_, { answer }: { answer: AnyAnswer }) => (answer.ok ? {} : { problem: answer.problem })),
    keepChallengeFailure: assign((_, { answer }: { answer: ChallengeAnswerStamped }) => ({
      problem: answer.ok
        ? ({ code: "invalid_response", message: "the challenge answer has no oob_code: is this a push authenticator?" } as const)
        : answer.problem,
    })),
    keepChallenge: assign(({ context }, { answer }: { answer: ChallengeAnswerStamped }) => {
      if (!answer.ok) return {};
      return {
        oobCode: answer.value.oobCode,
        // The deadline counts from the first push; a resend does not extend it.
        deadlineAt: context.deadlineAt ?? deadlineFrom(context, answer.at, context.timeoutMs),
        nextPollAt: answer.at + context.intervalMs,
        resendAvailableAt: answer.at + context.resendCooldownMs,
        resendReady: false,
        lastWait: undefined,
        retries: 0,
        problem: undefined,
      };
    }),
    deferResend: assign((_, { answer }: { answer: ChallengeAnswerStamped }) =>
      answer.ok ? {} : { resendAvailableAt: retryAt(answer.problem, 0, answer.at, answer.jitter), resendReady: false, problem: answer.problem },
    ),
    emitResendBackoff: emit(({ context }) => ({ ...retryBackoffEmitted(context), retryAt: context.resendAvailableAt })),
    markResendReady: assign({ resendReady: true }),
    keepPushApproval: assign((_, { result }: { result: PollOutput }) => (result.ok ? { tokens: result.tokens, method: "push" as const } : {})),
    keepCodeApproval: assign((_, { answer, method }: { answer: CodeAnswer; method: ApprovalMethod }) =>
      answer.ok
        ? { tokens: answer.value, method, newRecoveryCode: "recoveryCode" in answer.value ? answer.value.recoveryCode : undefined }
        : {},
    ),
    keepNewMfaToken: assign((_, { answer }: { answer: AnyAnswer }) =>
      answer.ok ? {} : { problem: answer.problem, newMfaToken: answer.problem.mfaToken },
    ),
    keepCodeError: assign((_, { answer }: { answer: AnyAnswer }) => ({
      codeError: answer.ok ? undefined : answer.problem.code === "invalid_code" ? "That code is not valid." : answer.problem.message,
    })),
    clearCodeError: assign({ codeError: undefined }),
    recordPollSent: assign(({ context }, { report }: { report: PollSentEvent }) => afterPollSent(context, report)),
    recordPollAnswer: assign((_, { report }: { report: PollAnsweredEvent }) => afterPollAnswered(report)),
    emitPollAnswer: enqueueActions(({ enqueue }, { report }: { report: PollAnsweredEvent }) => {
      enqueue.emit(pollEmitted(report));
      if (report.code !== "authorization_pending") enqueue.emit(pollBackoffEmitted(report));
    }),
  },
}).createMachine({
  id: "challenge",
  context: ({ input }) => ({
    ...initialFlowContext(input),
    requestedId: input.authenticatorId,
    timeoutMs: input.timeoutMs ?? DEFAULTS.challengeTimeoutMs,
    resendCooldownMs: input.resendCooldownMs ?? DEFAULTS.resendCooldownMs,
    choices: [],
    authenticatorId: undefined,
    resendAvailableAt: 0,
    resendReady: false,
    codeError: undefined,
    method: undefined,
    newRecoveryCode: undefined,
    newMfaToken: undefined,
  }),
  initial: "listing",
  on: { CANCEL: ".cancelled" },
  states: {
    listing: {
      invoke: {
        id: "listAuthenticators",
        src: "listAuthenticators",
        input: ({ context }) => ({ mfaToken: context.mfaToken }),
        onDone: [
          {
            guard: { type: "foundRequested", params: ({ event }) => ({ answer: event.output }) },
            target: "challenging",
            actions: [{ type: "keepChoices", params: ({ event }) => ({ answer: event.output }) }, "chooseRequested"],
          },
          {
            guard: { type: "missingRequested", params: ({ event }) => ({ answer: event.output }) },
            target: "not_enrolled",
            actions: { type: "keepNotEnrolled", params: { message: REASONS.unknownAuthenticator } },
          },
          {
            guard: { type: "foundOne", params: ({ event }) => ({ answer: event.output }) },
            target: "challenging",
            actions: [{ type: "keepChoices", params: ({ event }) => ({ answer: event.output }) }, "chooseOnly"],
          },
          {
            guard: { type: "foundSeveral", params: ({ event }) => ({ answer: event.output }) },
            target: "choosing",
            actions: { type: "keepChoices", params: ({ event }) => ({ answer: event.output }) },
          },
          {
            guard: { type: "succeeded", params: ({ event }) => ({ answer: event.output }) },
            target: "not_enrolled",
            actions: { type: "keepNotEnrolled", params: { message: REASONS.noPushAuthenticator } },
          },
          {
            guard: { type: "canRetry", params: ({ event }) => ({ answer: event.output }) },
            target: "retryingList",
            actions: [{ type: "keepRetry", params: ({ event }) => ({ answer: event.output }) }, "emitRetryBackoff"],
          },
          ...failures(["mfa_token_invalid", "misconfigured", "rate_limited"]),
        ],
        onError: { target: "failed", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
      },
    },
    retryingList: {
      invoke: { id: "retryTimer", src: "timer", input: ({ context }) => ({ until: context.retryAt }), onDone: "listing" },
    },
    choosing: {
      on: {
        CHOOSE_AUTHENTICATOR: {
          guard: { type: "isChoice", params: ({ event }) => ({ id: event.id }) },
          target: "challenging",
          actions: { type: "choose", params: ({ event }) => ({ id: event.id }) },
        },
      },
    },
    challenging: {
      invoke: {
        id: "requestChallenge",
        src: "requestChallenge",
        input: ({ context }) => ({ mfaToken: context.mfaToken, authenticatorId: context.authenticatorId ?? "" }),
        onDone: [
          {
            guard: { type: "pushSent", params: ({ event }) => ({ answer: event.output }) },
            target: "challenged",
            actions: { type: "keepChallenge", params: ({ event }) => ({ answer: event.output }) },
          },
          {
            guard: { type: "canRetry", params: ({ event }) => ({ answer: event.output }) },
            target: "retryingChallenge",
            actions: [{ type: "keepRetry", params: ({ event }) => ({ answer: event.output }) }, "emitRetryBackoff"],
          },
          ...failures(["not_enrolled", "invalid_authenticator", "mfa_token_invalid", "misconfigured", "rate_limited"], true),
        ],
        onError: { target: "failed", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
      },
    },
    retryingChallenge: {
      invoke: { id: "retryTimer", src: "timer", input: ({ context }) => ({ until: context.retryAt }), onDone: "challenging" },
    },
    challenged: {
      invoke: {
        id: "deadline",
        src: "timer",
        input: ({ context }) => ({ until: context.deadlineAt ?? 0 }),
        onDone: [{ guard: "wasRateLimited", target: "rate_limited" }, { target: "expired" }],
      },
      initial: "polling",
      states: {
        polling: {
          tags: ["resumable"],
          invoke: [
            {
              id: "poll",
              src: "poll",
              input: ({ context }) => pollInput(context),
              onDone: [
                {
                  guard: { type: "succeeded", params: ({ event }) => ({ answer: event.output }) },
                  target: "#challenge.approved",
                  actions: { type: "keepPushApproval", params: ({ event }) => ({ result: event.output }) },
                },
                ...failures(["rejected", "expired", "mfa_required", "mfa_token_invalid", "misconfigured"]),
              ],
            },
            {
              id: "resendCooldown",
              src: "timer",
              input: ({ context }) => ({ until: context.resendAvailableAt }),
              onDone: { actions: "markResendReady" },
            },
          ],
          on: {
            RESEND: { guard: "resendReady", target: "resending" },
            USE_OTP: { target: "otpEntry", actions: "clearCodeError" },
            USE_RECOVERY_CODE: { target: "recoveryEntry", actions: "clearCodeError" },
            "POLL.SENT": { actions: { type: "recordPollSent", params: ({ event }) => ({ report: event }) } },
            "POLL.ANSWERED": {
              actions: [
                { type: "recordPollAnswer", params: ({ event }) => ({ report: event }) },
                { type: "emitPollAnswer", params: ({ event }) => ({ report: event }) },
              ],
            },
          },
        },
        resending: {
          invoke: {
            id: "requestChallenge",
            src: "requestChallenge",
            input: ({ context }) => ({ mfaToken: context.mfaToken, authenticatorId: context.authenticatorId ?? "" }),
            onDone: [
              {
                guard: { type: "pushSent", params: ({ event }) => ({ answer: event.output }) },
                target: "polling",
                actions: { type: "keepChallenge", params: ({ event }) => ({ answer: event.output }) },
              },
              {
                // Too many pushes, or a failure: keep polling the push already sent, resend later.
                guard: { type: "isRetryable", params: ({ event }) => ({ answer: event.output }) },
                target: "polling",
                actions: [{ type: "deferResend", params: ({ event }) => ({ answer: event.output }) }, "emitResendBackoff"],
              },
              ...failures(["not_enrolled", "invalid_authenticator", "mfa_token_invalid", "misconfigured"], true),
            ],
            onError: { target: "#challenge.failed", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
          },
        },
        otpEntry: {
          tags: ["resumable"],
          on: {
            SUBMIT_OTP: { guard: { type: "hasText", params: ({ event }) => ({ text: event.otp }) }, target: "verifyingOtp" },
            USE_RECOVERY_CODE: { target: "recoveryEntry", actions: "clearCodeError" },
            BACK_TO_PUSH: { target: "polling" },
          },
        },
        verifyingOtp: {
          invoke: {
            id: "verifyOtp",
            src: "verifyOtp",
            input: ({ context, event }) => ({ mfaToken: context.mfaToken, otp: event.type === "SUBMIT_OTP" ? event.otp.trim() : "" }),
            onDone: [
              {
                guard: { type: "succeeded", params: ({ event }) => ({ answer: event.output }) },
                target: "#challenge.approved",
                actions: { type: "keepCodeApproval", params: ({ event }) => ({ answer: event.output, method: "otp" as const }) },
              },
              ...codeFailures("otpEntry"),
            ],
            onError: { target: "#challenge.failed", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
          },
        },
        recoveryEntry: {
          tags: ["resumable"],
          on: {
            SUBMIT_RECOVERY_CODE: {
              guard: { type: "hasText", params: ({ event }) => ({ text: event.code }) },
              target: "verifyingRecoveryCode",
            },
            USE_OTP: { target: "otpEntry", actions: "clearCodeError" },
            BACK_TO_PUSH: { target: "polling" },
          },
        },
        verifyingRecoveryCode: {
          invoke: {
            id: "verifyRecoveryCode",
            src: "verifyRecoveryCode",
            input: ({ context, event }) => ({
              mfaToken: context.mfaToken,
              recoveryCode: event.type === "SUBMIT_RECOVERY_CODE" ? event.code.trim() : "",
            }),
            onDone: [
              {
                guard: { type: "succeeded", params: ({ event }) => ({ answer: event.output }) },
                target: "#challenge.approved",
                actions: {
                  type: "keepCodeApproval",
                  params: ({ event }) => ({ answer: event.output, method: "recovery-code" as const }),
                },
              },
              ...codeFailures("recoveryEntry"),
            ],
            onError: { target: "#challenge.failed", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
          },
        },
      },
    },
    approved: {
      type: "final",
      output: ({ context }): ChallengeOutput => {
        const method = context.method ?? "push";
        const reason = method === "push" ? REASONS.approvedPush : method === "otp" ? REASONS.approvedOtp : REASONS.approvedRecovery;
        const base = { outcome: "approved" as const, reason, tokens: context.tokens!, method };
        return context.newRecoveryCode === undefined ? base : { ...base, newRecoveryCode: context.newRecoveryCode };
      },
    },
    rejected: { type: "final", output: { outcome: "rejected", reason: REASONS.rejected } },
    expired: { type: "final", output: { outcome: "expired", reason: REASONS.challengeExpired } },
    not_enrolled: {
      type: "final",
      output: ({ context }) => ({ outcome: "not_enrolled", reason: reasonOf(context.problem, REASONS.noPushAuthenticator) }),
    },
    mfa_required: {
      type: "final",
      output: ({ context }) => ({ outcome: "mfa_required", reason: REASONS.mfaRequired, mfaToken: context.newMfaToken ?? "" }),
    },
    locked_out: { type: "final", output: { outcome: "locked_out", reason: REASONS.lockedOut } },
    ...sharedFinalStates("challenge"),
  },
  output: ({ event }) => event.output as ChallengeOutput,
});

/**
 * Where a decisive failure leads: one transition per listed code, then `failed` for the rest.
 * `keepChallengeFailure` also covers a challenge answer without an oob_code. The transitions are
 * built in a loop, which XState's config types cannot follow: they are typed loosely here and
 * checked by the model-based tests, which take every one of them.
 */
function failures(codes: readonly (keyof typeof TARGET)[], challengeAnswer = false) {
  const keep = challengeAnswer ? "keepChallengeFailure" : "keepProblem";
  const routes = codes.map((code) => ({
    guard: { type: "failedWith", params: ({ event }: { event: { output: AnyAnswer } }) => ({ answer: event.output, codes: [code as ErrorCode] }) },
    target: `#challenge.${TARGET[code]}`,
    actions: [
      { type: code === "mfa_required" ? "keepNewMfaToken" : keep, params: ({ event }: { event: { output: AnyAnswer } }) => ({ answer: event.output }) },
    ],
  }));
  return [...routes, { target: "#challenge.failed", actions: [{ type: keep, params: ({ event }: { event: { output: AnyAnswer } }) => ({ answer: event.output }) }] }] as never[];
}

/** Where a refused or failed code leads: back to the code screen, or an outcome. */
function codeFailures(entry: "otpEntry" | "recoveryEntry") {
  const params = ({ event }: { event: { output: AnyAnswer } }) => ({ answer: event.output });
  return [
    {
      guard: { type: "failedWith", params: ({ event }: { event: { output: AnyAnswer } }) => ({ answer: event.output, codes: ["invalid_code", "server_error", "network", "timeout"] as ErrorCode[] }) },
      target: entry,
      actions: [{ type: "keepCodeError", params }],
    },
    {
      guard: { type: "failedWith", params: ({ event }: { event: { output: AnyAnswer } }) => ({ answer: event.output, codes: ["too_many_attempts"] as ErrorCode[] }) },
      target: "#challenge.locked_out",
      actions: [{ type: "keepProblem", params }],
    },
    ...failures(["mfa_required", "mfa_token_invalid", "misconfigured", "rate_limited"]),
  ] as never[];
}
