import type { Context, Hono } from "hono";
import { FAILURES, GRANTS, type Grant } from "@pushflow/tenant";
import type { EmulatorContext, EmulatorEnv } from "../context.ts";
import { failureResponse, field, json, missing, oauthError, type Body } from "../http.ts";

/** Client credentials from the body (client_secret_post) or a Basic header (client_secret_basic). */
function clientOf(c: Context<EmulatorEnv>, body: Body): { clientId: string; clientSecret?: string } | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  if (basic?.[1] !== undefined) {
    try {
      const [id = "", secret = ""] = atob(basic[1]).split(":");
      return { clientId: decodeURIComponent(id), clientSecret: decodeURIComponent(secret) };
    } catch {
      return undefined;
    }
  }
  const clientId = field(body, "client_id");
  if (clientId === undefined || clientId === "") return undefined;
  const clientSecret = field(body, "client_secret");
  return clientSecret === undefined ? { clientId } : { clientId, clientSecret };
}

/** The 200 answer of a grant, with signed tokens. */
async function tokenResponse(ctx: EmulatorContext, grant: Grant): Promise<Response> {
  const { accessToken, idToken } = await ctx.signer.sign(grant);
  return json({
    access_token: accessToken,
    ...(idToken === undefined ? {} : { id_token: idToken }),
    ...(grant.refreshToken === undefined ? {} : { refresh_token: grant.refreshToken }),
    scope: grant.scope,
    expires_in: grant.expiresIn,
    token_type: "Bearer",
    ...(grant.recoveryCode === undefined ? {} : { recovery_code: grant.recoveryCode }),
  });
}

/** `POST /oauth/token`: password, password-realm and the three MFA grants. */
export function tokenRoute(app: Hono<EmulatorEnv>, ctx: EmulatorContext): void {
  app.post("/oauth/token", async (c) => {
    const body = c.get("body");
    const grantType = field(body, "grant_type");
    if (grantType === undefined || grantType === "") return missing("grant_type");
    const client = clientOf(c, body);
    if (client === undefined) return failureResponse(FAILURES.invalidClient());
    const params = (...names: string[]): Record<string, string> | Response => {
      const out: Record<string, string> = {};
      for (const name of names) {
        const value = field(body, name);
        if (value === undefined || value === "") return missing(name);
        out[name] = value;
      }
      return out;
    };

    switch (grantType) {
      case GRANTS.password:
      case GRANTS.passwordRealm: {
        const p = grantType === GRANTS.password ? params("username", "password") : params("username", "password", "realm");
        if (p instanceof Response) return p;
        const result = ctx.tenant.api.login({
          ...client,
          username: p.username ?? "",
          password: p.password ?? "",
          realm: p.realm,
          audience: field(body, "audience"),
          scope: field(body, "scope"),
        });
        if (!result.ok) return failureResponse(result.failure);
        if (result.value.type === "tokens") return tokenResponse(ctx, result.value.grant);
        return json({ error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: result.value.mfaToken }, 403);
      }
      case GRANTS.mfaOob: {
        const p = params("mfa_token", "oob_code");
        if (p instanceof Response) return p;
        const result = ctx.tenant.api.verifyOob({ ...client, mfaToken: p.mfa_token ?? "", oobCode: p.oob_code ?? "" });
        return result.ok ? tokenResponse(ctx, result.value) : failureResponse(result.failure);
      }
      case GRANTS.mfaOtp: {
        const p = params("mfa_token", "otp");
        if (p instanceof Response) return p;
        const result = ctx.tenant.api.verifyOtp({ ...client, mfaToken: p.mfa_token ?? "", otp: p.otp ?? "" });
        return result.ok ? tokenResponse(ctx, result.value) : failureResponse(result.failure);
      }
      case GRANTS.mfaRecoveryCode: {
        const p = params("mfa_token", "recovery_code");
        if (p instanceof Response) return p;
        const result = ctx.tenant.api.verifyRecoveryCode({ ...client, mfaToken: p.mfa_token ?? "", recoveryCode: p.recovery_code ?? "" });
        return result.ok ? tokenResponse(ctx, result.value) : failureResponse(result.failure);
      }
      default:
        return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
    }
  });
}
