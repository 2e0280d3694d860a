import type { Problem } from "../errors.ts";
import type { Tokens } from "../transport.ts";
import type { WaitCode } from "./policy.ts";

/** Input of the shared poll loop. */
export interface PollInput {
  readonly mfaToken: string;
  readonly oobCode: string;
  readonly intervalMs: number;
  /** Absolute time of the first poll on the flow clock. */
  readonly nextPollAt: number;
  readonly maxRetries: number;
  /** Polls already sent for this flow (continues the count across resends and fallbacks). */
  readonly attempt: number;
}

export interface PollContext extends PollInput {
  /** Consecutive transient failures. */
  readonly retries: number;
  /** The decisive answer, once it came. */
  readonly result?: PollOutput;
}

/** The decisive answer that ended the loop. */
export type PollOutput = { readonly ok: true; readonly tokens: Tokens } | { readonly ok: false; readonly problem: Problem };

/** Sent to the parent after every answer that keeps the flow waiting. */
export interface PollAnsweredEvent {
  readonly type: "POLL.ANSWERED";
  readonly attempt: number;
  readonly code: WaitCode;
  readonly intervalMs: number;
  readonly nextPollAt: number;
  readonly retries: number;
  readonly retryAfterMs?: number;
}

/** Sent to the parent when a poll goes out, so the parent knows the earliest next poll. */
export interface PollSentEvent {
  readonly type: "POLL.SENT";
  readonly attempt: number;
  readonly sentAt: number;
}

export type PollReport = PollAnsweredEvent | PollSentEvent;
