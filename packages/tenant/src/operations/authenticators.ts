import type { Authenticator } from "@pushflow/core";
import { FAILURES, refuse, success, type TenantResult } from "../failures.ts";
import type { GrantRecord, UserRecord } from "../model.ts";
import type { TenantState } from "../state.ts";

/** How a request to `/mfa/authenticators` proves who it is. */
export type Bearer =
  | { readonly mfaToken: string }
  /** The mock's opaque access token. */
  | { readonly accessToken: string }
  /** A grant id, for a face that verified its own (signed) access token, like the emulator. */
  | { readonly grantId: string };

function grantOf(state: TenantState, bearer: Bearer): GrantRecord | undefined {
  if ("grantId" in bearer) return state.liveGrant(bearer.grantId);
  if ("accessToken" in bearer) {
    const id = state.accessTokens.get(bearer.accessToken);
    return id === undefined ? undefined : state.liveGrant(id);
  }
  return undefined;
}

/** An access token for the `/mfa/` audience with `scope` (among others). */
function mfaApiGrant(state: TenantState, bearer: Bearer, scope: string): TenantResult<GrantRecord> {
  const grant = grantOf(state, bearer);
  if (grant === undefined) return refuse(FAILURES.invalidAccessToken());
  if (grant.audience !== state.mfaAudience || !grant.scope.split(/\s+/).includes(scope)) {
    return refuse(FAILURES.insufficientScope(scope));
  }
  return success(grant);
}

/** The entries of `GET /mfa/authenticators`, as Auth0 lists them (inactive ones included). */
export function authenticatorViews(state: TenantState, user: UserRecord): Authenticator[] {
  const list: Authenticator[] = [];
  for (const a of state.authenticatorsOf(user.id)) {
    if (a.kind === "push") {
      list.push({
        id: a.id,
        authenticatorType: "oob",
        active: a.active,
        oobChannel: "auth0",
        ...(a.name === undefined ? {} : { name: a.name }),
      });
    } else {
      list.push({ id: a.id, authenticatorType: "otp", active: a.active });
    }
  }
  if (user.recovery !== undefined) {
    list.push({ id: user.recovery.authenticatorId, authenticatorType: "recovery-code", active: user.recovery.active });
  }
  return list;
}

/** `GET /mfa/authenticators` with an mfa_token, or an `/mfa/` access token with `read:authenticators`. */
export function listAuthenticators(state: TenantState, bearer: Bearer): TenantResult<Authenticator[]> {
  let user: UserRecord;
  if ("mfaToken" in bearer) {
    const token = state.checkMfaToken(bearer.mfaToken);
    if (!token.ok) return token;
    user = token.value.user;
  } else {
    const grant = mfaApiGrant(state, bearer, "read:authenticators");
    if (!grant.ok) return grant;
    user = state.user(grant.value.userId);
  }
  return success(authenticatorViews(state, user));
}

/**
 * `DELETE /mfa/authenticators/{id}` with an `/mfa/` access token with `remove:authenticators`
 * (an mfa_token is not enough). A push authenticator and its OTP twin go together.
 */
export function deleteAuthenticator(state: TenantState, bearer: Bearer, authenticatorId: string): TenantResult<void> {
  if ("mfaToken" in bearer) return refuse(FAILURES.invalidAccessToken());
  const grant = mfaApiGrant(state, bearer, "remove:authenticators");
  if (!grant.ok) return grant;
  const user = state.user(grant.value.userId);
  const target = state.authenticators.get(authenticatorId);
  if (target === undefined || target.userId !== user.id) return refuse(FAILURES.authenticatorNotFound());
  for (const kind of ["push", "totp"]) state.authenticators.delete(`${kind}|${target.deviceId}`);
  for (const push of state.challenges.values()) {
    if (push.deviceId === target.deviceId && push.status === "pending") push.status = "superseded";
  }
  // With no factor left the user starts over, recovery code included.
  if (state.authenticatorsOf(user.id).length === 0) user.recovery = undefined;
  return success(undefined);
}
