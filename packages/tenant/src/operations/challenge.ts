import { FAILURES, refuse, success, type TenantResult } from "../failures.ts";
import type { AuthenticatorRecord, ChallengeRecord } from "../model.ts";
import { GRANTS, type ClientAuth, type TenantState } from "../state.ts";
import { GuardianError } from "./guardian-error.ts";

export interface TenantChallengeInput extends ClientAuth {
  readonly mfaToken: string;
  /** Whitespace-separated accepted types (`oob`, `otp`); omitted = all. */
  readonly challengeType?: string | undefined;
  readonly authenticatorId?: string | undefined;
}

export type TenantChallengeOutput =
  | { readonly challengeType: "oob"; readonly oobCode: string; readonly challengeId: string; readonly expiresAt: number }
  | { readonly challengeType: "otp" };

/**
 * `POST /mfa/challenge`. A push consumes one of the user's push tokens (5 a minute) and
 * supersedes the user's previous pending push.
 */
export function challenge(state: TenantState, input: TenantChallengeInput): TenantResult<TenantChallengeOutput> {
  const types = (input.challengeType ?? "oob otp").split(/\s+/).filter((t) => t !== "");
  const client = state.authenticateMfaClient(input, types.includes("oob") ? GRANTS.mfaOob : GRANTS.mfaOtp);
  if (!client.ok) return client;
  const token = state.checkMfaToken(input.mfaToken, input.clientId);
  if (!token.ok) return token;
  const user = token.value.user;
  const active = state.authenticatorsOf(user.id).filter((a) => a.active);
  if (active.length === 0) return refuse(FAILURES.associationRequired());

  let chosen: AuthenticatorRecord | undefined;
  if (input.authenticatorId !== undefined) {
    chosen = active.find((a) => a.id === input.authenticatorId);
    if (chosen === undefined) return refuse(FAILURES.invalidAuthenticator());
    const type = chosen.kind === "push" ? "oob" : "otp";
    if (!types.includes(type)) {
      return refuse(FAILURES.unsupportedChallengeType(`The authenticator does not support challenge type '${types.join(" ")}'.`));
    }
  } else {
    // Auth0 picks from what the app accepts and what the user has; push first.
    chosen = types.includes("oob") ? active.find((a) => a.kind === "push") : undefined;
    chosen ??= types.includes("otp") ? active.find((a) => a.kind === "totp") : undefined;
    if (chosen === undefined) {
      return refuse(FAILURES.unsupportedChallengeType(`User is not enrolled with any authenticator of type '${types.join(" ")}'.`));
    }
  }
  if (chosen.kind === "totp") return success({ challengeType: "otp" });

  const limits = state.limits;
  const bucket = state.bucket(`push:${user.id}`, limits.pushBurst, limits.pushRefillMs);
  if (!bucket.take(state.now())) return refuse(state.rateLimited(bucket));

  const now = state.now();
  for (const old of state.challenges.values()) {
    if (old.userId === user.id && old.status === "pending") old.status = "superseded";
  }
  const expiresAt = now + limits.challengeLifetimeMs;
  const record: ChallengeRecord = {
    id: state.ids.opaque("txn_"),
    oobCode: state.ids.sealed(expiresAt, now),
    userId: user.id,
    authenticatorId: chosen.id,
    deviceId: chosen.deviceId,
    createdAt: now,
    expiresAt,
    status: "pending",
  };
  state.challenges.set(record.id, record);
  state.oobCodes.set(record.oobCode, { kind: "challenge", record });
  state.emit({
    type: "push-sent",
    at: now,
    challengeId: record.id,
    username: user.username,
    authenticatorId: chosen.id,
    deviceId: chosen.deviceId,
  });
  return success({ challengeType: "oob", oobCode: record.oobCode, challengeId: record.id, expiresAt });
}

/** The pending, unexpired pushes sent to a device, newest first. */
export function pendingPushes(state: TenantState, deviceIds: ReadonlySet<string>): ChallengeRecord[] {
  const now = state.now();
  return [...state.challenges.values()]
    .filter((c) => deviceIds.has(c.deviceId) && c.status === "pending" && now < c.expiresAt)
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** The device answered a push (Guardian's `api/resolve-transaction`). */
export function resolvePush(state: TenantState, challengeId: string, deviceId: string, accepted: boolean): void {
  const record = state.challenges.get(challengeId);
  if (record === undefined || record.deviceId !== deviceId || record.status !== "pending" || state.now() >= record.expiresAt) {
    throw new GuardianError("login_transaction_not_found", "The push transaction is not active or has expired", 404);
  }
  const push = state.authenticators.get(record.authenticatorId);
  if (push === undefined || !push.active) {
    throw new GuardianError("login_transaction_not_found", "The push authenticator was deleted", 404);
  }
  record.status = accepted ? "approved" : "rejected";
  state.emit({
    type: "push-answered",
    at: state.now(),
    challengeId,
    username: state.user(record.userId).username,
    answer: accepted ? "approved" : "rejected",
  });
}
