import type { Hono } from "hono";
import { GRANTS } from "@pushflow/tenant";
import type { EmulatorContext, EmulatorEnv } from "../context.ts";
import { json } from "../http.ts";

/** The JWKS that verifies the emulator's tokens, and a minimal OpenID discovery document. */
export function wellKnownRoutes(app: Hono<EmulatorEnv>, ctx: EmulatorContext): void {
  app.get("/.well-known/jwks.json", () => json(ctx.signer.jwks));
  app.get("/.well-known/openid-configuration", () => {
    const issuer = ctx.tenant.issuer;
    return json({
      issuer,
      token_endpoint: `${issuer}oauth/token`,
      jwks_uri: `${issuer}.well-known/jwks.json`,
      grant_types_supported: Object.values(GRANTS),
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    });
  });
}
