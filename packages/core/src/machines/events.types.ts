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

export type FlowEmitted = QrEmitted | RecoveryCodesEmitted | PollEmitted | BackoffEmitted;
