import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { enroll, start, USER } from "./helpers.ts";

const OTP = "http://auth0.com/oauth/grant-type/mfa-otp";

describe("tokens", () => {
  it("signs RS256 access and id tokens that verify against the JWKS", async () => {
    const { emulator, clock, login, form, get } = await start();
    enroll(emulator);
    const token = await login({ audience: "https://api.example.com/", scope: "openid profile email" });
    const answer = await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp: emulator.device(USER.username).totp() });
    const jwks = createRemoteJWKSet(new URL(emulator.jwksUrl));
    const currentDate = new Date(clock.now());
    const access = await jwtVerify(String(answer.body.access_token), jwks, { issuer: `${emulator.url}/`, currentDate });
    expect(decodeProtectedHeader(String(answer.body.access_token))).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(access.payload).toMatchObject({ sub: emulator.tenant.user(USER.username)?.id, azp: "app", scope: "openid profile email", amr: ["mfa"] });
    expect(access.payload.exp).toBe(Math.floor(clock.now() / 1000) + 86_400);
    const id = await jwtVerify(String(answer.body.id_token), jwks, { issuer: `${emulator.url}/`, audience: "app", currentDate });
    expect(id.payload.email).toBe(USER.username);
    const keys = (await get("/.well-known/jwks.json")).body.keys as Record<string, unknown>[];
    expect(keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty("d");
    expect((await get("/.well-known/openid-configuration")).body.jwks_uri).toBe(emulator.jwksUrl);
  });

  it("deletes an authenticator (%7C-encoded) with an /mfa/ access token, twins together", async () => {
    const { emulator, login, form, send, get } = await start();
    const { pushId } = enroll(emulator);
    const audience = `${emulator.url}/mfa/`;
    const token = await login({ audience, scope: "openid read:authenticators remove:authenticators" });
    const answer = await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp: emulator.device(USER.username).totp() });
    expect(answer.body.expires_in).toBe(600);
    const accessToken = String(answer.body.access_token);
    const listed = await get("/mfa/authenticators", { authorization: `Bearer ${accessToken}` });
    expect(listed.list).toHaveLength(3);
    const path = `/mfa/authenticators/${encodeURIComponent(pushId)}`;
    expect(path).toContain("%7C");
    const withMfaToken = await send("DELETE", path, undefined, { authorization: `Bearer ${token}` });
    expect(withMfaToken.status).toBe(401);
    const deleted = await send("DELETE", path, undefined, { authorization: `Bearer ${accessToken}` });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(emulator.tenant.authenticators(USER.username)).toEqual([]);
    const again = await send("DELETE", path, undefined, { authorization: `Bearer ${accessToken}` });
    expect(again.status).toBe(404);
    const forged = `${accessToken.slice(0, -4)}AAAA`;
    expect((await send("DELETE", path, undefined, { authorization: `Bearer ${forged}` })).status).toBe(401);
  });

  it("refuses an access token without remove:authenticators", async () => {
    const { emulator, login, form, send } = await start();
    const { pushId } = enroll(emulator);
    const token = await login({ audience: `${emulator.url}/mfa/`, scope: "openid read:authenticators" });
    const answer = await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp: emulator.device(USER.username).totp() });
    const a = await send("DELETE", `/mfa/authenticators/${encodeURIComponent(pushId)}`, undefined, {
      authorization: `Bearer ${String(answer.body.access_token)}`,
    });
    expect(a.status).toBe(403);
    expect(a.body.error).toBe("insufficient_scope");
  });
});
