import { TRANSIENT_CODES, type ErrorCode, type Problem } from "../errors.ts";

/** The defaults of DESIGN.md's polling rules. */
export const DEFAULTS = {
  /** Auth0 allows 12 polls a minute per session: one every 5 s. */
  pollIntervalMs: 5_000,
  /** RFC 8628 §3.5: every slow_down adds 5 s to the interval for good. */
  slowDownStepMs: 5_000,
  /** The QR must be scanned within 5 minutes of the association. */
  enrollmentWindowMs: 5 * 60_000,
  challengeTimeoutMs: 5 * 60_000,
  /** Auth0 sends at most 5 pushes a minute per user. */
  resendCooldownMs: 12_000,
  /** Consecutive network / 5xx failures tolerated before the flow fails. */
  maxRetries: 5,
  backoffBaseMs: 1_000,
  backoffCapMs: 30_000,
} as const;

/** The poll answers that keep a flow waiting. */
export type WaitCode = "authorization_pending" | "slow_down" | "rate_limited" | "server_error" | "network" | "timeout";

export function isWaitCode(code: ErrorCode): code is WaitCode {
  return code === "authorization_pending" || code === "slow_down" || code === "rate_limited" || TRANSIENT_CODES.has(code);
}

/**
 * Capped exponential backoff with jitter for the `retries`-th consecutive failure (0-based):
 * between half and all of min(cap, base·2^retries). `jitter` is a sample of [0, 1).
 */
export function backoffMs(retries: number, jitter: number): number {
  const full = Math.min(DEFAULTS.backoffCapMs, DEFAULTS.backoffBaseMs * 2 ** retries);
  return Math.round(full * (0.5 + jitter / 2));
}

/** The schedule after one poll answer that keeps the flow waiting. */
export interface PollSchedule {
  readonly intervalMs: number;
  readonly nextPollAt: number;
  /** Consecutive transient failures, including this answer. */
  readonly retries: number;
}

/**
 * When the next poll may go after an answer received at `at`. Whatever the cause, never sooner
 * than the (possibly grown) interval after this answer, nor than the wait the answer asked for
 * (Retry-After or x-ratelimit-reset, whatever its code: a 429 pending poll, a 503).
 */
export function scheduleAfter(
  problem: Problem,
  current: { readonly intervalMs: number; readonly retries: number },
  at: number,
  jitter: number,
): PollSchedule {
  const retryAfter = problem.retryAfterMs ?? 0;
  switch (problem.code) {
    case "slow_down": {
      const intervalMs = current.intervalMs + DEFAULTS.slowDownStepMs;
      return { intervalMs, nextPollAt: at + Math.max(intervalMs, retryAfter), retries: 0 };
    }
    case "rate_limited":
      return { intervalMs: current.intervalMs, nextPollAt: at + Math.max(current.intervalMs, retryAfter), retries: 0 };
    case "server_error":
    case "network":
    case "timeout":
      return {
        intervalMs: current.intervalMs,
        nextPollAt: at + Math.max(current.intervalMs, backoffMs(current.retries, jitter), retryAfter),
        retries: current.retries + 1,
      };
    default:
      return { intervalMs: current.intervalMs, nextPollAt: at + Math.max(current.intervalMs, retryAfter), retries: 0 };
  }
}

/** When a failed one-shot call (associate, list, challenge) may be tried again. */
export function retryAt(problem: Problem, retries: number, at: number, jitter: number): number {
  return at + Math.max(problem.retryAfterMs ?? 0, backoffMs(retries, jitter));
}

/** True when a one-shot call's failure is worth another try. */
export function isRetryable(problem: Problem): boolean {
  return problem.code === "rate_limited" || TRANSIENT_CODES.has(problem.code);
}
