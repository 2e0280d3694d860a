import { Secret, TOTP } from "otpauth";
import { FAILURES, refuse, success, type TenantResult } from "../failures.ts";
import type { GrantRecord, MfaTokenRecord, UserRecord } from "../model.ts";
import { GRANTS, type ClientAuth, type TenantState } from "../state.ts";

/** The checks every MFA grant makes first: client, grant enabled, mfa_token of this client. */
function mfaGrant(
  state: TenantState,
  input: ClientAuth & { readonly mfaToken: string },
  grantType: string,
): TenantResult<{ record: MfaTokenRecord; user: UserRecord }> {
  const client = state.authenticateMfaClient(input, grantType);
  if (!client.ok) return client;
  return state.checkMfaToken(input.mfaToken, input.clientId);
}

/** Tokens go to the audience and scope the password login asked for. */
function grantFor(state: TenantState, token: MfaTokenRecord, user: UserRecord, method: GrantRecord["method"], code?: string) {
  return state.issueGrant(user, token.clientId, { audience: token.audience, scope: token.scope }, method, code);
}

export interface VerifyOobInput extends ClientAuth {
  readonly mfaToken: string;
  readonly oobCode: string;
}

/** One poll of the mfa-oob grant, for an enrollment or a push challenge. */
export function verifyOob(state: TenantState, input: VerifyOobInput): TenantResult<GrantRecord> {
  const checked = mfaGrant(state, input, GRANTS.mfaOob);
  if (!checked.ok) return checked;
  const { record: token, user } = checked.value;
  const ref = state.oobCodes.get(input.oobCode);
  if (ref === undefined || ref.record.userId !== user.id) return refuse(FAILURES.invalidOobCode());

  // 12 polls a minute per oob_code: burst 12, one back every 5 s.
  const limits = state.limits;
  const bucket = state.bucket(`poll:${input.oobCode}`, limits.pollBurst, limits.pollRefillMs);
  const now = state.now();
  if (!bucket.take(now)) return refuse(FAILURES.slowDown(bucket.msUntilToken(now), limits.pollRefillMs));

  if (ref.kind === "enrollment") {
    const tx = ref.record;
    switch (tx.status) {
      case "pending":
        return refuse(now >= tx.expiresAt ? FAILURES.oobCodeExpired() : FAILURES.authorizationPending());
      case "confirmed":
        tx.status = "redeemed";
        return success(grantFor(state, token, user, "push-enrollment"));
      case "redeemed":
        return refuse(FAILURES.invalidOobCode());
    }
  }
  const push = ref.record;
  switch (push.status) {
    case "pending":
      return refuse(now >= push.expiresAt ? FAILURES.oobCodeExpired() : FAILURES.authorizationPending());
    // A newer push replaced this one: its oob_code is dead.
    case "superseded":
      return refuse(FAILURES.oobCodeExpired());
    case "rejected":
      return refuse(FAILURES.pushRejected());
    case "approved":
      push.status = "redeemed";
      return success(grantFor(state, token, user, "push"));
    case "redeemed":
      return refuse(FAILURES.invalidOobCode());
  }
}

export interface VerifyOtpInput extends ClientAuth {
  readonly mfaToken: string;
  readonly otp: string;
}

/** The mfa-otp grant, with the OTP from the Guardian app (its `totp|dev_X` twin). */
export function verifyOtp(state: TenantState, input: VerifyOtpInput): TenantResult<GrantRecord> {
  const checked = mfaGrant(state, input, GRANTS.mfaOtp);
  if (!checked.ok) return checked;
  const { record: token, user } = checked.value;
  const totps = state.authenticatorsOf(user.id).filter((a) => a.active && a.kind === "totp");
  if (totps.length === 0) return refuse(FAILURES.unsupportedChallengeType("User is not enrolled with guardian"));
  const now = state.now();
  const limits = state.limits;
  const failures = state.bucket(`otp-failures:${user.id}`, limits.codeFailureBurst, limits.codeFailureRefillMs);
  // Once locked, even a right code is refused until a failure token comes back.
  if (failures.available(now) < 1) return refuse(FAILURES.tooManyAttempts(failures.msUntilToken(now)));
  const otp = input.otp.trim();
  const counter = TOTP.counter({ period: 30, timestamp: now });
  for (const authenticator of totps) {
    const delta = TOTP.validate({
      token: otp,
      secret: Secret.fromBase32(authenticator.totpSecret),
      algorithm: "SHA1",
      digits: 6,
      period: 30,
      timestamp: now,
      window: limits.otpWindow,
    });
    // An OTP can't be reused (spec §7.4): only a counter newer than the last accepted one.
    if (delta !== null && counter + delta > authenticator.lastOtpCounter) {
      authenticator.lastOtpCounter = counter + delta;
      return success(grantFor(state, token, user, "otp"));
    }
  }
  failures.take(now);
  return refuse(FAILURES.invalidOtp());
}

export interface VerifyRecoveryCodeInput extends ClientAuth {
  readonly mfaToken: string;
  readonly recoveryCode: string;
}

/** Recovery codes are printed in groups; spaces, dashes and case do not matter. */
export function normalizeRecoveryCode(code: string): string {
  return code.replace(/[\s-]+/g, "").toUpperCase();
}

/** The mfa-recovery-code grant: single use, answered with the code that replaces it. */
export function verifyRecoveryCode(state: TenantState, input: VerifyRecoveryCodeInput): TenantResult<GrantRecord> {
  const checked = mfaGrant(state, input, GRANTS.mfaRecoveryCode);
  if (!checked.ok) return checked;
  const { record: token, user } = checked.value;
  const now = state.now();
  const limits = state.limits;
  const failures = state.bucket(`recovery-failures:${user.id}`, limits.codeFailureBurst, limits.codeFailureRefillMs);
  if (failures.available(now) < 1) return refuse(FAILURES.tooManyAttempts(failures.msUntilToken(now)));
  const recovery = user.recovery;
  if (recovery === undefined || !recovery.active || normalizeRecoveryCode(input.recoveryCode) !== recovery.code) {
    failures.take(now);
    return refuse(FAILURES.invalidRecoveryCode());
  }
  recovery.code = state.ids.recoveryCode();
  return success(grantFor(state, token, user, "recovery-code", recovery.code));
}
