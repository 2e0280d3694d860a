import type { Problem } from "../errors.ts";
import { PushflowError } from "../errors.ts";
import type { Tokens } from "../transport.ts";
import { DEFAULTS, isRetryable, retryAt, type WaitCode } from "./policy.ts";
import type { BackoffEmitted, PollEmitted } from "./events.types.ts";
import { REASONS } from "./outcomes.ts";
import type { PollAnsweredEvent, PollInput, PollSentEvent } from "./poll.types.ts";

/** Options both flows take. */
export interface FlowInput {
  /** The mfa_token from the `mfa_required` answer (a secret: never in events or records). */
  readonly mfaToken: string;
  /** Base poll interval; default 5 000 ms. Below 5 s is allowed but Auth0 may answer slow_down. */
  readonly pollIntervalMs?: number;
  /** When the mfa_token stops working, on the flow clock; caps the deadline. */
  readonly mfaTokenExpiresAt?: number;
  /** Consecutive network / 5xx failures tolerated; default 5. */
  readonly maxRetries?: number;
}

/** The context fields both flows keep for polling and retries. */
export interface FlowContext {
  readonly mfaToken: string;
  readonly intervalMs: number;
  readonly maxRetries: number;
  readonly mfaTokenExpiresAt: number | undefined;
  readonly oobCode: string | undefined;
  /** Absolute deadline of the waiting phase on the flow clock. */
  readonly deadlineAt: number | undefined;
  /** Earliest time of the next poll on the flow clock. */
  readonly nextPollAt: number;
  /** Polls sent so far. */
  readonly attempt: number;
  /** What the last poll answer that kept us waiting was. */
  readonly lastWait: WaitCode | undefined;
  /** Consecutive failures of the current one-shot call (associate, list, challenge). */
  readonly retries: number;
  readonly retryAt: number;
  readonly tokens: Tokens | undefined;
  readonly problem: Problem | undefined;
}

/** Checks the input and fills in defaults; bad input is a PushflowError, not an outcome. */
export function initialFlowContext(input: FlowInput): FlowContext {
  if (typeof input.mfaToken !== "string" || input.mfaToken.trim() === "") {
    throw new PushflowError("bad_input", "mfaToken is required");
  }
  const intervalMs = input.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new PushflowError("bad_input", `pollIntervalMs must be a positive number of milliseconds, got ${String(intervalMs)}`);
  }
  const maxRetries = input.maxRetries ?? DEFAULTS.maxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new PushflowError("bad_input", `maxRetries must be a whole number ≥ 0, got ${String(maxRetries)}`);
  }
  return {
    mfaToken: input.mfaToken,
    intervalMs,
    maxRetries,
    mfaTokenExpiresAt: input.mfaTokenExpiresAt,
    oobCode: undefined,
    deadlineAt: undefined,
    nextPollAt: 0,
    attempt: 0,
    lastWait: undefined,
    retries: 0,
    retryAt: 0,
    tokens: undefined,
    problem: undefined,
  };
}

/** The deadline of a waiting phase that starts at `at`, capped by the mfa_token's lifetime. */
export function deadlineFrom(context: FlowContext, at: number, windowMs: number): number {
  return Math.min(at + windowMs, context.mfaTokenExpiresAt ?? Number.POSITIVE_INFINITY);
}

/** Input of the poll loop for the current oob_code. */
export function pollInput(context: FlowContext): PollInput {
  return {
    mfaToken: context.mfaToken,
    oobCode: context.oobCode ?? "",
    intervalMs: context.intervalMs,
    nextPollAt: context.nextPollAt,
    maxRetries: context.maxRetries,
    attempt: context.attempt,
  };
}

/** A poll went out: no other may follow within one interval, even after a detour to a code screen. */
export function afterPollSent(context: FlowContext, event: PollSentEvent): Partial<FlowContext> {
  return { attempt: event.attempt, nextPollAt: event.sentAt + context.intervalMs };
}

export function afterPollAnswered(event: PollAnsweredEvent): Partial<FlowContext> {
  return { attempt: event.attempt, intervalMs: event.intervalMs, nextPollAt: event.nextPollAt, lastWait: event.code };
}

export function pollEmitted(event: PollAnsweredEvent): PollEmitted {
  return { type: "poll", attempt: event.attempt, answer: event.code, intervalMs: event.intervalMs, nextPollAt: event.nextPollAt };
}

/** Only for answers other than `authorization_pending`: the machines guard on that. */
export function pollBackoffEmitted(event: PollAnsweredEvent): BackoffEmitted {
  const cause = event.code === "authorization_pending" ? "slow_down" : event.code;
  return { type: "backoff", cause, retryAt: event.nextPollAt };
}

/** A failed one-shot call that can be tried again within the retry budget. */
export function canRetry(context: FlowContext, problem: Problem): boolean {
  return isRetryable(problem) && context.retries < context.maxRetries;
}

/** Schedules the next try of a failed one-shot call. */
export function afterRetryableFailure(
  context: FlowContext,
  answer: { readonly problem: Problem; readonly at: number; readonly jitter: number },
): Partial<FlowContext> {
  return { retries: context.retries + 1, retryAt: retryAt(answer.problem, context.retries, answer.at, answer.jitter), problem: answer.problem };
}

export function retryBackoffEmitted(context: FlowContext): BackoffEmitted {
  const code = context.problem?.code;
  const cause = code === "rate_limited" || code === "network" || code === "timeout" ? code : "server_error";
  return { type: "backoff", cause, retryAt: context.retryAt };
}

/** The readable reason of a failure outcome: the server's words when there are some. */
export function reasonOf(problem: Problem | undefined, fallback: string): string {
  return problem?.message ?? fallback;
}

/** A transport that threw instead of answering: a bug, reported as `internal`. */
export function crashProblem(error: unknown): Problem {
  return { code: "internal", message: `the transport failed unexpectedly: ${error instanceof Error ? error.message : "unknown error"}` };
}

/**
 * The final states both flows end in the same way. `failed` carries the problem kept on the way
 * in, or an `internal` one naming the flow when there is none.
 */
export function sharedFinalStates(flow: "enrollment" | "challenge") {
  type Args = { readonly context: { readonly problem: Problem | undefined } };
  return {
    mfa_token_invalid: {
      type: "final",
      output: ({ context }: Args) => ({ outcome: "mfa_token_invalid", reason: reasonOf(context.problem, REASONS.mfaTokenInvalid) }),
    },
    misconfigured: {
      type: "final",
      output: ({ context }: Args) => ({ outcome: "misconfigured", reason: reasonOf(context.problem, REASONS.misconfigured) }),
    },
    rate_limited: { type: "final", output: { outcome: "rate_limited", reason: REASONS.rateLimited } },
    cancelled: { type: "final", output: { outcome: "cancelled", reason: REASONS.cancelled } },
    failed: {
      type: "final",
      output: ({ context }: Args) => {
        const error = context.problem ?? { code: "internal" as const, message: `the ${flow} failed unexpectedly` };
        return { outcome: "failed", reason: error.message, error };
      },
    },
  } as const;
}
