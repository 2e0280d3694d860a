import { Secret, TOTP } from "otpauth";
import type { DeviceEnrollment } from "./operations/enrollment.ts";
import { GuardianError } from "./operations/guardian-error.ts";
import type { TenantEvent } from "./state.ts";
import type { PushView, VirtualTenant } from "./tenant.ts";

/** What the device does by itself, on the tenant clock. */
export interface DevicePolicy {
  /** Scan every new enrollment (of the device's user, when it has one) this long after it starts. */
  readonly scanAfterMs?: number;
  /** How to answer a push; `ignore` (or nothing) leaves it to expire. */
  readonly answer?: "approve" | "reject" | "ignore";
  /** Answer this long after the push was sent; default 0. */
  readonly answerAfterMs?: number;
}

export interface DeviceOptions {
  /** The device name Guardian reports; it becomes the push authenticator's `name`. */
  readonly name?: string;
  /** Restricts the automatic scan to this user's enrollments. */
  readonly username?: string;
  readonly policy?: DevicePolicy;
}

/** One account on the device (one confirmed enrollment). */
export type DeviceAccount = DeviceEnrollment;

export type DeviceLogEntry =
  | { readonly at: number; readonly type: "scanned"; readonly username: string; readonly authenticatorId: string }
  | { readonly at: number; readonly type: "approved" | "rejected" | "ignored"; readonly username: string; readonly pushId: string }
  | { readonly at: number; readonly type: "error"; readonly errorCode: string; readonly message: string };

/**
 * A virtual Guardian app bound to a tenant: it scans enrollment QR codes, answers pushes and
 * computes OTPs on the tenant clock. Manual actions throw a `GuardianError` when there is
 * nothing to act on; automatic ones (the policy) record it in `log` instead.
 */
export class VirtualDevice {
  readonly name: string;
  readonly username: string | undefined;
  private readonly accountList: DeviceAccount[] = [];
  private readonly ignored = new Set<string>();
  private policyValue: DevicePolicy | undefined;
  /** Bumped on every policy change, so jobs of an older policy do nothing. */
  private generation = 0;
  private readonly unsubscribe: () => void;
  readonly log: DeviceLogEntry[] = [];

  constructor(
    readonly tenant: VirtualTenant,
    options: DeviceOptions = {},
  ) {
    this.name = options.name ?? "Pushflow Virtual Device";
    this.username = options.username;
    this.unsubscribe = tenant.on((event) => this.onEvent(event));
    if (options.policy !== undefined) this.setPolicy(options.policy);
  }

  get accounts(): readonly DeviceAccount[] {
    return this.accountList;
  }

  get policy(): DevicePolicy | undefined {
    return this.policyValue;
  }

  /** Confirms the enrollment of a barcode_uri (or a bare `enrollment_tx_id`). */
  scan(barcodeUri: string): DeviceAccount {
    const account = this.tenant.guardian.enroll(barcodeUri, this.name);
    this.accountList.push(account);
    this.log.push({ at: this.tenant.now(), type: "scanned", username: account.username, authenticatorId: account.pushAuthenticatorId });
    // A push may be sent to this account later; nothing is pending yet.
    return account;
  }

  /** Associates and confirms in one go, without an mfa_token: a user that is already enrolled. */
  enroll(username: string): { readonly account: DeviceAccount; readonly recoveryCode: string | undefined } {
    const association = this.tenant.guardian.startEnrollment(username);
    return { account: this.scan(association.barcodeUri), recoveryCode: association.recoveryCodes?.[0] };
  }

  /** The newest pending push for this device's accounts (of one user when given). */
  pending(username?: string): PushView | undefined {
    return this.tenant.guardian.pending(this.deviceIds(username)).find((p) => !this.ignored.has(p.id));
  }

  approve(username?: string): PushView {
    return this.answer(true, username);
  }

  reject(username?: string): PushView {
    return this.answer(false, username);
  }

  /** Looks away: the push stays pending until it expires or a newer one replaces it. */
  ignore(username?: string): PushView {
    const push = this.requirePending(username);
    this.ignored.add(push.id);
    this.log.push({ at: this.tenant.now(), type: "ignored", username: push.username, pushId: push.id });
    return push;
  }

  /** The current OTP (6 digits, 30 s, SHA1) on the tenant clock; `at` for another time. */
  totp(options: { readonly username?: string; readonly at?: number } = {}): string {
    const account = [...this.accountList].reverse().find((a) => options.username === undefined || sameName(a.username, options.username));
    if (account === undefined) throw new GuardianError("device_account_not_found", "The device has no enrolled account", 404);
    return TOTP.generate({
      secret: Secret.fromBase32(account.totpSecret),
      algorithm: "SHA1",
      digits: 6,
      period: 30,
      timestamp: options.at ?? this.tenant.now(),
    });
  }

  /** Replaces the automatic policy (undefined stops it). Pending work is rescheduled from its start. */
  setPolicy(policy: DevicePolicy | undefined): void {
    this.policyValue = policy;
    this.generation++;
    if (policy === undefined) return;
    for (const tx of this.tenant.enrollments(this.username)) {
      if (tx.status === "pending") this.planScan(tx.txId, tx.createdAt);
    }
    for (const push of this.tenant.guardian.pending(this.deviceIds())) this.planAnswer(push.id, push.createdAt);
  }

  /** Stops listening to the tenant (the device keeps its accounts). */
  dispose(): void {
    this.generation++;
    this.unsubscribe();
  }

  private answer(accepted: boolean, username?: string): PushView {
    const push = this.requirePending(username);
    this.resolve(push, accepted);
    return push;
  }

  /** Answers a push sent to one of this device's accounts, and logs it. */
  private resolve(push: PushView, accepted: boolean): void {
    const account = this.accountList.find((a) => a.pushAuthenticatorId === push.authenticatorId);
    if (account === undefined) throw new GuardianError("device_account_not_found", "The push is for another device", 404);
    this.tenant.guardian.resolve(push.id, account.deviceId, accepted);
    this.log.push({ at: this.tenant.now(), type: accepted ? "approved" : "rejected", username: push.username, pushId: push.id });
  }

  /** The `dev_` ids of this device's accounts (of one user when given). */
  private deviceIds(username?: string): Set<string> {
    return new Set(this.accountList.filter((a) => username === undefined || sameName(a.username, username)).map((a) => a.deviceId));
  }

  private requirePending(username?: string): PushView {
    const push = this.pending(username);
    if (push === undefined) throw new GuardianError("login_transaction_not_found", "No pending push notification", 404);
    return push;
  }

  private onEvent(event: TenantEvent): void {
    if (this.policyValue === undefined) return;
    if (event.type === "enrollment-started" && (this.username === undefined || sameName(this.username, event.username))) {
      this.planScan(event.txId, event.at);
    } else if (event.type === "push-sent" && this.accountList.some((a) => a.deviceId === event.deviceId)) {
      this.planAnswer(event.challengeId, event.at);
    }
  }

  private planScan(txId: string, startedAt: number): void {
    const after = this.policyValue?.scanAfterMs;
    if (after === undefined) return;
    const generation = this.generation;
    this.tenant.schedule(startedAt + after, () => {
      if (generation !== this.generation) return;
      this.quietly(() => this.scan(txId));
    });
  }

  private planAnswer(pushId: string, sentAt: number): void {
    const policy = this.policyValue;
    if (policy?.answer === undefined || policy.answer === "ignore") return;
    const accepted = policy.answer === "approve";
    const generation = this.generation;
    this.tenant.schedule(sentAt + (policy.answerAfterMs ?? 0), () => {
      if (generation !== this.generation || this.ignored.has(pushId)) return;
      this.quietly(() => {
        const push = this.tenant.guardian.pending(this.deviceIds()).find((p) => p.id === pushId);
        if (push === undefined) throw new GuardianError("login_transaction_not_found", "The push is no longer pending", 404);
        this.resolve(push, accepted);
      });
    });
  }

  /** Automatic actions never throw into the request that happened to run them. */
  private quietly(action: () => void): void {
    try {
      action();
    } catch (error) {
      const code = error instanceof GuardianError ? error.errorCode : "internal";
      const message = error instanceof Error ? error.message : String(error);
      this.log.push({ at: this.tenant.now(), type: "error", errorCode: code, message });
    }
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A virtual Guardian device bound to `tenant` (see `DeviceOptions`). */
export function createDevice(tenant: VirtualTenant, options: DeviceOptions = {}): VirtualDevice {
  return new VirtualDevice(tenant, options);
}
