import type { Problem } from "@pushflow/core";
import type { Failure } from "@pushflow/tenant";

/** What a call does and where it goes, for a problem message (never a header or a body). */
export interface CallLabel {
  readonly what: string;
  readonly method: string;
  readonly path: string;
}

/** The labels of the eight transport calls. */
export const LABELS = {
  login: { what: "login", method: "POST", path: "/oauth/token" },
  associate: { what: "associate", method: "POST", path: "/mfa/associate" },
  listAuthenticators: { what: "list authenticators", method: "GET", path: "/mfa/authenticators" },
  challenge: { what: "challenge", method: "POST", path: "/mfa/challenge" },
  verifyOob: { what: "verify oob", method: "POST", path: "/oauth/token" },
  verifyOtp: { what: "verify otp", method: "POST", path: "/oauth/token" },
  verifyRecoveryCode: { what: "verify recovery code", method: "POST", path: "/oauth/token" },
  deleteAuthenticator: { what: "delete authenticator", method: "DELETE", path: "/mfa/authenticators/{id}" },
} as const satisfies Record<string, CallLabel>;

/**
 * The core `Problem` of a tenant refusal, worded like transport-fetch's:
 * `verify oob failed: POST /oauth/token → 400 authorization_pending: Authorization pending…`.
 * The tenant's descriptions never contain a secret, so neither does the message; its waits are
 * already whole seconds, as the HTTP face's `Retry-After`.
 */
export function toProblem(failure: Failure, label: CallLabel): Problem {
  const message = `${label.what} failed: ${label.method} ${label.path} → ${failure.status} ${failure.error}: ${failure.description}`;
  return {
    code: failure.code,
    message,
    status: failure.status,
    error: failure.error,
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  };
}

/** The problem of an aborted call: it resolves, it never throws, and the tenant is untouched. */
export function abortedProblem(label: CallLabel): Problem {
  return { code: "network", message: `${label.what} failed: ${label.method} ${label.path} → the request was aborted` };
}
