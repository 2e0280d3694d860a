import { assign, emit, setup } from "xstate";
import { PushflowError } from "../errors.ts";
import type { Association, Tokens } from "../transport.ts";
import { declaredActors, type Answer, type AnyAnswer } from "./actors.ts";
import type { EnrollmentContext, EnrollmentEvent, EnrollmentInput, EnrollmentMachineInput, EnrollmentResumePoint } from "./enrollment.types.ts";
import type { FlowEmitted } from "./events.types.ts";
import { enrollmentOutputOf, REASONS, type EnrollmentOutput } from "./outcomes.ts";
import { DEFAULTS } from "./policy.ts";
import {
  answer,
  approvalOf,
  approved,
  deadlineFrom,
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
  resumedContext,
  retryBackoff,
  sharedFinalStates,
  thrown,
} from "./shared.ts";

type AssociateAnswer = Answer<Association>;

/** When each wait of the enrollment ends, on the flow clock. */
export const enrollmentDueTimes = {
  ...flowDueTimes,
  untilNextPoll: (context: EnrollmentContext) => context.nextPollAt,
};

/** The flow's deadline, as for the challenge: `rate_limited` when the server's last answer said wait, `expired` otherwise. */
const endsAtDeadline = [{ guard: "wasRateLimited", target: "#enrollment.rate_limited" }, { target: "#enrollment.expired" }] as const;

/** Checks an enrollment's options and fills in defaults; bad input is a PushflowError naming the option. */
export function enrollmentSettingsFrom(input: EnrollmentInput): EnrollmentContext["settings"] {
  const acknowledge = input.acknowledgeRecoveryCodes ?? "manual";
  if (acknowledge !== "manual" && acknowledge !== "auto") {
    throw new PushflowError("bad_input", `acknowledgeRecoveryCodes must be "manual" or "auto", got ${String(input.acknowledgeRecoveryCodes)}`);
  }
  return {
    ...flowSettingsFrom(input),
    enrollmentWindowMs: durationOption("enrollmentWindowMs", input.enrollmentWindowMs, DEFAULTS.enrollmentWindowMs),
    acknowledgeRecoveryCodes: acknowledge,
  };
}

/** The context a new or resumed enrollment starts with. */
export function enrollmentContext(input: EnrollmentMachineInput): EnrollmentContext {
  if (input.resume) return { ...resumedContext(input.resume.context), resumeAt: input.resume.at };
  return {
    settings: enrollmentSettingsFrom(input),
    ...flowContextFrom(input),
    barcodeUri: undefined,
    expiresAt: undefined,
    recoveryCodesPending: false,
    resumeAt: undefined,
  };
}

/** The named implementations of the enrollment: a name the machine uses that is not here is a compile error. */
export const enrollmentSetup = setup({
  types: {
    input: {} as EnrollmentMachineInput,
    context: {} as EnrollmentContext,
    events: {} as EnrollmentEvent,
    output: {} as EnrollmentOutput,
    emitted: {} as FlowEmitted,
  },
  actors: { associate: declaredActors.associate, verifyOob: declaredActors.verifyOob },
  delays: delaysFrom(enrollmentDueTimes, () => 0),
  guards: {
    ...flowGuards,
    isResumingAt: ({ context }: { context: EnrollmentContext }, { at }: { at: EnrollmentResumePoint }) => context.resumeAt === at,
    isAlreadyEnrolled: (_: unknown, { answer }: { answer: AssociateAnswer }) => failedWith(answer, "already_enrolled"),
    isNotEnrolled: (_: unknown, { answer }: { answer: AssociateAnswer }) => failedWith(answer, "not_enrolled"),
    /** The device confirmed a first enrollment whose recovery codes the user must still acknowledge. */
    isConfirmedWithCodesPending: ({ context }: { context: EnrollmentContext }, { answer }: { answer: Answer<Tokens> }) =>
      answer.ok && context.recoveryCodesPending && context.settings.acknowledgeRecoveryCodes === "manual",
  },
  actions: {
    assignProblem: assign((_, { answer }: { answer: AnyAnswer }) => flowUpdates.problem(answer)),
    assignCrash: assign((_, { error }: { error: unknown }) => flowUpdates.crash(error)),
    assignAnswerLost: assign((_, { answer }: { answer: AnyAnswer }) => flowUpdates.answerLost(answer, REASONS.enrollmentAnswerLost)),
    assignRetry: assign(({ context }, { answer }: { answer: Answer<unknown> }) => flowUpdates.retry(context, answer)),
    emitRetryBackoff: emit(({ context }) => retryBackoff(context)),
    // The runtime replaces it with one that reads its clock (runtime.ts).
    assignPollSent: assign(({ context }) => flowUpdates.pollSent(context, context.nextPollAt)),
    assignPollAnswer: assign(({ context }, { answer }: { answer: Answer<unknown> }) => flowUpdates.pollAnswer(context, answer)),
    emitPoll: emit(({ context }) => pollEmitted(context)),
    emitPollBackoff: emit(({ context }) => pollBackoffEmitted(context)),
    assignResumed: assign({ resumeAt: undefined }),
    emitResume: emit((_, resume: { at: EnrollmentResumePoint; repeats?: "associate" }): FlowEmitted => ({ type: "resume", ...resume })),
    // The runtime replaces it with one that reads its clock (runtime.ts).
    assignDeadline: assign(({ context }) => flowUpdates.started(context, 0, context.settings.enrollmentWindowMs)),
    assignAssociation: assign(({ context }, { answer }: { answer: AssociateAnswer }) => {
      if (!answer.ok) return {};
      return {
        oobCode: answer.value.oobCode,
        barcodeUri: answer.value.barcodeUri,
        // What Auth0 gives the QR, from the association; the flow itself still ends at its own deadline.
        expiresAt: deadlineFrom(context, answer.at, context.settings.enrollmentWindowMs),
        nextPollAt: answer.at + context.intervalMs,
        lastWait: undefined,
        answerLost: false,
        recoveryCodesPending: (answer.value.recoveryCodes?.length ?? 0) > 0,
        retries: 0,
        problem: undefined,
      };
    }),
    emitQr: emit(({ context }): FlowEmitted => ({ type: "qr", barcodeUri: context.barcodeUri ?? "", expiresAt: context.expiresAt ?? 0 })),
    // Recovery codes are never kept in the context: they go out once, here.
    emitRecoveryCodes: emit((_, { answer }: { answer: AssociateAnswer }): FlowEmitted => ({
      type: "recovery-codes",
      codes: answer.ok ? (answer.value.recoveryCodes ?? []) : [],
    })),
    assignTokens: assign((_, { answer }: { answer: Answer<Tokens> }) => (answer.ok ? { approval: approved(answer.value, "push") } : {})),
    assignCodesAcknowledged: assign({ recoveryCodesPending: false }),
  },
});

/**
 * Push enrollment: associate → show the QR (and, on a first enrollment, the recovery codes) →
 * poll with the associate oob_code until the Guardian app confirms → `enrolled`, once the
 * recovery codes, if any, are acknowledged.
 */
export const enrollmentMachine = enrollmentSetup.createMachine({
  id: "enrollment",
  context: ({ input }) => enrollmentContext(input),
  initial: "starting",
  on: { CANCEL: "#enrollment.cancelled" },
  states: {
    starting: {
      always: [
        // The enrollment was requested when the flow stopped, and its answer is lost: request it again, and say so.
        {
          guard: { type: "isResumingAt", params: { at: "associating" } },
          target: "#enrollment.associating",
          actions: ["assignResumed", { type: "emitResume", params: { at: "associating", repeats: "associate" } }],
        },
        {
          guard: { type: "isResumingAt", params: { at: "retryingAssociate" } },
          target: "#enrollment.retryingAssociate",
          actions: ["assignResumed", { type: "emitResume", params: { at: "retryingAssociate" } }],
        },
        {
          guard: { type: "isResumingAt", params: { at: "awaitingDevice" } },
          target: "#enrollment.awaitingDevice",
          actions: ["assignResumed", { type: "emitResume", params: { at: "awaitingDevice" } }],
        },
        // A new flow: its deadline counts from now, for every state that follows.
        { target: "#enrollment.associating", actions: "assignDeadline" },
      ],
    },
    associating: {
      tags: ["resumable"],
      after: { untilDeadline: endsAtDeadline },
      invoke: {
        id: "associate",
        src: "associate",
        input: mfaTokenInput,
        onDone: [
          {
            guard: { type: "isSuccess", params: answer },
            target: "#enrollment.awaitingDevice",
            actions: [{ type: "assignAssociation", params: answer }, "emitQr", { type: "emitRecoveryCodes", params: answer }],
          },
          { guard: { type: "canRetry", params: answer }, target: "#enrollment.retryingAssociate", actions: [{ type: "assignRetry", params: answer }, "emitRetryBackoff"] },
          { guard: { type: "isAlreadyEnrolled", params: answer }, target: "#enrollment.already_enrolled", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#enrollment.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isMisconfigured", params: answer }, target: "#enrollment.misconfigured", actions: { type: "assignProblem", params: answer } },
          // Push is not enabled on the tenant: a configuration matter, not the user's.
          { guard: { type: "isNotEnrolled", params: answer }, target: "#enrollment.misconfigured", actions: { type: "assignProblem", params: answer } },
          { guard: { type: "isRateLimited", params: answer }, target: "#enrollment.rate_limited", actions: { type: "assignProblem", params: answer } },
          { target: "#enrollment.failed", actions: { type: "assignProblem", params: answer } },
        ],
        onError: { target: "#enrollment.failed", actions: { type: "assignCrash", params: thrown } },
      },
    },
    retryingAssociate: {
      tags: ["resumable"],
      after: { untilRetry: { target: "#enrollment.associating" }, untilDeadline: endsAtDeadline },
    },
    awaitingDevice: {
      tags: ["resumable"],
      after: { untilDeadline: endsAtDeadline },
      on: { ACK_RECOVERY_CODES: { actions: "assignCodesAcknowledged" } },
      initial: "waiting",
      states: {
        waiting: {
          after: { untilNextPoll: { target: "#enrollment.awaitingDevice.requesting" } },
        },
        requesting: {
          entry: "assignPollSent",
          invoke: {
            id: "verifyOob",
            src: "verifyOob",
            input: pollRequestInput,
            onDone: [
              {
                guard: { type: "isConfirmedWithCodesPending", params: answer },
                target: "#enrollment.awaitingAcknowledgement",
                actions: { type: "assignTokens", params: answer },
              },
              { guard: { type: "isSuccess", params: answer }, target: "#enrollment.enrolled", actions: { type: "assignTokens", params: answer } },
              {
                guard: { type: "isPending", params: answer },
                target: "#enrollment.awaitingDevice.waiting",
                actions: [{ type: "assignPollAnswer", params: answer }, "emitPoll"],
              },
              {
                guard: { type: "isDelayed", params: answer },
                target: "#enrollment.awaitingDevice.waiting",
                actions: [{ type: "assignPollAnswer", params: answer }, "emitPoll", "emitPollBackoff"],
              },
              { guard: { type: "isExpired", params: answer }, target: "#enrollment.expired", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMfaTokenInvalid", params: answer }, target: "#enrollment.mfa_token_invalid", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isMisconfigured", params: answer }, target: "#enrollment.misconfigured", actions: { type: "assignProblem", params: answer } },
              { guard: { type: "isAnswerLost", params: answer }, target: "#enrollment.failed", actions: { type: "assignAnswerLost", params: answer } },
              { target: "#enrollment.failed", actions: { type: "assignProblem", params: answer } },
            ],
            onError: { target: "#enrollment.failed", actions: { type: "assignCrash", params: thrown } },
          },
        },
      },
    },
    awaitingAcknowledgement: {
      // The tokens are in hand: no record may hold them, and the codes could not be shown again anyway.
      tags: ["holdsTokens"],
      // The user is enrolled whatever comes now: a cancel or the flow's deadline ends it `enrolled`, saying the codes were not acknowledged.
      after: { untilDeadline: { target: "#enrollment.enrolled" } },
      on: {
        ACK_RECOVERY_CODES: { target: "#enrollment.enrolled", actions: "assignCodesAcknowledged" },
        CANCEL: { target: "#enrollment.enrolled" },
      },
    },
    enrolled: {
      type: "final",
      output: ({ context }): EnrollmentOutput => ({
        outcome: "enrolled",
        reason: context.recoveryCodesPending && context.settings.acknowledgeRecoveryCodes === "manual" ? REASONS.enrolledUnacknowledged : REASONS.enrolled,
        tokens: approvalOf(context).tokens,
      }),
    },
    expired: {
      type: "final",
      output: ({ context }): EnrollmentOutput => ({ outcome: "expired", reason: context.oobCode === undefined ? REASONS.associationExpired : REASONS.enrollmentExpired }),
    },
    already_enrolled: { type: "final", output: { outcome: "already_enrolled", reason: REASONS.alreadyEnrolled } },
    ...sharedFinalStates("enrollment"),
  },
  output: ({ event }) => enrollmentOutputOf(event.output),
});
