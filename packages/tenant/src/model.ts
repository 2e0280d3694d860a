/** The records of the virtual tenant. Internal: tests read them through the tenant's views. */

export interface ClientSpec {
  readonly clientId: string;
  /** A confidential client must send it; a public client (none) sends nothing. */
  readonly clientSecret?: string;
  /** The Dashboard's "MFA" grant (mfa-oob, mfa-otp, mfa-recovery-code together); default true. */
  readonly mfaGrant?: boolean;
  readonly name?: string;
}

export interface UserSpec {
  readonly username: string;
  readonly password: string;
  /** Defaults to the username when it is an address, else `<username>@example.com`. */
  readonly email?: string;
  /** Whether a password login answers `mfa_required`; default true (MFA "Always"). */
  readonly mfa?: boolean;
  /** The database connection, checked against a password-realm login's `realm`. */
  readonly connection?: string;
}

export interface ClientRecord {
  readonly clientId: string;
  clientSecret: string | undefined;
  mfaGrant: boolean;
  readonly name: string;
}

export interface RecoveryRecord {
  readonly authenticatorId: string;
  code: string;
  /** Usable once an enrollment was confirmed. */
  active: boolean;
}

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  password: string;
  readonly email: string;
  mfa: boolean;
  readonly connection: string;
  /** Issued with the user's first association, replaced on use. */
  recovery: RecoveryRecord | undefined;
}

export interface AuthenticatorRecord {
  /** `push|dev_X` or `totp|dev_X`. */
  readonly id: string;
  readonly kind: "push" | "totp";
  /** The `dev_X` part, shared by the push authenticator and its OTP twin. */
  readonly deviceId: string;
  readonly userId: string;
  active: boolean;
  /** The device name given at scan (push only, once confirmed). */
  name: string | undefined;
  /** Base32 TOTP secret, handed to the device when it scans. */
  readonly totpSecret: string;
  /** The last accepted TOTP counter: an OTP cannot be used twice. */
  lastOtpCounter: number;
  readonly createdAt: number;
}

export interface MfaTokenRecord {
  readonly token: string;
  readonly userId: string;
  readonly clientId: string;
  readonly audience: string | undefined;
  readonly scope: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export type EnrollmentStatus = "pending" | "confirmed" | "redeemed";

export interface EnrollmentRecord {
  readonly txId: string;
  readonly oobCode: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly barcodeUri: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  status: EnrollmentStatus;
}

export type ChallengeStatus = "pending" | "approved" | "rejected" | "superseded" | "redeemed";

export interface ChallengeRecord {
  readonly id: string;
  readonly oobCode: string;
  readonly userId: string;
  readonly authenticatorId: string;
  readonly deviceId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  status: ChallengeStatus;
}

/** How the user proved the second factor, for the grant record. */
export type GrantMethod = "password" | "push" | "push-enrollment" | "otp" | "recovery-code";

export interface GrantRecord {
  /** Also the JWT id (`jti`) of the emulator's signed access token. */
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly audience: string;
  readonly scope: string;
  readonly method: GrantMethod;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly expiresIn: number;
  /** The mock transport's opaque access token. */
  readonly accessToken: string;
  readonly idToken: string | undefined;
  readonly refreshToken: string | undefined;
  /** The recovery code that replaced the used one (recovery-code grant only). */
  readonly recoveryCode: string | undefined;
}

/** What an oob_code was issued for: the record itself, so a poll needs no second lookup. */
export type OobRef =
  | { readonly kind: "enrollment"; readonly record: EnrollmentRecord }
  | { readonly kind: "challenge"; readonly record: ChallengeRecord };
