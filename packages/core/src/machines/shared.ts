import type { ErrorCode, Problem } from "../errors.ts";
import { PushflowError, TRANSIENT_CODES } from "../errors.ts";
import type { Tokens } from "../transport.ts";
import type { Answer, AnyAnswer } from "./actors.ts";
import type { BackoffEmitted, FlowEmitted } from "./events.types.ts";
import { REASONS, type ApprovalMethod } from "./outcomes.ts";
import { DEFAULTS, isRetryable, isWaitCode, retryAt, scheduleAfter, type WaitCode } from "./policy.ts";

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

/** What a flow was started with and never changes: kept apart, so that each step copies less. */
export interface MachineSettings {
  readonly mfaToken: string;
  readonly maxRetries: number;
  readonly mfaTokenExpiresAt: number | undefined;
}

/** How the flow was approved, once it was: the tokens, and for a challenge the method and a new recovery code. */
export interface Approval {
  readonly tokens: Tokens;
  readonly method: ApprovalMethod;
  readonly newRecoveryCode?: string;
}

/**
 * The context fields both flows keep for polling and retries. Few at the top level on purpose:
 * every step copies the top level, and V8 copies small objects much faster (past some 18 fields
 * a poll tick cost a third more in a measured loop); what never changes sits in `settings`.
 */
export interface FlowContext {
  readonly settings: MachineSettings;
  readonly intervalMs: number;
  readonly oobCode: string | undefined;
  /**
   * The flow's absolute deadline on the flow clock: set as it starts (its timeout, capped by the
   * mfa_token's lifetime), kept when resumed; every state ends there. Undefined only before the start.
   */
  readonly deadlineAt: number | undefined;
  /** Earliest time of the next poll on the flow clock: one interval after the last one sent, or later. */
  readonly nextPollAt: number;
  /** Polls sent so far. */
  readonly attempt: number;
  /**
   * What the last answer that kept the flow waiting was (a poll, or a one-shot call to retry);
   * cleared by an answer that moves the flow on. At the deadline, `rate_limited` here ends the
   * flow `rate_limited`: the server said wait.
   */
  readonly lastWait: WaitCode | undefined;
  /**
   * A poll's answer was lost (timeout, dropped connection, 5xx) and no answer since proved that it
   * was not the tokens: an "Invalid oob_code" now means the approval may have come with it
   * (`isAnswerLost`). Set by a lost answer, kept by answers that turn the poll away without a word
   * on the push (slow_down, 429), cleared by a pending answer and by a new oob_code.
   */
  readonly answerLost: boolean;
  /** Consecutive transient failures of the current call (associate, list, challenge or poll). */
  readonly retries: number;
  /** When a failed one-shot call is tried again, on the flow clock. */
  readonly retryAt: number;
  readonly approval: Approval | undefined;
  readonly problem: Problem | undefined;
}

/** The longest wait a timer can take: past 2^31 − 1 ms, setTimeout overflows and fires at once. */
export const MAX_WAIT_MS = 2 ** 31 - 1;

/** A duration option in milliseconds, or a `bad_input` error that names it. */
export function durationOption(name: string, value: unknown, fallback: number, least = 1): number {
  const ms = value ?? fallback;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < least || ms > MAX_WAIT_MS) {
    throw new PushflowError("bad_input", `${name} must be a number of milliseconds from ${least} to ${MAX_WAIT_MS}, got ${String(value)}`);
  }
  return ms;
}

/**
 * Checks the options both flows take and fills in defaults: bad input is a PushflowError thrown
 * before the flow starts, not an outcome.
 */
export function flowSettingsFrom(input: FlowInput): MachineSettings {
  if (typeof input.mfaToken !== "string" || input.mfaToken.trim() === "") {
    throw new PushflowError("bad_input", "mfaToken is required");
  }
  durationOption("pollIntervalMs", input.pollIntervalMs, DEFAULTS.pollIntervalMs);
  const maxRetries = input.maxRetries ?? DEFAULTS.maxRetries;
  if (typeof maxRetries !== "number" || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 1_000) {
    throw new PushflowError("bad_input", `maxRetries must be a whole number from 0 to 1000, got ${String(input.maxRetries)}`);
  }
  const expiresAt = input.mfaTokenExpiresAt;
  if (expiresAt !== undefined && (typeof expiresAt !== "number" || !Number.isFinite(expiresAt) || expiresAt < 0)) {
    throw new PushflowError("bad_input", `mfaTokenExpiresAt must be a time in milliseconds on the flow clock, got ${String(expiresAt)}`);
  }
  return { mfaToken: input.mfaToken, maxRetries, mfaTokenExpiresAt: expiresAt };
}

/** The context fields both flows start with. */
export function flowContextFrom(input: FlowInput): Omit<FlowContext, "settings"> {
  return {
    intervalMs: input.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    oobCode: undefined,
    deadlineAt: undefined,
    nextPollAt: 0,
    attempt: 0,
    lastWait: undefined,
    answerLost: false,
    retries: 0,
    retryAt: 0,
    approval: undefined,
    problem: undefined,
  };
}

/** The params of every guard and action that reads a request's answer: `params: answer`. */
export const answer = <T>({ event }: { readonly event: { readonly output: T } }): { readonly answer: T } => ({ answer: event.output });

/** The params of the action that keeps why a request threw: `params: thrown`. */
export const thrown = ({ event }: { readonly event: { readonly error: unknown } }): { readonly error: unknown } => ({ error: event.error });

/** The request input both flows' calls share. */
export const mfaTokenInput = ({ context }: { readonly context: FlowContext }) => ({ mfaToken: context.settings.mfaToken });

/** The input of a poll: the oob_code of the association or of the latest push. */
export const pollRequestInput = ({ context }: { readonly context: FlowContext }) => ({
  mfaToken: context.settings.mfaToken,
  oobCode: context.oobCode ?? "",
});

/** The answer failed with one of `codes`. */
export const failedWith = (answer: AnyAnswer, ...codes: ErrorCode[]): boolean => !answer.ok && codes.includes(answer.problem.code);

type AnswerParams = { readonly answer: AnyAnswer };
type Args = { readonly context: FlowContext };

/**
 * Guards both machines name. Each reads the answer passed as `params` or the context, never the
 * clock: the graph tests traverse the machines without one.
 */
export const flowGuards = {
  isSuccess: (_: unknown, { answer }: AnswerParams) => answer.ok,
  canRetry: ({ context }: Args, { answer }: AnswerParams) =>
    !answer.ok && isRetryable(answer.problem) && context.retries < context.settings.maxRetries,
  /** The push is not answered yet: poll again one interval later. */
  isPending: (_: unknown, { answer }: AnswerParams) => failedWith(answer, "authorization_pending"),
  /** Poll again, later than usual: slow_down, 429, or a transient failure within the retry budget. */
  isDelayed: ({ context }: Args, { answer }: AnswerParams) => {
    if (answer.ok) return false;
    const code = answer.problem.code;
    if (code === "slow_down" || code === "rate_limited") return true;
    return isRetryable(answer.problem) && context.retries < context.settings.maxRetries;
  },
  isExpired: (_: unknown, { answer }: AnswerParams) => failedWith(answer, "expired"),
  isMfaTokenInvalid: (_: unknown, { answer }: AnswerParams) => failedWith(answer, "mfa_token_invalid"),
  isMisconfigured: (_: unknown, { answer }: AnswerParams) => failedWith(answer, "misconfigured"),
  isRateLimited: (_: unknown, { answer }: AnswerParams) => failedWith(answer, "rate_limited"),
  /** The deadline came while the server had last answered 429: it said wait. */
  wasRateLimited: ({ context }: Args) => context.lastWait === "rate_limited",
  /**
   * A poll refused as invalid (Auth0: `invalid_grant` "Invalid oob_code.") after a poll of the
   * same oob_code whose answer never came (timeout, dropped connection, 5xx), with no answer since
   * that proved otherwise: that poll may have been answered with the tokens, and the oob_code is
   * single-use. See `answerLost`.
   */
  isAnswerLost: ({ context }: Args, { answer }: AnswerParams) => failedWith(answer, "invalid_request") && context.answerLost,
};

type FlowUpdate = Partial<Omit<FlowContext, "settings">>;

/**
 * What the actions both machines name do, as plain functions of the context: each machine
 * registers them in its own `setup()` (XState types an action by its machine's context), one line each.
 */
export const flowUpdates = {
  /** The flow starts at `at`: every state of it ends by `windowMs` later (or when the mfa_token expires). */
  started: (context: FlowContext, at: number, windowMs: number): FlowUpdate => ({ deadlineAt: deadlineFrom(context, at, windowMs) }),
  /** A decisive failure: kept for the outcome's reason. */
  problem: (answer: AnyAnswer): FlowUpdate => (answer.ok ? {} : { problem: answer.problem }),
  /** A poll refused after a lost answer: what probably happened, in words a user can act on, then the server's. */
  answerLost: (answer: AnyAnswer, reason: string): FlowUpdate =>
    answer.ok ? {} : { problem: { ...answer.problem, message: `${reason} (${answer.problem.message})` } },
  /** A request that threw instead of answering. */
  crash: (error: unknown): FlowUpdate => ({ problem: crashProblem(error) }),
  /**
   * A one-shot call failed and will be tried again, however late the server asks: a wait past
   * the deadline loses to it, and the flow ends there.
   */
  retry: (context: FlowContext, answer: Answer<unknown>): FlowUpdate =>
    answer.ok || !isWaitCode(answer.problem.code)
      ? {}
      : {
          retries: context.retries + 1,
          retryAt: retryAt(answer.problem, context.retries, answer.at, answer.jitter),
          problem: answer.problem,
          lastWait: answer.problem.code,
        },
  /** A poll went out at `sentAt`: no other may follow within one interval, whatever comes next. */
  pollSent: (context: FlowContext, sentAt: number): FlowUpdate => ({
    attempt: context.attempt + 1,
    nextPollAt: Math.max(context.nextPollAt, sentAt + context.intervalMs),
  }),
  /** A poll answer that keeps the flow waiting: when the next may go. */
  pollAnswer: (context: FlowContext, answer: Answer<unknown>): FlowUpdate => {
    if (answer.ok || !isWaitCode(answer.problem.code)) return {};
    const next = scheduleAfter(answer.problem, context, answer.at, answer.jitter);
    // Never sooner than one interval after the poll was sent, nor than the answer asks.
    return {
      ...next,
      nextPollAt: Math.max(next.nextPollAt, context.nextPollAt),
      lastWait: answer.problem.code,
      answerLost: answerLostAfter(context, answer.problem),
    };
  },
};

/**
 * Whether the answer to an earlier poll of this oob_code may still have been the tokens, once
 * `problem` answered the latest. A lost answer may have been. A pending answer proves that none
 * was: the server still waits for the push on this oob_code, which a poll answered with the tokens
 * would have used up. slow_down and a 429 prove nothing: the server turned the poll away for its
 * rate, and may never have looked at the push.
 */
function answerLostAfter(context: FlowContext, problem: Problem): boolean {
  if (TRANSIENT_CODES.has(problem.code)) return true;
  if (problem.code === "authorization_pending" && problem.status !== 429) return false;
  return context.answerLost;
}

/**
 * The context a saved flow goes on with. A record saved after a poll whose answer was lost may
 * say so only by its `lastWait` (a record of an earlier release, or one a back-end marked when a
 * step died with a poll in flight): that counts as a lost answer too.
 */
export function resumedContext<C extends FlowContext>(context: C): C {
  const lost = context.answerLost === true || (context.lastWait !== undefined && TRANSIENT_CODES.has(context.lastWait));
  return lost === context.answerLost ? context : { ...context, answerLost: lost };
}

/** The emitted `backoff` of a failed one-shot call that will be tried again. */
export function retryBackoff(context: FlowContext): BackoffEmitted {
  const code = context.problem?.code;
  const cause = code === "rate_limited" || code === "network" || code === "timeout" ? code : "server_error";
  return { type: "backoff", cause, retryAt: context.retryAt };
}

/** The `poll` event after an answer that keeps the flow waiting. */
export function pollEmitted(context: FlowContext): FlowEmitted {
  const answer = context.lastWait ?? "authorization_pending";
  return { type: "poll", attempt: context.attempt, answer, intervalMs: context.intervalMs, nextPollAt: context.nextPollAt };
}

/** The `backoff` event after a poll answer that made the wait longer than one interval. */
export function pollBackoffEmitted(context: FlowContext): FlowEmitted {
  const cause = context.lastWait === undefined || context.lastWait === "authorization_pending" ? "slow_down" : context.lastWait;
  return { type: "backoff", cause, retryAt: context.nextPollAt };
}

/** A window that starts at `at`, capped by the mfa_token's lifetime: the flow's deadline, the QR's expiry. */
export function deadlineFrom(context: FlowContext, at: number, windowMs: number): number {
  return Math.min(at + windowMs, context.settings.mfaTokenExpiresAt ?? Number.POSITIVE_INFINITY);
}

/** The tokens of an approval and how it came. */
export function approved(tokens: Tokens, method: ApprovalMethod, newRecoveryCode?: string): Approval {
  return newRecoveryCode === undefined ? { tokens, method } : { tokens, method, newRecoveryCode };
}

/** The approval a final state that carries tokens holds; the only arrows into it assign one. */
export function approvalOf(context: FlowContext): Approval {
  if (context.approval === undefined) throw new PushflowError("internal", "a final state that carries tokens was reached without them");
  return context.approval;
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
        // A problem may carry a new mfa_token (an mfa_required answer where the flow cannot use one): a secret, left out.
        const { mfaToken: _secret, ...error } = context.problem ?? { code: "internal" as const, message: `the ${flow} failed unexpectedly` };
        return { outcome: "failed", reason: error.message, error };
      },
    },
  } as const;
}

/**
 * The delays of `after` transitions, from absolute due times: a resumed or re-entered state waits
 * only what is left. The runtime passes its clock; the declared machines count from 0, which is
 * all the graph traversal needs.
 */
export function delaysFrom<C, K extends string>(
  due: Record<K, (context: C) => number>,
  now: () => number,
): Record<K, (args: { readonly context: C }) => number> {
  const delays = {} as Record<K, (args: { readonly context: C }) => number>;
  for (const key of Object.keys(due) as K[]) {
    const dueAt = due[key];
    // Past 2^31 − 1 ms a real setTimeout fires at once: a later wait is held at the maximum
    // (the flow's deadline, never further away, ends it first).
    delays[key] = ({ context }) => Math.min(MAX_WAIT_MS, Math.max(0, dueAt(context) - now()));
  }
  return delays;
}

/** The waits both flows have. */
export const flowDueTimes = {
  untilRetry: (context: FlowContext) => context.retryAt,
  untilDeadline: (context: FlowContext) => context.deadlineAt ?? 0,
};
