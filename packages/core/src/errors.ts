/**
 * Every code a pushflow failure can carry. Server answers are classified into these by the
 * transport (on the `error` field, never on the status alone); the rest are local.
 */
export type ErrorCode =
  // answers of the token endpoint while a push is pending
  | "authorization_pending"
  | "slow_down"
  // decisive server answers
  | "rejected"
  | "expired"
  | "mfa_token_invalid"
  | "already_enrolled"
  | "not_enrolled"
  | "mfa_required"
  | "misconfigured"
  | "rate_limited"
  | "invalid_code"
  | "invalid_credentials"
  | "too_many_attempts"
  | "invalid_authenticator"
  | "invalid_request"
  // transient: retried with backoff
  | "server_error"
  | "network"
  | "timeout"
  // local
  | "invalid_response"
  | "bad_input"
  | "insecure_url"
  | "invalid_record"
  // another owner took over a saved flow (compare-and-set on the store failed)
  | "conflict"
  | "internal";

/**
 * A classified failure, as plain data so that it can live in a snapshot. It never holds a
 * secret: transports build `message` from the server's `error_description` and the request path.
 */
export interface Problem {
  /** The classification the machines branch on. */
  readonly code: ErrorCode;
  /** A sentence a person can read. */
  readonly message: string;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** The server's `error` field, as sent. */
  readonly error?: string;
  /** How long the server asked us to wait (Retry-After or x-ratelimit-reset), in ms. */
  readonly retryAfterMs?: number;
  /** The new mfa_token of an `mfa_required` answer (a secret: only in the outcome). */
  readonly mfaToken?: string;
}

/** The codes that are worth another try after a wait. */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(["server_error", "network", "timeout"]);

/**
 * The one error class of pushflow, thrown for bad input, refused configuration and unusable
 * persisted records. Flow outcomes are never thrown: they are final states.
 */
export class PushflowError extends Error {
  override readonly name = "PushflowError" as const;
  readonly code: ErrorCode;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status;
  }

  /** The same failure as plain data. */
  toProblem(): Problem {
    return this.status === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, status: this.status };
  }
}

/** True for a PushflowError, also across realms (checks the name as well as the class). */
export function isPushflowError(value: unknown): value is PushflowError {
  return value instanceof PushflowError || (value instanceof Error && value.name === "PushflowError");
}
