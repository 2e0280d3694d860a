/**
 * Details of Auth0's answers taken from the live captures in the protocol notes
 * (../shared/spec/protocol.md §13): the token endpoint's content type, the recovery-code
 * alphabet, opaque access tokens without an audience, id_token claims by scope.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { enroll, start, USER } from "./helpers.ts";

const OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const RC = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
/** The characters of the captured codes (M67LWV6ZJGNDUGH43BADW46N, 17EQHNZC2SZDYG7X4QXVX9SW, …). */
const RECOVERY_CODE = /^[1-9A-HJ-NP-Z]{24}$/;

describe("closer to Auth0 (captures)", () => {
  it("/oauth/token answers are application/json without a charset; /mfa answers keep it", async () => {
    const { emulator, login, form, associate } = await start();
    const token = await login();
    const pending = await form("/oauth/token", { grant_type: "http://auth0.com/oauth/grant-type/mfa-oob", client_id: "app", mfa_token: token, oob_code: "x" });
    expect(pending.status).toBeGreaterThanOrEqual(400);
    expect(pending.headers.get("content-type")).toBe("application/json");
    const mfaRequired = await form("/oauth/token", { grant_type: "password", client_id: "app", ...USER });
    expect(mfaRequired.headers.get("content-type")).toBe("application/json");
    const associated = await associate(token);
    expect(associated.headers.get("content-type")).toBe("application/json; charset=utf-8");
    emulator.device(USER.username).scan(String(associated.body.barcode_uri));
    const tokens = await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: await login(), otp: emulator.device(USER.username).totp() });
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get("content-type")).toBe("application/json");
    emulator.faults.add({ route: "POST /oauth/token", status: 429, times: 1 });
    expect((await form("/oauth/token", { grant_type: "password", client_id: "app", ...USER })).headers.get("content-type")).toBe("application/json");
  });

  it("recovery codes use the captured alphabet: 24 characters, no 0, I or O", async () => {
    const { emulator, login, form } = await start();
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const username = `rc-${i}@example.com`;
      emulator.tenant.addUser({ username, password: "pw" });
      codes.push(enroll(emulator, username).recoveryCode);
    }
    const { recoveryCode } = enroll(emulator);
    const ok = await form("/oauth/token", { grant_type: RC, client_id: "app", mfa_token: await login(), recovery_code: recoveryCode });
    expect(ok.status).toBe(200);
    codes.push(String(ok.body.recovery_code), recoveryCode);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
  });

  it("a login without an audience gets an opaque access token; with an API audience, a JWT", async () => {
    const { emulator, clock, login, form } = await start();
    enroll(emulator);
    const otp = async (extra: Record<string, string> = {}) => {
      clock.increment(30_000); // an OTP is good once
      return form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: await login(extra), otp: emulator.device(USER.username).totp() });
    };
    const opaque = await otp();
    expect(opaque.status).toBe(200);
    const accessToken = String(opaque.body.access_token);
    expect(accessToken).not.toContain(".");
    expect(() => decodeJwt(accessToken)).toThrow();
    expect(opaque.body.id_token).toEqual(expect.any(String));

    const api = await otp({ audience: "https://api.example.com/" });
    const jwks = createRemoteJWKSet(new URL(emulator.jwksUrl));
    const { payload } = await jwtVerify(String(api.body.access_token), jwks, {
      issuer: emulator.issuer,
      audience: "https://api.example.com/",
      currentDate: new Date(clock.now()),
    });
    expect(payload.aud).toEqual(["https://api.example.com/", `${emulator.issuer}userinfo`]);
  });

  it("the id_token's claims follow the scope: email only with `email`, name only with `profile`", async () => {
    const { emulator, clock, login, form } = await start();
    enroll(emulator);
    const jwks = createRemoteJWKSet(new URL(emulator.jwksUrl));
    const idToken = async (scope: string) => {
      clock.increment(30_000); // an OTP is good once
      const a = await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: await login({ scope }), otp: emulator.device(USER.username).totp() });
      expect(a.body.scope).toBe(scope);
      const { payload } = await jwtVerify(String(a.body.id_token), jwks, { issuer: emulator.issuer, audience: "app", currentDate: new Date(clock.now()) });
      return payload;
    };
    const base = ["iss", "sub", "aud", "iat", "exp", "amr"];
    expect(Object.keys(await idToken("openid")).sort()).toEqual([...base].sort());
    const profile = await idToken("openid profile");
    expect(Object.keys(profile).sort()).toEqual([...base, "name", "nickname", "picture", "updated_at"].sort());
    expect(profile).toMatchObject({ name: USER.username, nickname: "ada" });
    expect(profile).not.toHaveProperty("email");
    const email = await idToken("openid email");
    expect(email).toMatchObject({ email: USER.username, email_verified: false });
    expect(email).not.toHaveProperty("name");
  });
});
