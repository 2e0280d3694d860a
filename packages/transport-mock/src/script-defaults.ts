import type {
  Association,
  Authenticator,
  ChallengeAnswer,
  ErrorCode,
  LoginAnswer,
  RecoveryTokens,
  Tokens,
} from "@pushflow/core";
import { DEFAULT_LIMITS, FAILURES, GRANTS, type Failure } from "@pushflow/tenant";

/** Status, `error` and description a scripted problem gets unless the step says otherwise. */
export interface ProblemDefaults {
  readonly status?: number;
  readonly error?: string;
  readonly description: string;
}

/** The status, `error` and description of a tenant refusal, without its code and wait hints. */
const answerOf = ({ status, error, description }: Failure): ProblemDefaults => ({ status, error, description });

/**
 * Every core ErrorCode, with the answer a real tenant (or the network) would give: the virtual
 * tenant's own refusals where it has one, so that both transports word them alike.
 */
export const PROBLEM_DEFAULTS: Readonly<Record<ErrorCode, ProblemDefaults>> = {
  authorization_pending: answerOf(FAILURES.authorizationPending()),
  slow_down: answerOf(FAILURES.slowDown(DEFAULT_LIMITS.pollRefillMs, DEFAULT_LIMITS.pollRefillMs)),
  rejected: answerOf(FAILURES.pushRejected()),
  expired: answerOf(FAILURES.oobCodeExpired()),
  mfa_token_invalid: answerOf(FAILURES.mfaTokenExpired()),
  already_enrolled: answerOf(FAILURES.alreadyEnrolled()),
  not_enrolled: answerOf(FAILURES.associationRequired()),
  // A login's mfa_required is a success for the tenant, so it has no refusal to borrow.
  mfa_required: { status: 403, error: "mfa_required", description: "Multifactor authentication required" },
  misconfigured: answerOf(FAILURES.unauthorizedClient(GRANTS.mfaOob)),
  rate_limited: answerOf(FAILURES.tooManyRequests(0, { limit: 0, remaining: 0, resetAt: 0 })),
  invalid_code: answerOf(FAILURES.invalidOtp()),
  invalid_credentials: answerOf(FAILURES.wrongCredentials()),
  too_many_attempts: answerOf(FAILURES.tooManyAttempts(0)),
  invalid_authenticator: answerOf(FAILURES.invalidAuthenticator()),
  invalid_request: answerOf(FAILURES.invalidRequest("The request is invalid.")),
  server_error: { status: 500, error: "server_error", description: "Internal server error" },
  network: { description: "the connection failed" },
  timeout: { description: "the request timed out" },
  invalid_response: { status: 200, description: "the answer did not have the expected shape" },
  bad_input: { description: "the input was refused" },
  insecure_url: { description: "the URL is not HTTPS (nor loopback)" },
  invalid_record: { description: "the saved record is unusable" },
  conflict: { description: "the saved flow was taken over by another owner" },
  internal: { description: "an internal error happened" },
};

/** The `error_description` of a wrong recovery code differs from a wrong OTP's. */
export const RECOVERY_CODE_REJECTED = FAILURES.invalidRecoveryCode().description;

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
