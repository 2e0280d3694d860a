import type { WaitCode } from "./policy.ts";

/** Emitted when the QR is ready to show. */
export interface QrEmitted {
  readonly type: "qr";
  readonly barcodeUri: string;
  /** When the QR stops working, on the flow clock (ms). */
  readonly expiresAt: number;
}

/** Emitted once, on a first enrollment: the user must save these and acknowledge. */
export interface RecoveryCodesEmitted {
  readonly type: "recovery-codes";
  readonly codes: readonly string[];
}

/** Emitted after each poll answer that keeps the flow waiting. */
export interface PollEmitted {
  readonly type: "poll";
  readonly attempt: number;
  readonly answer: WaitCode;
  readonly intervalMs: number;
  readonly nextPollAt: number;
}

/** Emitted when a wait is longer than usual: slow_down, 429, or a failure being retried. */
export interface BackoffEmitted {
  readonly type: "backoff";
  readonly cause: Exclude<WaitCode, "authorization_pending">;
  readonly retryAt: number;
}

/**
 * Emitted when a saved flow goes on (a page reload, a process restart, another instance): where
 * it goes on from, and the request it sends again because the answer to the first one was lost.
 */
export interface ResumeEmitted {
  readonly type: "resume";
  /** The state the flow goes on from (a resume point). */
  readonly at: string;
  /** `challenge`: a second push goes to the phone; `associate`: a new QR replaces the first. */
  readonly repeats?: "challenge" | "associate";
}

export type FlowEmitted = QrEmitted | RecoveryCodesEmitted | PollEmitted | BackoffEmitted | ResumeEmitted;
