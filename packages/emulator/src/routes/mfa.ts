import type { Hono } from "hono";
import { FAILURES, type Bearer } from "@pushflow/tenant";
import type { EmulatorContext, EmulatorEnv } from "../context.ts";
import { bearerOf, failureResponse, field, json, listField, missing } from "../http.ts";
import { looksLikeJwt } from "../tokens.ts";

/** `/mfa/associate`, `/mfa/authenticators`, `/mfa/challenge` and `DELETE /mfa/authenticators/:id`. */
export function mfaRoutes(app: Hono<EmulatorEnv>, ctx: EmulatorContext): void {
  /** An access token of ours becomes its grant id; anything else is an mfa_token for the tenant to judge. */
  const bearer = async (token: string): Promise<Bearer | undefined> => {
    if (!looksLikeJwt(token)) return { mfaToken: token };
    const grantId = await ctx.signer.verifyAccessToken(token);
    return grantId === undefined ? undefined : { grantId };
  };

  app.post("/mfa/associate", (c) => {
    const body = c.get("body");
    const clientId = field(body, "client_id");
    const clientSecret = field(body, "client_secret");
    const result = ctx.tenant.api.associate({
      mfaToken: bearerOf(c),
      authenticatorTypes: listField(body, "authenticator_types"),
      oobChannels: listField(body, "oob_channels"),
      client: clientId === undefined ? undefined : { clientId, ...(clientSecret === undefined ? {} : { clientSecret }) },
    });
    if (!result.ok) return failureResponse(result.failure);
    // Field order of the live capture.
    return json({
      authenticator_type: "oob",
      barcode_uri: result.value.barcodeUri,
      ...(result.value.recoveryCodes === undefined ? {} : { recovery_codes: result.value.recoveryCodes }),
      oob_channel: "auth0",
      oob_code: result.value.oobCode,
    });
  });

  app.get("/mfa/authenticators", async (c) => {
    const who = await bearer(bearerOf(c));
    if (who === undefined) return failureResponse(FAILURES.invalidAccessToken());
    const result = ctx.tenant.api.listAuthenticators(who);
    if (!result.ok) return failureResponse(result.failure);
    return json(
      result.value.map((a) => ({
        id: a.id,
        authenticator_type: a.authenticatorType,
        active: a.active,
        ...(a.oobChannel === undefined ? {} : { oob_channel: a.oobChannel }),
        ...(a.name === undefined ? {} : { name: a.name }),
      })),
    );
  });

  app.post("/mfa/challenge", (c) => {
    const body = c.get("body");
    const mfaToken = field(body, "mfa_token");
    if (mfaToken === undefined || mfaToken === "") return missing("mfa_token");
    const clientId = field(body, "client_id");
    if (clientId === undefined || clientId === "") return failureResponse(FAILURES.invalidClient());
    const result = ctx.tenant.api.challenge({
      clientId,
      clientSecret: field(body, "client_secret"),
      mfaToken,
      challengeType: field(body, "challenge_type"),
      authenticatorId: field(body, "authenticator_id"),
    });
    if (!result.ok) return failureResponse(result.failure);
    return json(
      result.value.challengeType === "oob" ? { challenge_type: "oob", oob_code: result.value.oobCode } : { challenge_type: "otp" },
    );
  });

  app.delete("/mfa/authenticators/:id", async (c) => {
    const who = await bearer(bearerOf(c));
    if (who === undefined) return failureResponse(FAILURES.invalidAccessToken());
    const result = ctx.tenant.api.deleteAuthenticator(who, c.req.param("id"));
    return result.ok ? new Response(null, { status: 204 }) : failureResponse(result.failure);
  });
}
