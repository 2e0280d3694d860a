import type { Problem } from "./errors.ts";

/** The answer of one transport call: a value, or a classified problem. Never thrown. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the request; the call then resolves with a `network` problem, or never matters. */
  readonly signal?: AbortSignal;
}

/** Tokens from a successful MFA grant. */
export interface Tokens {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly idToken?: string;
  readonly refreshToken?: string;
  readonly scope?: string;
}

/** The answer of `POST /mfa/associate` for a push (oob + auth0) authenticator. */
export interface Association {
  readonly oobCode: string;
  /** `otpauth://totp/…?enrollment_tx_id=…&base_url=…`: what the QR shows. */
  readonly barcodeUri: string;
  /** Only on the user's first enrollment, and only when the tenant has recovery codes on. */
  readonly recoveryCodes?: readonly string[];
}

/** One entry of `GET /mfa/authenticators`. */
export interface Authenticator {
  readonly id: string;
  /** `otp`, `oob` or `recovery-code`. */
  readonly authenticatorType: string;
  readonly active: boolean;
  /** `auth0` (push), `sms`, `voice` or `email`; oob only. */
  readonly oobChannel?: string;
  readonly name?: string;
}

/** The answer of `POST /mfa/challenge`. */
export interface ChallengeAnswer {
  readonly challengeType: "oob" | "otp";
  readonly oobCode?: string;
  readonly bindingMethod?: string;
}

/** Tokens from the recovery-code grant, with the code that replaces the used one. */
export interface RecoveryTokens extends Tokens {
  readonly recoveryCode?: string;
}

/** What a password login answers: tokens, or `mfa_required` with the mfa_token. */
export type LoginAnswer =
  | { readonly type: "tokens"; readonly tokens: Tokens }
  | {
      readonly type: "mfa_required";
      readonly mfaToken: string;
      /** Auth0's optional `mfa_requirements`, passed through as sent. */
      readonly requirements?: unknown;
    };

/** Credentials for the password and password-realm grants. */
export interface LoginRequest {
  readonly username: string;
  readonly password: string;
  /** With a realm, the password-realm grant is used. */
  readonly realm?: string;
  readonly audience?: string;
  readonly scope?: string;
}

/**
 * The only I/O seam of the machines. The client id, client secret and domain belong to the
 * transport, never to a machine, so they never reach a snapshot.
 */
export interface Transport {
  login(request: LoginRequest, options?: CallOptions): Promise<Result<LoginAnswer>>;
  associate(request: { readonly mfaToken: string }, options?: CallOptions): Promise<Result<Association>>;
  listAuthenticators(request: { readonly mfaToken: string }, options?: CallOptions): Promise<Result<readonly Authenticator[]>>;
  challenge(
    request: { readonly mfaToken: string; readonly authenticatorId: string; readonly challengeType: "oob" | "otp" },
    options?: CallOptions,
  ): Promise<Result<ChallengeAnswer>>;
  /** The mfa-oob grant: one poll. Pending answers come back as `authorization_pending` / `slow_down` problems. */
  verifyOob(request: { readonly mfaToken: string; readonly oobCode: string }, options?: CallOptions): Promise<Result<Tokens>>;
  verifyOtp(request: { readonly mfaToken: string; readonly otp: string }, options?: CallOptions): Promise<Result<Tokens>>;
  verifyRecoveryCode(
    request: { readonly mfaToken: string; readonly recoveryCode: string },
    options?: CallOptions,
  ): Promise<Result<RecoveryTokens>>;
  deleteAuthenticator(
    request: { readonly accessToken: string; readonly authenticatorId: string },
    options?: CallOptions,
  ): Promise<Result<void>>;
  /**
   * True when the server is on this machine (a loopback address: the emulator, never an Auth0
   * tenant). The warning about a poll interval below Auth0's 5 s is for a real tenant: a flow on
   * a loopback transport does not give it.
   */
  readonly loopback?: boolean;
}

/** The methods of `Transport`, for code that wraps or records every call. */
export const TRANSPORT_METHODS = [
  "login",
  "associate",
  "listAuthenticators",
  "challenge",
  "verifyOob",
  "verifyOtp",
  "verifyRecoveryCode",
  "deleteAuthenticator",
] as const satisfies readonly (keyof Transport)[];
