import type { ErrorCode } from "@pushflow/core";

/** The rate-limit state a 429 reports in its `x-ratelimit-*` headers. */
export interface RateLimitInfo {
  readonly limit: number;
  readonly remaining: number;
  /** When a request will be allowed again, in ms on the tenant clock. */
  readonly resetAt: number;
}

/**
 * One refusal of the virtual tenant: what Auth0 would send (status, `error`,
 * `error_description`, wait hints) and how pushflow classifies it. The mock transport turns it
 * into a core `Problem`; the HTTP emulator sends it as is. One table for both faces.
 */
export interface Failure {
  readonly code: ErrorCode;
  readonly status: number;
  readonly error: string;
  readonly description: string;
  /** Whole seconds (at least 1), as `Retry-After` carries it: both faces tell a flow the same wait. */
  readonly retryAfterMs?: number;
  /** Sent as `x-ratelimit-limit`, `-remaining`, `-reset` (unix seconds). */
  readonly rateLimit?: RateLimitInfo;
}

export type TenantResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: Failure };

export const success = <T>(value: T): TenantResult<T> => ({ ok: true, value });
export const refuse = <T>(failure: Failure): TenantResult<T> => ({ ok: false, failure });

/** A wait rounded up to whole seconds (at least 1), as the `Retry-After` header carries it. */
const wholeSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000)) * 1000;

const f = (code: ErrorCode, status: number, error: string, description: string): Failure => ({ code, status, error, description });

/** Auth0's answers, with the bodies of real captures where there are some (spec §7.3, §13). */
export const FAILURES = {
  authorizationPending: () =>
    f("authorization_pending", 400, "authorization_pending", "Authorization pending: please repeat the request in a few seconds."),
  slowDown: (retryAfterMs: number, refillMs: number): Failure => ({
    ...f(
      "slow_down",
      429,
      "slow_down",
      `You are polling faster than allowed. Try again in ${Math.max(1, Math.ceil(refillMs / 1000))} seconds.`,
    ),
    retryAfterMs: wholeSeconds(retryAfterMs),
  }),
  /** The live capture says `access_denied` (the docs say `invalid_grant`). */
  pushRejected: () => f("rejected", 400, "access_denied", "MFA Authorization rejected."),
  oobCodeExpired: () => f("expired", 403, "expired_token", "oob_code is expired"),
  mfaTokenExpired: () => f("mfa_token_invalid", 401, "expired_token", "mfa_token is expired"),
  mfaTokenMalformed: () => f("mfa_token_invalid", 401, "invalid_grant", "Malformed mfa_token"),
  mfaTokenInvalid: () =>
    f("mfa_token_invalid", 401, "invalid_grant", "The mfa_token provided is invalid. Try getting a new token."),
  alreadyEnrolled: () => f("already_enrolled", 403, "access_denied", "User is already enrolled."),
  associationRequired: () => f("not_enrolled", 400, "association_required", "User is not enrolled."),
  unsupportedChallengeType: (description: string) => f("not_enrolled", 400, "unsupported_challenge_type", description),
  invalidAuthenticator: () => f("invalid_authenticator", 404, "invalid_authenticator", "Authenticator not found or inactive"),
  unauthorizedClient: (grantType: string) =>
    f("misconfigured", 403, "unauthorized_client", `Grant type '${grantType}' not allowed for the client.`),
  invalidClient: () => f("misconfigured", 401, "invalid_client", "Client authentication failed"),
  tooManyRequests: (retryAfterMs: number, rateLimit: RateLimitInfo): Failure => ({
    ...f(
      "rate_limited",
      429,
      "too_many_requests",
      "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
    ),
    retryAfterMs: wholeSeconds(retryAfterMs),
    rateLimit,
  }),
  invalidOtp: () => f("invalid_code", 403, "invalid_grant", "Invalid otp_code."),
  invalidRecoveryCode: () => f("invalid_code", 403, "invalid_grant", "MFA Authorization rejected."),
  tooManyAttempts: (retryAfterMs: number): Failure => ({
    ...f("too_many_attempts", 429, "too_many_attempts", "Too many failed codes. Wait for some minutes before retrying."),
    retryAfterMs: wholeSeconds(retryAfterMs),
  }),
  wrongCredentials: () => f("invalid_credentials", 403, "invalid_grant", "Wrong email or password."),
  invalidRequest: (description: string) => f("invalid_request", 400, "invalid_request", description),
  unsupportedGrantType: (grantType: string) =>
    f("invalid_request", 400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`),
  /** An oob_code this tenant never issued, issued to another user, or already exchanged. */
  invalidOobCode: () => f("invalid_request", 403, "invalid_grant", "Invalid oob_code."),
  /** transport-fetch reads `invalid_token` as a dead token, whichever token it was. */
  invalidAccessToken: () => f("mfa_token_invalid", 401, "invalid_token", "Invalid or expired access token."),
  insufficientScope: (scope: string) =>
    f("invalid_request", 403, "insufficient_scope", `Insufficient scope, expected any of: ${scope}`),
  authenticatorNotFound: () => f("invalid_authenticator", 404, "invalid_authenticator", "Authenticator not found"),
} as const;
