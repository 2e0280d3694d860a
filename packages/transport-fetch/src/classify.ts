import type { ErrorCode } from "@pushflow/core";

/** The transport calls; several error codes mean different things on different calls. */
export type CallKind =
  | "login"
  | "associate"
  | "listAuthenticators"
  | "challenge"
  | "verifyOob"
  | "verifyOtp"
  | "verifyRecoveryCode"
  | "deleteAuthenticator";

/** `mfa_token`, `MFA token`, `mfa token`: the server blames the token, not the request. */
const MENTIONS_MFA_TOKEN = /mfa[ _-]?token/i;
const ALREADY_ENROLLED = /already enrolled/i;
const AUTHORIZATION_REJECTED = /MFA Authorization rejected/i;
const TOO_MANY_FAILED_CODES = /^\s*Too many failed codes/i;

/**
 * Classifies an OAuth error answer by its `error` field, then its `error_description` and the
 * call it answered. The status only decides between the catch-alls (429, 5xx, other), because
 * Auth0's grants disagree on statuses (protocol.md §7.5), with one exception: a 429 is a rate
 * limit whatever its body, so an `error` that would only keep the flow waiting as usual
 * (`authorization_pending`, a server failure) reads as `rate_limited`, and its `Retry-After` /
 * `x-ratelimit-reset` is honoured. `slow_down` and `too_many_attempts` keep their own meaning.
 */
export function classifyOAuthError(call: CallKind, status: number, error: string, description: string): ErrorCode {
  const code = classifyByError(call, status, error, description);
  return status === 429 && (code === "authorization_pending" || code === "server_error") ? "rate_limited" : code;
}

function classifyByError(call: CallKind, status: number, error: string, description: string): ErrorCode {
  // Seen as `invalid_request` in the wild, and as `too_many_attempts` in the SDKs' checks.
  if (error === "too_many_attempts" || TOO_MANY_FAILED_CODES.test(description)) return "too_many_attempts";
  switch (error) {
    case "authorization_pending":
      return "authorization_pending";
    case "slow_down":
      return "slow_down";
    case "access_denied":
      if (ALREADY_ENROLLED.test(description)) return "already_enrolled";
      if (MENTIONS_MFA_TOKEN.test(description)) return "mfa_token_invalid";
      // The live capture of a rejected push is `access_denied` (protocol.md §7.3).
      if (call === "verifyOob") return "rejected";
      return "invalid_request";
    case "invalid_grant":
      if (MENTIONS_MFA_TOKEN.test(description)) return "mfa_token_invalid";
      if (call === "verifyOob") return AUTHORIZATION_REJECTED.test(description) ? "rejected" : "invalid_request";
      // The grants reuse `invalid_grant` for every wrong code, including `MFA Authorization
      // rejected.` for a wrong recovery code.
      if (call === "verifyOtp" || call === "verifyRecoveryCode") return "invalid_code";
      if (call === "login") return "invalid_credentials";
      return "invalid_request";
    case "expired_token":
      return MENTIONS_MFA_TOKEN.test(description) ? "mfa_token_invalid" : "expired";
    case "invalid_token":
    case "unauthorized":
      return "mfa_token_invalid";
    case "mfa_required":
      return "mfa_required";
    case "association_required":
    case "unsupported_challenge_type":
      return "not_enrolled";
    case "unauthorized_client":
    case "invalid_client":
      return "misconfigured";
    case "too_many_requests":
      return "rate_limited";
    case "invalid_authenticator":
      return "invalid_authenticator";
    case "server_error":
    case "temporarily_unavailable":
      return "server_error";
    default:
      return classifyStatus(status) ?? "invalid_request";
  }
}

/**
 * What the status alone says, for answers without a usable `error` field: 429 is a rate limit
 * and 5xx a server failure, whatever the body; anything else is left to the caller.
 */
export function classifyStatus(status: number): "rate_limited" | "server_error" | undefined {
  if (status === 429) return "rate_limited";
  if (status >= 500 && status <= 599) return "server_error";
  return undefined;
}
