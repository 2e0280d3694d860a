import { assign, emit, enqueueActions, setup } from "xstate";
import type { ErrorCode } from "../errors.ts";
import type { Association, Result } from "../transport.ts";
import { declaredActors, type Stamped } from "./actors.ts";
import type { EnrollmentContext, EnrollmentEvent, EnrollmentInput } from "./enrollment.types.ts";
import type { FlowEmitted } from "./events.types.ts";
import { REASONS, type EnrollmentOutput } from "./outcomes.ts";
import { DEFAULTS } from "./policy.ts";
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

type AssociateAnswer = Stamped<Result<Association>>;
type Failure = { readonly ok: false; readonly problem: { readonly code: ErrorCode } };

const failedWith = (answer: { readonly ok: boolean }, codes: readonly ErrorCode[]): boolean =>
  !answer.ok && codes.includes((answer as Failure).problem.code);

/**
 * Push enrollment: associate → show the QR (and, on a first enrollment, the recovery codes) →
 * poll with the associate oob_code until the Guardian app confirms → `enrolled`, once the
 * recovery codes, if any, are acknowledged.
 */
export const enrollmentMachine = setup({
  types: {
    input: {} as EnrollmentInput,
    context: {} as EnrollmentContext,
    events: {} as EnrollmentEvent | PollReport,
    output: {} as EnrollmentOutput,
    emitted: {} as FlowEmitted,
  },
  actors: { associate: declaredActors.associate, timer: declaredActors.timer, poll: pollMachine },
  guards: {
    associated: (_, { answer }: { answer: AssociateAnswer }) => answer.ok,
    associateFailedWith: (_, { answer, codes }: { answer: AssociateAnswer; codes: readonly ErrorCode[] }) =>
      failedWith(answer, codes),
    canRetryAssociate: ({ context }, { answer }: { answer: AssociateAnswer }) => !answer.ok && canRetry(context, answer.problem),
    confirmedWithCodesPending: ({ context }, { result }: { result: PollOutput }) => result.ok && context.recoveryCodesPending,
    confirmed: (_, { result }: { result: PollOutput }) => result.ok,
    pollFailedWith: (_, { result, codes }: { result: PollOutput; codes: readonly ErrorCode[] }) => failedWith(result, codes),
    wasRateLimited: ({ context }) => context.lastWait === "rate_limited",
  },
  actions: {
    keepAssociation: assign(({ context }, { answer }: { answer: AssociateAnswer }) => {
      if (!answer.ok) return {};
      const expiresAt = deadlineFrom(context, answer.at, context.enrollmentWindowMs);
      return {
        oobCode: answer.value.oobCode,
        barcodeUri: answer.value.barcodeUri,
        expiresAt,
        deadlineAt: expiresAt,
        nextPollAt: answer.at + context.intervalMs,
        recoveryCodesPending: (answer.value.recoveryCodes?.length ?? 0) > 0,
        retries: 0,
        problem: undefined,
      };
    }),
    emitQr: emit(({ context }) => ({ type: "qr", barcodeUri: context.barcodeUri ?? "", expiresAt: context.expiresAt ?? 0 }) as const),
    emitRecoveryCodes: emit((_, { answer }: { answer: AssociateAnswer }) => ({
      type: "recovery-codes" as const,
      codes: answer.ok ? (answer.value.recoveryCodes ?? []) : [],
    })),
    keepRetry: assign(({ context }, { answer }: { answer: AssociateAnswer }) =>
      answer.ok ? {} : afterRetryableFailure(context, answer),
    ),
    emitRetryBackoff: emit(({ context }) => retryBackoffEmitted(context)),
    keepCrash: assign((_, { error }: { error: unknown }) => ({ problem: crashProblem(error) })),
    keepProblem: assign((_, { answer }: { answer: { readonly ok: boolean } }) =>
      answer.ok ? {} : { problem: (answer as unknown as { problem: EnrollmentContext["problem"] }).problem },
    ),
    keepTokens: assign((_, { result }: { result: PollOutput }) => (result.ok ? { tokens: result.tokens } : {})),
    acknowledgeCodes: assign({ recoveryCodesPending: false }),
    recordPollSent: assign(({ context }, { report }: { report: PollSentEvent }) => afterPollSent(context, report)),
    recordPollAnswer: assign((_, { report }: { report: PollAnsweredEvent }) => afterPollAnswered(report)),
    emitPollAnswer: enqueueActions(({ enqueue }, { report }: { report: PollAnsweredEvent }) => {
      enqueue.emit(pollEmitted(report));
      if (report.code !== "authorization_pending") enqueue.emit(pollBackoffEmitted(report));
    }),
  },
}).createMachine({
  id: "enrollment",
  context: ({ input }) => ({
    ...initialFlowContext(input),
    enrollmentWindowMs: input.enrollmentWindowMs ?? DEFAULTS.enrollmentWindowMs,
    barcodeUri: undefined,
    expiresAt: undefined,
    recoveryCodesPending: false,
  }),
  initial: "associating",
  on: { CANCEL: ".cancelled" },
  states: {
    associating: {
      invoke: {
        id: "associate",
        src: "associate",
        input: ({ context }) => ({ mfaToken: context.mfaToken }),
        onDone: [
          {
            guard: { type: "associated", params: ({ event }) => ({ answer: event.output }) },
            target: "awaitingDevice",
            actions: [
              { type: "keepAssociation", params: ({ event }) => ({ answer: event.output }) },
              "emitQr",
              { type: "emitRecoveryCodes", params: ({ event }) => ({ answer: event.output }) },
            ],
          },
          {
            guard: { type: "canRetryAssociate", params: ({ event }) => ({ answer: event.output }) },
            target: "retryingAssociate",
            actions: [{ type: "keepRetry", params: ({ event }) => ({ answer: event.output }) }, "emitRetryBackoff"],
          },
          ...associateFailures(),
        ],
        onError: { target: "failed", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
      },
    },
    retryingAssociate: {
      invoke: { id: "retryTimer", src: "timer", input: ({ context }) => ({ until: context.retryAt }), onDone: "associating" },
    },
    awaitingDevice: {
      tags: ["resumable"],
      invoke: [
        {
          id: "poll",
          src: "poll",
          input: ({ context }) => pollInput(context),
          onDone: [
            {
              guard: { type: "confirmedWithCodesPending", params: ({ event }) => ({ result: event.output }) },
              target: "awaitingAcknowledgement",
              actions: { type: "keepTokens", params: ({ event }) => ({ result: event.output }) },
            },
            {
              guard: { type: "confirmed", params: ({ event }) => ({ result: event.output }) },
              target: "enrolled",
              actions: { type: "keepTokens", params: ({ event }) => ({ result: event.output }) },
            },
            ...pollFailures(),
          ],
        },
        {
          id: "deadline",
          src: "timer",
          input: ({ context }) => ({ until: context.deadlineAt ?? 0 }),
          onDone: [{ guard: "wasRateLimited", target: "rate_limited" }, { target: "expired" }],
        },
      ],
      on: {
        ACK_RECOVERY_CODES: { actions: "acknowledgeCodes" },
        "POLL.SENT": { actions: { type: "recordPollSent", params: ({ event }) => ({ report: event }) } },
        "POLL.ANSWERED": {
          actions: [
            { type: "recordPollAnswer", params: ({ event }) => ({ report: event }) },
            { type: "emitPollAnswer", params: ({ event }) => ({ report: event }) },
          ],
        },
      },
    },
    awaitingAcknowledgement: {
      // The tokens are in hand: no record may hold them, and the codes could not be shown again anyway.
      tags: ["holdsTokens"],
      on: { ACK_RECOVERY_CODES: { target: "enrolled", actions: "acknowledgeCodes" } },
    },
    enrolled: {
      type: "final",
      output: ({ context }) => ({ outcome: "enrolled", reason: REASONS.enrolled, tokens: context.tokens! }),
    },
    expired: { type: "final", output: { outcome: "expired", reason: REASONS.enrollmentExpired } },
    already_enrolled: { type: "final", output: { outcome: "already_enrolled", reason: REASONS.alreadyEnrolled } },
    ...sharedFinalStates("enrollment"),
  },
  output: ({ event }) => event.output as EnrollmentOutput,
});

/** Where a decisive poll answer other than the confirmation leads. */
function pollFailures() {
  const to = (target: string, codes: readonly ErrorCode[]) => ({
    guard: { type: "pollFailedWith", params: ({ event }: { event: { output: PollOutput } }) => ({ result: event.output, codes }) },
    target,
    actions: { type: "keepProblem", params: ({ event }: { event: { output: PollOutput } }) => ({ answer: event.output }) },
  }) as const;
  return [
    to("expired", ["expired"]),
    to("mfa_token_invalid", ["mfa_token_invalid"]),
    to("misconfigured", ["misconfigured"]),
    { target: "failed", actions: { type: "keepProblem", params: ({ event }: { event: { output: PollOutput } }) => ({ answer: event.output }) } },
  ] as const;
}

/** Where a failed association leads, after retries. */
function associateFailures() {
  const to = (target: string, codes: readonly ErrorCode[]) => ({
    guard: { type: "associateFailedWith", params: ({ event }: { event: { output: AssociateAnswer } }) => ({ answer: event.output, codes }) },
    target,
    actions: { type: "keepProblem", params: ({ event }: { event: { output: AssociateAnswer } }) => ({ answer: event.output }) },
  }) as const;
  return [
    to("already_enrolled", ["already_enrolled"]),
    to("mfa_token_invalid", ["mfa_token_invalid"]),
    to("misconfigured", ["misconfigured", "not_enrolled"]),
    to("rate_limited", ["rate_limited"]),
    { target: "failed", actions: { type: "keepProblem", params: ({ event }: { event: { output: AssociateAnswer } }) => ({ answer: event.output }) } },
  ] as const;
}

