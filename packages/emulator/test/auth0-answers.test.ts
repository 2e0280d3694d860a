import { describe, expect, it } from "vitest";
import { enroll, SECRET_CLIENT, start, USER } from "./helpers.ts";

const OOB = "http://auth0.com/oauth/grant-type/mfa-oob";
const OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const RC = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

describe("Auth0 answers over HTTP", () => {
  it("password login with MFA: 403 mfa_required with an mfa_token", async () => {
    const { form } = await start();
    const a = await form("/oauth/token", { grant_type: "password", client_id: "app", ...USER });
    expect(a.status).toBe(403);
    expect(a.body).toMatchObject({ error: "mfa_required", error_description: "Multifactor authentication required" });
    expect(a.body.mfa_token).toMatch(/^Fe26\.2\*/);
    const realm = await form("/oauth/token", {
      grant_type: "http://auth0.com/oauth/grant-type/password-realm",
      client_id: "app",
      realm: "Username-Password-Authentication",
      ...USER,
    });
    expect(realm.body.error).toBe("mfa_required");
  });

  it("wrong password: 403 invalid_grant", async () => {
    const { form } = await start();
    const a = await form("/oauth/token", { grant_type: "password", client_id: "app", username: USER.username, password: "nope" });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: "invalid_grant", error_description: "Wrong email or password." });
  });

  it("associate, poll before the scan (400 authorization_pending), scan, tokens", async () => {
    const { emulator, login, associate, poll } = await start();
    const token = await login();
    const a = await associate(token);
    expect(a.status).toBe(200);
    expect(Object.keys(a.body)).toEqual(["authenticator_type", "barcode_uri", "recovery_codes", "oob_channel", "oob_code"]);
    expect(a.body.barcode_uri).toBe(
      `otpauth://totp/Pushflow%20Emulator:ada%40example.com?enrollment_tx_id=${String(a.body.barcode_uri).match(/enrollment_tx_id=([A-Za-z0-9]{32})/)?.[1]}&base_url=${encodeURIComponent(`${emulator.url}/appliance-mfa`)}`,
    );
    const oobCode = String(a.body.oob_code);
    const pending = await poll(token, oobCode);
    expect(pending.status).toBe(400);
    expect(pending.text).toBe(
      '{"error":"authorization_pending","error_description":"Authorization pending: please repeat the request in a few seconds."}',
    );
    emulator.device(USER.username).scan(String(a.body.barcode_uri));
    const tokens = await poll(token, oobCode);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: "Bearer", scope: "openid profile", expires_in: 86_400 });
    expect(typeof tokens.body.access_token).toBe("string");
    expect(typeof tokens.body.id_token).toBe("string");
  });

  it("poll too fast: 429 slow_down with Retry-After", async () => {
    const { emulator, login, associate, poll } = await start({ limits: { pollBurst: 2 } });
    const token = await login();
    const oobCode = String((await associate(token)).body.oob_code);
    await poll(token, oobCode);
    await poll(token, oobCode);
    const slow = await poll(token, oobCode);
    expect(slow.status).toBe(429);
    expect(slow.body).toEqual({ error: "slow_down", error_description: "You are polling faster than allowed. Try again in 5 seconds." });
    expect(slow.headers.get("retry-after")).toBe("5");
    expect(emulator.requests.count({ oobCode })).toBe(3);
  });

  it("push rejected: 400 access_denied; challenge JSON without Authorization header", async () => {
    const { emulator, login, challenge, poll } = await start();
    const { pushId } = enroll(emulator);
    const token = await login();
    const c = await challenge(token, pushId);
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ challenge_type: "oob", oob_code: expect.stringMatching(/^Fe26\.2\*/) });
    emulator.device(USER.username).reject();
    const a = await poll(token, String(c.body.oob_code));
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ error: "access_denied", error_description: "MFA Authorization rejected." });
  });

  it("enrollment not scanned in 5 minutes: 403 expired_token oob_code is expired", async () => {
    const { clock, login, associate, poll } = await start({ limits: { mfaTokenLifetimeMs: 10 * 60_000 } });
    const token = await login();
    const oobCode = String((await associate(token)).body.oob_code);
    clock.increment(5 * 60_000);
    const a = await poll(token, oobCode);
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: "expired_token", error_description: "oob_code is expired" });
  });

  it("mfa_token expired: 401 expired_token", async () => {
    const { clock, login, associate } = await start();
    const token = await login();
    clock.increment(5 * 60_000);
    const a = await associate(token);
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ error: "expired_token", error_description: "mfa_token is expired" });
  });

  it("mfa_token malformed or unknown: 401 invalid_grant", async () => {
    const { login, associate, get } = await start();
    const malformed = await associate("garbage");
    expect(malformed.status).toBe(401);
    expect(malformed.body).toEqual({ error: "invalid_grant", error_description: "Malformed mfa_token" });
    const forged = (await login()).replace(/\*[^*]+$/, "*forged");
    const unknown = await get("/mfa/authenticators", { authorization: `Bearer ${forged}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ error: "invalid_grant", error_description: "The mfa_token provided is invalid. Try getting a new token." });
  });

  it("associate when already enrolled: 403 access_denied", async () => {
    const { emulator, login, associate } = await start();
    enroll(emulator);
    const a = await associate(await login());
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: "access_denied", error_description: "User is already enrolled." });
  });

  it("challenge without enrollment: 400 association_required", async () => {
    const { login, challenge } = await start();
    const a = await challenge(await login(), "push|dev_AAAAAAAAAAAAAAAA");
    expect(a.status).toBe(400);
    expect(a.body.error).toBe("association_required");
  });

  it("unknown authenticator: 404 invalid_authenticator", async () => {
    const { emulator, login, challenge } = await start();
    enroll(emulator);
    const a = await challenge(await login(), "push|dev_AAAAAAAAAAAAAAAA");
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ error: "invalid_authenticator", error_description: "Authenticator not found or inactive" });
  });

  it("MFA grant off: 403 unauthorized_client", async () => {
    const { login, poll } = await start();
    const token = await login({}, "no-mfa");
    const a = await poll(token, "x", { client_id: "no-mfa" });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({
      error: "unauthorized_client",
      error_description: "Grant type 'http://auth0.com/oauth/grant-type/mfa-oob' not allowed for the client.",
    });
  });

  it("wrong client secret: 401 invalid_client (form and Basic)", async () => {
    const { login, poll, emulator } = await start();
    const token = await login({ client_secret: SECRET_CLIENT.secret }, SECRET_CLIENT.id);
    const a = await poll(token, "x", { client_id: SECRET_CLIENT.id, client_secret: "wrong" });
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed" });
    const basic = await fetch(`${emulator.url}/oauth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${SECRET_CLIENT.id}:wrong`)}` },
      body: new URLSearchParams({ grant_type: OOB, mfa_token: token, oob_code: "x" }),
    });
    expect(basic.status).toBe(401);
  });

  it("too many pushes: 429 too_many_requests with x-ratelimit-* and Retry-After", async () => {
    const { emulator, clock, login, challenge } = await start();
    const { pushId } = enroll(emulator);
    const token = await login();
    for (let i = 0; i < 5; i++) expect((await challenge(token, pushId)).status).toBe(200);
    const a = await challenge(token, pushId);
    expect(a.status).toBe(429);
    expect(a.body).toEqual({
      error: "too_many_requests",
      error_description: "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
    });
    expect(a.headers.get("retry-after")).toBe("12");
    expect(a.headers.get("x-ratelimit-limit")).toBe("5");
    expect(a.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(a.headers.get("x-ratelimit-reset"))).toBe(Math.ceil((clock.now() + 12_000) / 1000));
  });

  it("wrong OTP: 403 invalid_grant; the device's OTP: 200 (JSON body)", async () => {
    const { emulator, login, post } = await start();
    enroll(emulator);
    const token = await login();
    const wrong = await post("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp: "000000" });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: "invalid_grant", error_description: "Invalid otp_code." });
    const otp = emulator.device(USER.username).totp();
    const ok = await post("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp });
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe("Bearer");
  });

  it("recovery codes: wrong 403, right 200 with the new code, single use", async () => {
    const { emulator, login, form } = await start();
    const { recoveryCode } = enroll(emulator);
    const token = await login();
    const wrong = await form("/oauth/token", { grant_type: RC, client_id: "app", mfa_token: token, recovery_code: "WRONGWRONGWRONGWRONGWRON" });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: "invalid_grant", error_description: "MFA Authorization rejected." });
    const ok = await form("/oauth/token", { grant_type: RC, client_id: "app", mfa_token: token, recovery_code: recoveryCode });
    expect(ok.status).toBe(200);
    expect(ok.body.recovery_code).toMatch(/^[A-Z0-9]{24}$/);
    expect(ok.body.recovery_code).not.toBe(recoveryCode);
    const again = await form("/oauth/token", { grant_type: RC, client_id: "app", mfa_token: token, recovery_code: recoveryCode });
    expect(again.status).toBe(403);
  });

  it("too many failed codes: 429 too_many_attempts", async () => {
    const { emulator, login, form } = await start({ limits: { codeFailureBurst: 2 } });
    enroll(emulator);
    const token = await login();
    for (let i = 0; i < 2; i++) await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp: "000000" });
    const a = await form("/oauth/token", { grant_type: OTP, client_id: "app", mfa_token: token, otp: emulator.device(USER.username).totp() });
    expect(a.status).toBe(429);
    expect(a.body).toEqual({ error: "too_many_attempts", error_description: "Too many failed codes. Wait for some minutes before retrying." });
  });

  it("missing parameters and unknown grants: 400", async () => {
    const { form, post } = await start();
    expect((await form("/oauth/token", { client_id: "app" })).body).toEqual({
      error: "invalid_request",
      error_description: "Missing required parameter: grant_type",
    });
    expect((await form("/oauth/token", { grant_type: OOB, client_id: "app", mfa_token: "x" })).body.error_description).toBe(
      "Missing required parameter: oob_code",
    );
    expect((await form("/oauth/token", { grant_type: "client_credentials", client_id: "app" })).body.error).toBe("unsupported_grant_type");
    const bad = await fetch(`${(await start()).url}/mfa/challenge`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(bad.status).toBe(400);
    expect((await post("/mfa/challenge", { client_id: "app" })).body.error_description).toBe("Missing required parameter: mfa_token");
  });

  it("lists authenticators with the mfa_token: twins inactive until scanned", async () => {
    const { emulator, login, associate, get } = await start();
    const token = await login();
    const { body } = await associate(token);
    const before = await get("/mfa/authenticators", { authorization: `Bearer ${token}` });
    expect(before.list).toEqual([
      { id: expect.stringMatching(/^push\|dev_[A-Za-z0-9]{16}$/), authenticator_type: "oob", active: false, oob_channel: "auth0" },
      { id: expect.stringMatching(/^totp\|dev_[A-Za-z0-9]{16}$/), authenticator_type: "otp", active: false },
      { id: expect.stringMatching(/^recovery-code\|dev_/), authenticator_type: "recovery-code", active: false },
    ]);
    emulator.device(USER.username).scan(String(body.barcode_uri));
    const after = await get("/mfa/authenticators", { authorization: `Bearer ${token}` });
    expect(after.list.map((a) => a.active)).toEqual([true, true, true]);
    expect(after.list[0]?.name).toBe("Pushflow Emulator Device");
  });
});
