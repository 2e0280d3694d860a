import { Secret } from "otpauth";
import { FAILURES, refuse, success, type TenantResult } from "../failures.ts";
import type { AuthenticatorRecord, EnrollmentRecord, UserRecord } from "../model.ts";
import type { ClientAuth, TenantState } from "../state.ts";
import { buildBarcodeUri, enrollmentTxIdOf } from "../uri.ts";
import { GuardianError } from "./guardian-error.ts";

export interface AssociateInput {
  readonly mfaToken: string;
  /** Default `["oob"]`; only push (oob + auth0) is emulated. */
  readonly authenticatorTypes?: readonly string[] | undefined;
  /** Default `["auth0"]`. */
  readonly oobChannels?: readonly string[] | undefined;
  /** Optional, as in the guides: when sent, the client must authenticate and own the token. */
  readonly client?: ClientAuth | undefined;
}

export interface AssociateOutput {
  readonly oobCode: string;
  readonly barcodeUri: string;
  /** Only on the user's first association. */
  readonly recoveryCodes?: readonly string[];
  readonly txId: string;
  readonly expiresAt: number;
}

/** `POST /mfa/associate` for push: inactive `push|dev_X` + `totp|dev_X` and a 5-minute transaction. */
export function associate(state: TenantState, input: AssociateInput): TenantResult<AssociateOutput> {
  if (input.client !== undefined) {
    const client = state.authenticateClient(input.client);
    if (!client.ok) return client;
  }
  const token = state.checkMfaToken(input.mfaToken, input.client?.clientId);
  if (!token.ok) return token;
  const types = input.authenticatorTypes ?? ["oob"];
  const channels = input.oobChannels ?? ["auth0"];
  if (types.length !== 1 || types[0] !== "oob" || !channels.includes("auth0")) {
    return refuse(
      FAILURES.invalidRequest('Only push enrollment is emulated: authenticator_types ["oob"] with oob_channels ["auth0"].'),
    );
  }
  // An mfa_token can only enroll the first factor (spec §2.4).
  if (state.isEnrolled(token.value.user.id)) return refuse(FAILURES.alreadyEnrolled());
  return success(startEnrollment(state, token.value.user));
}

/** The association itself, also used to provision a device without an mfa_token. */
export function startEnrollment(state: TenantState, user: UserRecord): AssociateOutput {
  const now = state.now();
  const deviceId = state.ids.deviceId();
  const totpSecret = new Secret({ buffer: Uint8Array.from(state.settings.random(20)).buffer }).base32;
  for (const kind of ["push", "totp"] as const) {
    const record: AuthenticatorRecord = {
      id: `${kind}|${deviceId}`,
      kind,
      deviceId,
      userId: user.id,
      active: false,
      name: undefined,
      totpSecret,
      lastOtpCounter: -1,
      createdAt: now,
    };
    state.authenticators.set(record.id, record);
  }
  // The recovery code comes with the first association only (a live capture: a second one,
  // even while the first is unconfirmed, gets none).
  let recoveryCodes: string[] | undefined;
  if (user.recovery === undefined) {
    user.recovery = { authenticatorId: `recovery-code|${state.ids.deviceId()}`, code: state.ids.recoveryCode(), active: false };
    recoveryCodes = [user.recovery.code];
  }
  const expiresAt = now + state.limits.enrollmentLifetimeMs;
  const txId = state.ids.enrollmentTxId();
  const record: EnrollmentRecord = {
    txId,
    oobCode: state.ids.sealed(expiresAt, now),
    userId: user.id,
    deviceId,
    barcodeUri: buildBarcodeUri(state.settings.name, user.email, txId, state.settings.guardianBaseUrl),
    createdAt: now,
    expiresAt,
    status: "pending",
  };
  state.enrollments.set(txId, record);
  state.oobCodes.set(record.oobCode, { kind: "enrollment", record });
  state.emit({ type: "enrollment-started", at: now, txId, username: user.username });
  return {
    oobCode: record.oobCode,
    barcodeUri: record.barcodeUri,
    ...(recoveryCodes === undefined ? {} : { recoveryCodes }),
    txId,
    expiresAt,
  };
}

/** What a device learns when it confirms an enrollment (Guardian's `api/enroll`). */
export interface DeviceEnrollment {
  readonly txId: string;
  readonly userId: string;
  readonly username: string;
  readonly deviceId: string;
  readonly pushAuthenticatorId: string;
  readonly totpAuthenticatorId: string;
  /** Base32; 6 digits, 30 s, SHA1. */
  readonly totpSecret: string;
  readonly enrolledAt: number;
}

/**
 * The device scanned the QR: the push authenticator, its OTP twin and the recovery code become
 * active, and the associate oob_code's next poll answers tokens. Throws a GuardianError when the
 * transaction is unknown, expired or already used.
 */
export function confirmEnrollment(state: TenantState, uriOrTicket: string, deviceName: string): DeviceEnrollment {
  const txId = enrollmentTxIdOf(uriOrTicket);
  if (txId === undefined) throw new GuardianError("invalid_enrollment", "Not an enrollment barcode_uri or ticket", 400);
  const tx = state.enrollments.get(txId);
  if (tx === undefined || tx.status !== "pending" || state.now() >= tx.expiresAt) {
    throw new GuardianError("enrollment_transaction_not_found", "Enrollment transaction not found or expired", 404);
  }
  const push = state.authenticators.get(`push|${tx.deviceId}`);
  const totp = state.authenticators.get(`totp|${tx.deviceId}`);
  if (push === undefined || totp === undefined) {
    throw new GuardianError("enrollment_transaction_not_found", "The authenticators of this enrollment were deleted", 404);
  }
  tx.status = "confirmed";
  push.active = true;
  push.name = deviceName;
  totp.active = true;
  const user = state.user(tx.userId);
  if (user.recovery !== undefined) user.recovery.active = true;
  const now = state.now();
  state.emit({ type: "enrollment-confirmed", at: now, txId, username: user.username, deviceId: tx.deviceId });
  return {
    txId,
    userId: user.id,
    username: user.username,
    deviceId: tx.deviceId,
    pushAuthenticatorId: push.id,
    totpAuthenticatorId: totp.id,
    totpSecret: totp.totpSecret,
    enrolledAt: now,
  };
}
