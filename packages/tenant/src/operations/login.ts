import { FAILURES, refuse, success, type TenantResult } from "../failures.ts";
import type { GrantRecord } from "../model.ts";
import type { ClientAuth, TenantState } from "../state.ts";

export interface LoginInput extends ClientAuth {
  readonly username: string;
  readonly password: string;
  /** With a realm (password-realm grant), it must name the user's connection. */
  readonly realm?: string | undefined;
  readonly audience?: string | undefined;
  readonly scope?: string | undefined;
}

export type LoginOutput =
  | { readonly type: "tokens"; readonly grant: GrantRecord }
  | { readonly type: "mfa_required"; readonly mfaToken: string; readonly expiresAt: number };

export const DEFAULT_SCOPE = "openid profile";

/** The password and password-realm grants: tokens, or `mfa_required` with a new mfa_token. */
export function login(state: TenantState, input: LoginInput): TenantResult<LoginOutput> {
  const client = state.authenticateClient(input);
  if (!client.ok) return client;
  const user = state.userByName(input.username);
  if (user === undefined || user.password !== input.password) return refuse(FAILURES.wrongCredentials());
  if (input.realm !== undefined && input.realm !== user.connection) return refuse(FAILURES.wrongCredentials());
  const request = { audience: input.audience, scope: input.scope ?? DEFAULT_SCOPE };
  if (!user.mfa) return success({ type: "tokens", grant: state.issueGrant(user, input.clientId, request, "password") });
  const token = state.issueMfaToken(user, input.clientId, request.audience, request.scope);
  return success({ type: "mfa_required", mfaToken: token.token, expiresAt: token.expiresAt });
}
