import { describe, expect, it } from "vitest";
import { GuardianError } from "@pushflow/tenant";
import { createMockTransport } from "../src/index.ts";
import { CLIENT_ID, enrolled, PASSWORD, problemOf, setup, USER, valueOf } from "./helpers.ts";

describe("login", () => {
  it("answers mfa_required with an mfa_token from the password grant", async () => {
    const { transport } = setup();
    const answer = valueOf(await transport.login({ username: USER, password: PASSWORD }));
    expect(answer.type).toBe("mfa_required");
    if (answer.type === "mfa_required") expect(answer.mfaToken).toMatch(/^Fe26\.2\*/);
  });

  it("uses the password-realm grant with a realm, and checks it", async () => {
    const { transport } = setup();
    const ok = await transport.login({ username: USER, password: PASSWORD, realm: "Username-Password-Authentication" });
    expect(valueOf(ok).type).toBe("mfa_required");
    const wrongRealm = await transport.login({ username: USER, password: PASSWORD, realm: "other" });
    expect(problemOf(wrongRealm).code).toBe("invalid_credentials");
  });

  it("refuses a wrong password with invalid_credentials", async () => {
    const { transport } = setup();
    const problem = problemOf(await transport.login({ username: USER, password: "nope" }));
    expect(problem).toMatchObject({ code: "invalid_credentials", status: 403, error: "invalid_grant" });
    expect(problem.message).toContain("Wrong email or password.");
  });

  it("answers tokens when the user needs no MFA", async () => {
    const { tenant, transport } = setup();
    tenant.addUser({ username: "bob", password: "pw", mfa: false });
    const answer = valueOf(await transport.login({ username: "bob", password: "pw" }));
    expect(answer.type).toBe("tokens");
  });
});

describe("association", () => {
  it("creates a push authenticator and its OTP twin, both inactive until the device scans", async () => {
    const { tenant, transport, device, mfaToken } = setup();
    const association = valueOf(await transport.associate({ mfaToken: mfaToken() }));
    const list = tenant.authenticators(USER);
    const push = list.find((a) => a.id.startsWith("push|"));
    const totp = list.find((a) => a.id.startsWith("totp|"));
    expect(push).toMatchObject({ authenticatorType: "oob", oobChannel: "auth0", active: false });
    expect(totp).toMatchObject({ authenticatorType: "otp", active: false });
    expect(push?.id).toMatch(/^push\|dev_[A-Za-z0-9]{16}$/);
    expect(totp?.id.slice(5)).toBe(push?.id.slice(5));

    device.scan(association.barcodeUri);
    const after = tenant.authenticators(USER);
    expect(after.every((a) => a.active)).toBe(true);
    expect(after.find((a) => a.id === push?.id)?.name).toBe("Pushflow Virtual Device");
  });

  it("has the barcode_uri of a real push association", async () => {
    const { transport, mfaToken } = setup();
    const { barcodeUri, oobCode } = valueOf(await transport.associate({ mfaToken: mfaToken() }));
    expect(barcodeUri).toMatch(
      /^otpauth:\/\/totp\/Pushflow%20Test:ada%40example\.com\?enrollment_tx_id=[A-Za-z0-9]{32}&base_url=https%3A%2F%2Fpushflow-test\.auth0\.local%2Fappliance-mfa$/,
    );
    expect(oobCode).toMatch(/^Fe26\.2\*/);
  });

  it("issues one recovery code with the first association only", async () => {
    const { transport, mfaToken, clock } = setup();
    const first = valueOf(await transport.associate({ mfaToken: mfaToken() }));
    expect(first.recoveryCodes).toHaveLength(1);
    expect(first.recoveryCodes?.[0]).toMatch(/^[A-Z0-9]{24}$/);
    clock.increment(6 * 60_000);
    const second = valueOf(await transport.associate({ mfaToken: mfaToken() }));
    expect(second.recoveryCodes).toBeUndefined();
  });

  it("refuses an mfa_token association when the user has an active factor", async () => {
    const { transport, mfaToken } = enrolled();
    const problem = problemOf(await transport.associate({ mfaToken: mfaToken() }));
    expect(problem).toMatchObject({ code: "already_enrolled", status: 403, error: "access_denied" });
    expect(problem.message).toContain("User is already enrolled.");
  });

  it("confirms the enrollment on the next poll, once", async () => {
    const { transport, device, mfaToken } = setup();
    const token = mfaToken();
    const { oobCode, barcodeUri } = valueOf(await transport.associate({ mfaToken: token }));
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("authorization_pending");
    device.scan(barcodeUri);
    const tokens = valueOf(await transport.verifyOob({ mfaToken: token, oobCode }));
    expect(tokens).toMatchObject({ tokenType: "Bearer", scope: "openid profile", expiresIn: 86_400 });
    expect(tokens.idToken).toBeDefined();
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("invalid_request");
  });

  it("expires the enrollment 5 minutes after the association", async () => {
    // An mfa_token that outlives the enrollment, so that the oob_code is what expires.
    const { transport, device, mfaToken, clock } = setup({ limits: { mfaTokenLifetimeMs: 10 * 60_000 } });
    const token = mfaToken();
    const { oobCode, barcodeUri } = valueOf(await transport.associate({ mfaToken: token }));
    clock.increment(5 * 60_000 - 1);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("authorization_pending");
    clock.increment(1);
    const problem = problemOf(await transport.verifyOob({ mfaToken: token, oobCode }));
    expect(problem).toMatchObject({ code: "expired", status: 403, error: "expired_token" });
    expect(() => device.scan(barcodeUri)).toThrow(GuardianError);
    expect(() => device.scan(barcodeUri)).toThrow(/Enrollment transaction not found/);
  });
});

describe("mfa_token", () => {
  it("expires after its lifetime (5 min by default)", async () => {
    const { transport, mfaToken, clock } = setup();
    const token = mfaToken();
    clock.increment(5 * 60_000);
    const problem = problemOf(await transport.listAuthenticators({ mfaToken: token }));
    expect(problem).toMatchObject({ code: "mfa_token_invalid", status: 401, error: "expired_token" });
    expect(problem.message).toContain("mfa_token is expired");
  });

  it("honours a configured lifetime", async () => {
    const { transport, mfaToken, clock } = setup({ limits: { mfaTokenLifetimeMs: 1_000 } });
    const token = mfaToken();
    clock.increment(999);
    expect((await transport.listAuthenticators({ mfaToken: token })).ok).toBe(true);
    clock.increment(1);
    expect(problemOf(await transport.listAuthenticators({ mfaToken: token })).code).toBe("mfa_token_invalid");
  });

  it("refuses malformed, unknown and other clients' tokens", async () => {
    const { tenant, transport } = setup();
    const malformed = problemOf(await transport.associate({ mfaToken: "not-a-token" }));
    expect(malformed).toMatchObject({ code: "mfa_token_invalid", error: "invalid_grant" });
    expect(malformed.message).toContain("Malformed mfa_token");
    const forged = tenant.mintMfaToken(USER, CLIENT_ID).replace(/\*[^*]+$/, "*forged");
    const unknown = problemOf(await transport.associate({ mfaToken: forged }));
    expect(unknown.message).toContain("The mfa_token provided is invalid. Try getting a new token.");
    const other = tenant.mintMfaToken(USER, "backend");
    expect(problemOf(await transport.verifyOob({ mfaToken: other, oobCode: "x" })).code).toBe("mfa_token_invalid");
  });
});

describe("client configuration", () => {
  it("answers unauthorized_client when the MFA grant is off", async () => {
    const { tenant } = setup();
    const transport = createMockTransport(tenant, { clientId: "no-mfa" });
    const token = tenant.mintMfaToken(USER, "no-mfa");
    const problem = problemOf(await transport.verifyOob({ mfaToken: token, oobCode: "x" }));
    expect(problem).toMatchObject({ code: "misconfigured", status: 403, error: "unauthorized_client" });
    expect(problem.message).toContain("Grant type 'http://auth0.com/oauth/grant-type/mfa-oob' not allowed for the client.");
    tenant.updateClient("no-mfa", { mfaGrant: true });
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode: "x" })).code).toBe("invalid_request");
  });

  it("answers invalid_client for a wrong secret", async () => {
    const { tenant } = setup();
    const token = tenant.mintMfaToken(USER, "backend");
    const wrong = createMockTransport(tenant, { clientId: "backend", clientSecret: "wrong" });
    const problem = problemOf(await wrong.verifyOtp({ mfaToken: token, otp: "123456" }));
    expect(problem).toMatchObject({ code: "misconfigured", status: 401, error: "invalid_client" });
    const right = createMockTransport(tenant, { clientId: "backend", clientSecret: "s3cret" });
    expect(problemOf(await right.verifyOtp({ mfaToken: token, otp: "123456" })).code).toBe("not_enrolled");
  });
});

describe("push challenge", () => {
  it("needs an enrollment", async () => {
    const { transport, mfaToken } = setup();
    const problem = problemOf(await transport.challenge({ mfaToken: mfaToken(), authenticatorId: "push|dev_x", challengeType: "oob" }));
    expect(problem).toMatchObject({ code: "not_enrolled", status: 400, error: "association_required" });
  });

  it("refuses an unknown or inactive authenticator", async () => {
    const { tenant, transport, mfaToken } = enrolled();
    const unknown = problemOf(await transport.challenge({ mfaToken: mfaToken(), authenticatorId: "push|dev_nope", challengeType: "oob" }));
    expect(unknown).toMatchObject({ code: "invalid_authenticator", status: 404 });
    // A second, unconfirmed association leaves an inactive pair behind.
    const association = tenant.guardian.startEnrollment(USER);
    expect(association.recoveryCodes).toBeUndefined();
    const inactive = tenant.authenticators(USER).find((a) => a.id.startsWith("push|") && !a.active);
    expect(inactive).toBeDefined();
    const problem = problemOf(await transport.challenge({ mfaToken: mfaToken(), authenticatorId: inactive?.id ?? "", challengeType: "oob" }));
    expect(problem.code).toBe("invalid_authenticator");
  });

  it("approves, rejects and supersedes pushes", async () => {
    const { transport, device, mfaToken } = enrolled();
    const token = mfaToken();
    const authenticatorId = device.accounts[0]?.pushAuthenticatorId ?? "";
    const first = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    expect(first).toMatchObject({ challengeType: "oob" });
    const second = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    expect(second.oobCode).not.toBe(first.oobCode);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode: first.oobCode ?? "" })).code).toBe("expired");
    device.reject();
    const rejected = problemOf(await transport.verifyOob({ mfaToken: token, oobCode: second.oobCode ?? "" }));
    expect(rejected).toMatchObject({ code: "rejected", status: 400, error: "access_denied" });
    const third = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    device.approve();
    expect(valueOf(await transport.verifyOob({ mfaToken: token, oobCode: third.oobCode ?? "" })).tokenType).toBe("Bearer");
  });

  it("expires an unanswered push after the challenge lifetime", async () => {
    const { transport, device, mfaToken, clock } = enrolled({ limits: { challengeLifetimeMs: 60_000 } });
    const token = mfaToken();
    const authenticatorId = device.accounts[0]?.pushAuthenticatorId ?? "";
    const { oobCode = "" } = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    device.ignore();
    clock.increment(60_000);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("expired");
    expect(() => device.approve()).toThrow(/No pending push/);
  });

  it("sends at most 5 pushes a minute per user, then 429 with a retry-after", async () => {
    const { transport, device, mfaToken, clock } = enrolled();
    const token = mfaToken();
    const request = { mfaToken: token, authenticatorId: device.accounts[0]?.pushAuthenticatorId ?? "", challengeType: "oob" as const };
    for (let i = 0; i < 5; i++) expect((await transport.challenge(request)).ok).toBe(true);
    const problem = problemOf(await transport.challenge(request));
    expect(problem).toMatchObject({ code: "rate_limited", status: 429, error: "too_many_requests", retryAfterMs: 12_000 });
    clock.increment(11_999);
    // Retry-After is in whole seconds: 1 ms left reads as 1 s.
    expect(problemOf(await transport.challenge(request)).retryAfterMs).toBe(1_000);
    clock.increment(1);
    expect((await transport.challenge(request)).ok).toBe(true);
  });

  it("answers otp for the OTP twin", async () => {
    const { transport, device, mfaToken } = enrolled();
    const otpId = device.accounts[0]?.totpAuthenticatorId ?? "";
    expect(valueOf(await transport.challenge({ mfaToken: mfaToken(), authenticatorId: otpId, challengeType: "otp" }))).toEqual({
      challengeType: "otp",
    });
  });
});

describe("polling limit", () => {
  it("allows a burst of 12 polls per oob_code, then slow_down until a token comes back every 5 s", async () => {
    const { transport, device, mfaToken, clock } = enrolled();
    const token = mfaToken();
    const authenticatorId = device.accounts[0]?.pushAuthenticatorId ?? "";
    const { oobCode = "" } = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    for (let i = 0; i < 12; i++) {
      expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("authorization_pending");
    }
    const slow = problemOf(await transport.verifyOob({ mfaToken: token, oobCode }));
    expect(slow).toMatchObject({ code: "slow_down", status: 429, error: "slow_down", retryAfterMs: 5_000 });
    expect(slow.message).toContain("You are polling faster than allowed. Try again in 5 seconds.");
    clock.increment(5_000);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("authorization_pending");
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("slow_down");
    // Polling every 5 s never trips the limit.
    for (let i = 0; i < 30; i++) {
      clock.increment(5_000);
      expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).not.toBe("slow_down");
    }
  });

  it("honours a configured bucket", async () => {
    const { transport, mfaToken } = setup({ limits: { pollBurst: 2 } });
    const token = mfaToken();
    const { oobCode } = valueOf(await transport.associate({ mfaToken: token }));
    await transport.verifyOob({ mfaToken: token, oobCode });
    await transport.verifyOob({ mfaToken: token, oobCode });
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("slow_down");
  });
});

describe("codes", () => {
  it("accepts the device's OTP once", async () => {
    const { transport, device, mfaToken } = enrolled();
    const token = mfaToken();
    const otp = device.totp();
    expect(otp).toMatch(/^\d{6}$/);
    expect(valueOf(await transport.verifyOtp({ mfaToken: token, otp })).tokenType).toBe("Bearer");
    const reused = problemOf(await transport.verifyOtp({ mfaToken: token, otp }));
    expect(reused).toMatchObject({ code: "invalid_code", status: 403, error: "invalid_grant" });
    expect(reused.message).toContain("Invalid otp_code.");
    expect(reused.message).not.toContain(otp);
  });

  it("accepts the previous 30 s window's OTP, not older ones", async () => {
    const { transport, device, mfaToken, clock } = enrolled();
    const old = device.totp();
    clock.increment(30_000);
    expect((await transport.verifyOtp({ mfaToken: mfaToken(), otp: old })).ok).toBe(true);
    const older = device.totp();
    clock.increment(60_000);
    expect(problemOf(await transport.verifyOtp({ mfaToken: mfaToken(), otp: older })).code).toBe("invalid_code");
  });

  it("locks OTPs after 10 failures an hour, even a right one", async () => {
    const { transport, device, mfaToken, clock } = enrolled();
    const token = mfaToken();
    for (let i = 0; i < 10; i++) {
      expect(problemOf(await transport.verifyOtp({ mfaToken: token, otp: "000000" })).code).toBe("invalid_code");
    }
    const locked = problemOf(await transport.verifyOtp({ mfaToken: token, otp: device.totp() }));
    expect(locked).toMatchObject({ code: "too_many_attempts", status: 429, error: "too_many_attempts" });
    expect(locked.message).toContain("Too many failed codes. Wait for some minutes before retrying.");
    clock.increment(6 * 60_000);
    expect((await transport.verifyOtp({ mfaToken: mfaToken(), otp: device.totp() })).ok).toBe(true);
  });

  it("uses a recovery code once and answers the one that replaces it", async () => {
    const { transport, tenant, recoveryCode, mfaToken } = enrolled();
    expect(recoveryCode).toMatch(/^[A-Z0-9]{24}$/);
    const tokens = valueOf(await transport.verifyRecoveryCode({ mfaToken: mfaToken(), recoveryCode }));
    expect(tokens.recoveryCode).toMatch(/^[A-Z0-9]{24}$/);
    expect(tokens.recoveryCode).not.toBe(recoveryCode);
    expect(tenant.recoveryCode(USER)).toBe(tokens.recoveryCode);
    const reused = problemOf(await transport.verifyRecoveryCode({ mfaToken: mfaToken(), recoveryCode }));
    expect(reused).toMatchObject({ code: "invalid_code", status: 403, error: "invalid_grant" });
    expect(reused.message).toContain("MFA Authorization rejected.");
    expect(reused.message).not.toContain(recoveryCode);
    expect((await transport.verifyRecoveryCode({ mfaToken: mfaToken(), recoveryCode: tokens.recoveryCode ?? "" })).ok).toBe(true);
  });

  it("locks recovery codes after 10 failures, separately from OTPs", async () => {
    const { transport, device, recoveryCode, mfaToken } = enrolled({ limits: { codeFailureBurst: 3 } });
    const token = mfaToken();
    for (let i = 0; i < 3; i++) await transport.verifyRecoveryCode({ mfaToken: token, recoveryCode: "WRONG" });
    expect(problemOf(await transport.verifyRecoveryCode({ mfaToken: token, recoveryCode })).code).toBe("too_many_attempts");
    expect((await transport.verifyOtp({ mfaToken: token, otp: device.totp() })).ok).toBe(true);
  });
});

describe("delete authenticator", () => {
  it("needs an /mfa/ access token with remove:authenticators, and deletes the twins together", async () => {
    const { tenant, transport, device } = enrolled();
    const token = tenant.mintMfaToken(USER, CLIENT_ID, { audience: tenant.mfaAudience, scope: "remove:authenticators" });
    const { accessToken, expiresIn } = valueOf(await transport.verifyOtp({ mfaToken: token, otp: device.totp() }));
    expect(expiresIn).toBe(600);
    const pushId = device.accounts[0]?.pushAuthenticatorId ?? "";
    expect(problemOf(await transport.deleteAuthenticator({ accessToken: "nope", authenticatorId: pushId })).status).toBe(401);
    valueOf(await transport.deleteAuthenticator({ accessToken, authenticatorId: pushId }));
    expect(tenant.authenticators(USER)).toEqual([]);
    expect(tenant.user(USER)?.enrolled).toBe(false);
    const again = problemOf(await transport.deleteAuthenticator({ accessToken, authenticatorId: pushId }));
    expect(again).toMatchObject({ code: "invalid_authenticator", status: 404 });
  });

  it("refuses a token without the scope", async () => {
    const { transport, device, mfaToken } = enrolled();
    const { accessToken } = valueOf(await transport.verifyOtp({ mfaToken: mfaToken(), otp: device.totp() }));
    const problem = problemOf(
      await transport.deleteAuthenticator({ accessToken, authenticatorId: device.accounts[0]?.pushAuthenticatorId ?? "" }),
    );
    expect(problem).toMatchObject({ status: 403, error: "insufficient_scope" });
  });
});
