import type {
  Association,
  Authenticator,
  ChallengeAnswer,
  ErrorCode,
  LoginAnswer,
  RecoveryTokens,
  Tokens,
} from "@pushflow/core";

/** Status, `error` and description a scripted problem gets unless the step says otherwise. */
export interface ProblemDefaults {
  readonly status?: number;
  readonly error?: string;
  readonly description: string;
}

/** Every core ErrorCode, with the answer a real tenant (or the network) would give. */
export const PROBLEM_DEFAULTS: Readonly<Record<ErrorCode, ProblemDefaults>> = {
  authorization_pending: {
    status: 400,
    error: "authorization_pending",
    description: "Authorization pending: please repeat the request in a few seconds.",
  },
  slow_down: { status: 429, error: "slow_down", description: "You are polling faster than allowed. Try again in 5 seconds." },
  rejected: { status: 400, error: "access_denied", description: "MFA Authorization rejected." },
  expired: { status: 403, error: "expired_token", description: "oob_code is expired" },
  mfa_token_invalid: { status: 401, error: "expired_token", description: "mfa_token is expired" },
  already_enrolled: { status: 403, error: "access_denied", description: "User is already enrolled." },
  not_enrolled: { status: 400, error: "association_required", description: "User is not enrolled." },
  mfa_required: { status: 403, error: "mfa_required", description: "Multifactor authentication required" },
  misconfigured: {
    status: 403,
    error: "unauthorized_client",
    description: "Grant type 'http://auth0.com/oauth/grant-type/mfa-oob' not allowed for the client.",
  },
  rate_limited: {
    status: 429,
    error: "too_many_requests",
    description: "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
  },
  invalid_code: { status: 403, error: "invalid_grant", description: "Invalid otp_code." },
  invalid_credentials: { status: 403, error: "invalid_grant", description: "Wrong email or password." },
  too_many_attempts: {
    status: 429,
    error: "too_many_attempts",
    description: "Too many failed codes. Wait for some minutes before retrying.",
  },
  invalid_authenticator: { status: 404, error: "invalid_authenticator", description: "Authenticator not found or inactive" },
  invalid_request: { status: 400, error: "invalid_request", description: "The request is invalid." },
  server_error: { status: 500, error: "server_error", description: "Internal server error" },
  network: { description: "the connection failed" },
  timeout: { description: "the request timed out" },
  invalid_response: { status: 200, description: "the answer did not have the expected shape" },
  bad_input: { description: "the input was refused" },
  insecure_url: { description: "the URL is not HTTPS (nor loopback)" },
  invalid_record: { description: "the saved record is unusable" },
  internal: { description: "an internal error happened" },
};

/** The `error_description` of a wrong recovery code differs from a wrong OTP's. */
export const RECOVERY_CODE_REJECTED = "MFA Authorization rejected.";

/** Default success values; `n` numbers them so that two answers never share a code. */
export const SUCCESS_DEFAULTS = {
  tokens: (n: number): Tokens => ({
    accessToken: `mock-access-token-${n}`,
    tokenType: "Bearer",
    expiresIn: 86_400,
    idToken: `mock-id-token-${n}`,
    scope: "openid profile",
  }),
  mfaToken: (n: number): string => `Fe26.2*mock*mfa-token-${n}`,
  login: (n: number): LoginAnswer => ({ type: "mfa_required", mfaToken: SUCCESS_DEFAULTS.mfaToken(n) }),
  loginTokens: (n: number): LoginAnswer => ({ type: "tokens", tokens: SUCCESS_DEFAULTS.tokens(n) }),
  association: (n: number, withRecoveryCode: boolean): Association => ({
    oobCode: `oob-code-${n}`,
    barcodeUri: `otpauth://totp/Pushflow%20Test:user%40example.com?enrollment_tx_id=${"mocktx".padEnd(32 - String(n).length, "0")}${n}&base_url=https%3A%2F%2Fpushflow-test.auth0.local%2Fappliance-mfa`,
    ...(withRecoveryCode ? { recoveryCodes: [`RECOVERY${String(n).padStart(16, "0")}`] } : {}),
  }),
  authenticators: (state: "active" | "inactive" | "empty"): readonly Authenticator[] => {
    if (state === "empty") return [];
    const active = state === "active";
    return [
      {
        id: "push|dev_mock000000000001",
        authenticatorType: "oob",
        active,
        oobChannel: "auth0",
        ...(active ? { name: "Pushflow Virtual Device" } : {}),
      },
      { id: "totp|dev_mock000000000001", authenticatorType: "otp", active },
      { id: "recovery-code|dev_mock000000000002", authenticatorType: "recovery-code", active },
    ];
  },
  challenge: (n: number): ChallengeAnswer => ({ challengeType: "oob", oobCode: `oob-code-${n}` }),
  otpChallenge: (): ChallengeAnswer => ({ challengeType: "otp" }),
  recoveryTokens: (n: number): RecoveryTokens => ({
    ...SUCCESS_DEFAULTS.tokens(n),
    recoveryCode: `NEWRECOVERY${String(n).padStart(13, "0")}`,
  }),
};
