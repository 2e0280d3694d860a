/**
 * The fetch transport against the emulator, call by call: every outcome of spec/protocol.md §14
 * that the emulator produces, classified into the right Problem (code, status, error, wait) or
 * success value. Tokens are checked against the emulator's JWKS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Result, Transport } from "@pushflow/core";
import {
  API_LOGIN,
  CONFIDENTIAL,
  Ledger,
  NO_MFA_CLIENT,
  expectNoLeaks,
  fetchTransport,
  ledger,
  newUser,
  openWorld,
  problemOf,
  valueOf,
  verifyJwt,
  type World,
} from "./harness.ts";

let world: World;
let transport: Transport;
beforeAll(async () => {
  world = await openWorld();
  transport = fetchTransport(world);
});
afterAll(async () => {
  await world.close();
});

async function mfaTokenOf(user: { username: string; password: string }, t: Transport = transport, extra: { audience?: string; scope?: string } = {}) {
  const answer = valueOf(await t.login({ username: user.username, password: user.password, ...extra }));
  if (answer.type !== "mfa_required") throw new Error("expected mfa_required");
  return answer.mfaToken;
}

/** A fresh enrolled user, signed in, with a push sent: the mfa_token and the push's oob_code. */
async function pushSent(t: Transport = transport) {
  const user = newUser(world, true);
  const mfaToken = await mfaTokenOf(user, t, API_LOGIN);
  const answer = valueOf(await t.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" }));
  expect(answer.challengeType).toBe("oob");
  return { user, mfaToken, oobCode: answer.oobCode ?? "" };
}

describe("login (password grants)", () => {
  it("mfa_required with an mfa_token, from the password and the password-realm grants", async () => {
    const user = newUser(world, false);
    for (const realm of [undefined, "Username-Password-Authentication"]) {
      const answer = valueOf(await transport.login({ username: user.username, password: user.password, ...(realm ? { realm } : {}) }));
      expect(answer).toMatchObject({ type: "mfa_required", mfaToken: expect.stringMatching(/^Fe26\.2\*/) });
    }
    expect(world.emulator.requests.entries.slice(-2).map((e) => [e.grantType, e.status])).toEqual([
      ["password", 403],
      ["password-realm", 403],
    ]);
  });

  it("wrong password: invalid_credentials (403 invalid_grant)", async () => {
    const user = newUser(world, false);
    const problem = problemOf(await transport.login({ username: user.username, password: "wrong-password-1" }));
    expect(problem).toMatchObject({ code: "invalid_credentials", status: 403, error: "invalid_grant" });
    expect(problem.message).toContain("Wrong email or password.");
  });
});

describe("enrollment", () => {
  it("associate → pending → device scan → tokens verified against the JWKS; the used oob_code is refused", async () => {
    const user = newUser(world, false);
    const mfaToken = await mfaTokenOf(user, transport, API_LOGIN);
    const association = valueOf(await transport.associate({ mfaToken }));
    expect(association.barcodeUri).toMatch(/^otpauth:\/\/totp\/.+\?enrollment_tx_id=\w+&base_url=/);
    expect(association.recoveryCodes).toEqual([expect.stringMatching(/^[A-Z0-9]{24}$/)]);

    expect(problemOf(await transport.verifyOob({ mfaToken, oobCode: association.oobCode }))).toMatchObject({
      code: "authorization_pending",
      status: 400,
      error: "authorization_pending",
    });
    user.device.scan(association.barcodeUri);
    const tokens = valueOf(await transport.verifyOob({ mfaToken, oobCode: association.oobCode }));
    expect(tokens.tokenType).toBe("Bearer");
    const claims = await verifyJwt(world, tokens.accessToken);
    expect(claims).toMatchObject({ iss: world.emulator.issuer, sub: world.emulator.tenant.user(user.username)?.id, azp: "pushflow-demo", amr: ["mfa"] });
    expect(claims.exp).toBe((claims.iat ?? 0) + tokens.expiresIn);
    if (tokens.idToken !== undefined) expect(await verifyJwt(world, tokens.idToken, "pushflow-demo")).toMatchObject({ email: user.username });

    expect(problemOf(await transport.verifyOob({ mfaToken, oobCode: association.oobCode }))).toMatchObject({
      code: "invalid_request",
      status: 403,
      error: "invalid_grant",
    });
    const listed = valueOf(await transport.listAuthenticators({ mfaToken }));
    expect(listed.filter((a) => a.active).map((a) => a.authenticatorType).sort()).toEqual(["oob", "otp", "recovery-code"]);
  });

  it("already enrolled: 403 access_denied", async () => {
    const user = newUser(world, true);
    const problem = problemOf(await transport.associate({ mfaToken: await mfaTokenOf(user) }));
    expect(problem).toMatchObject({ code: "already_enrolled", status: 403, error: "access_denied" });
  });

  it("the QR not scanned within 5 minutes: the oob_code is expired (403 expired_token)", async () => {
    const user = newUser(world, false);
    const mfaToken = await mfaTokenOf(user);
    const { oobCode } = valueOf(await transport.associate({ mfaToken }));
    // Both last 5 minutes: a token minted a minute later outlives the enrollment.
    world.clock.increment(60_000);
    const later = world.emulator.tenant.mintMfaToken(user.username, "pushflow-demo");
    ledger.secret("mfa_token", later);
    world.clock.increment(4 * 60_000);
    expect(problemOf(await transport.verifyOob({ mfaToken: later, oobCode }))).toMatchObject({ code: "expired", status: 403, error: "expired_token" });
  });
});

describe("push challenge", () => {
  it("pending, then approved: tokens verified against the JWKS", async () => {
    const { user, mfaToken, oobCode } = await pushSent();
    expect(problemOf(await transport.verifyOob({ mfaToken, oobCode }))).toMatchObject({ code: "authorization_pending", status: 400 });
    user.device.approve(user.username);
    const tokens = valueOf(await transport.verifyOob({ mfaToken, oobCode }));
    expect(await verifyJwt(world, tokens.accessToken)).toMatchObject({ sub: world.emulator.tenant.user(user.username)?.id });
  });

  it("rejected: 400 access_denied", async () => {
    const { user, mfaToken, oobCode } = await pushSent();
    user.device.reject(user.username);
    const problem = problemOf(await transport.verifyOob({ mfaToken, oobCode }));
    expect(problem).toMatchObject({ code: "rejected", status: 400, error: "access_denied" });
    expect(problem.message).toContain("MFA Authorization rejected.");
  });

  it("expired: a push superseded by a newer one, and a push not answered in time (403 expired_token)", async () => {
    const { user, mfaToken, oobCode } = await pushSent();
    const newer = valueOf(await transport.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" }));
    expect(problemOf(await transport.verifyOob({ mfaToken, oobCode }))).toMatchObject({ code: "expired", status: 403, error: "expired_token" });
    // The challenge lifetime (5 min) equals the mfa_token's: a token minted a minute later outlives the push.
    world.clock.increment(60_000);
    const later = world.emulator.tenant.mintMfaToken(user.username, "pushflow-demo");
    ledger.secret("mfa_token", later);
    world.clock.increment(4 * 60_000);
    expect(problemOf(await transport.verifyOob({ mfaToken: later, oobCode: newer.oobCode ?? "" }))).toMatchObject({ code: "expired", status: 403 });
  });

  it("slow_down: the 13th poll within a minute is refused with Retry-After; after the wait polling goes on", async () => {
    const { mfaToken, oobCode } = await pushSent();
    for (let i = 0; i < 12; i++) expect(problemOf(await transport.verifyOob({ mfaToken, oobCode })).code).toBe("authorization_pending");
    const slow = problemOf(await transport.verifyOob({ mfaToken, oobCode }));
    expect(slow).toMatchObject({ code: "slow_down", status: 429, error: "slow_down", retryAfterMs: 5_000 });
    world.clock.increment(slow.retryAfterMs ?? 0);
    expect(problemOf(await transport.verifyOob({ mfaToken, oobCode })).code).toBe("authorization_pending");
  });

  it("too many pushes: the 6th challenge in a minute is a 429 too_many_requests with Retry-After", async () => {
    const { user, mfaToken } = await pushSent();
    const push = () => transport.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" });
    for (let i = 0; i < 4; i++) valueOf(await push());
    const limited = problemOf(await push());
    expect(limited).toMatchObject({ code: "rate_limited", status: 429, error: "too_many_requests", retryAfterMs: 12_000 });
    world.clock.increment(limited.retryAfterMs ?? 0);
    expect(valueOf(await push()).challengeType).toBe("oob");
  });

  it("association_required (not enrolled), unsupported_challenge_type, invalid_authenticator; an OTP challenge", async () => {
    const fresh = newUser(world, false);
    const token = await mfaTokenOf(fresh);
    expect(problemOf(await transport.challenge({ mfaToken: token, authenticatorId: "push|dev_0000000000000000", challengeType: "oob" }))).toMatchObject({
      code: "not_enrolled",
      status: 400,
      error: "association_required",
    });
    const user = newUser(world, true);
    const mfaToken = await mfaTokenOf(user);
    expect(problemOf(await transport.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "otp" }))).toMatchObject({
      code: "not_enrolled",
      status: 400,
      error: "unsupported_challenge_type",
    });
    expect(
      problemOf(await transport.challenge({ mfaToken, authenticatorId: "push|dev_nope0000nope0000", challengeType: "oob" })),
    ).toMatchObject({ code: "invalid_authenticator", status: 404, error: "invalid_authenticator" });
    // The OTP twin answers an OTP challenge (§14 "OTP challenge").
    const otpId = (user.pushId ?? "").replace(/^push\|/, "totp|");
    expect(valueOf(await transport.challenge({ mfaToken, authenticatorId: otpId, challengeType: "otp" }))).toEqual({ challengeType: "otp" });
  });
});

describe("the mfa_token", () => {
  it("expired, malformed or invalid: mfa_token_invalid on every call", async () => {
    const user = newUser(world, true);
    const expired = await mfaTokenOf(user);
    world.clock.increment(5 * 60_000 + 1);
    const forged = "Fe26.2*1*forged*forged*forged*1*forged*forged";
    const otherClient = world.emulator.tenant.mintMfaToken(user.username, CONFIDENTIAL.clientId);
    ledger.secret("mfa_token", otherClient);
    // Another client's token is refused where the client is named (challenge, token grants); bearer calls name none.
    const cases = [
      [expired, "expired_token", "mfa_token is expired", true],
      ["not-a-token", "invalid_grant", "Malformed mfa_token", true],
      [forged, "invalid_grant", "The mfa_token provided is invalid", true],
      [otherClient, "invalid_grant", "The mfa_token provided is invalid", false],
    ] as const;
    for (const [mfaToken, error, description, bearerCalls] of cases) {
      const answers: Result<unknown>[] = [
        ...(bearerCalls ? [await transport.associate({ mfaToken }), await transport.listAuthenticators({ mfaToken })] : []),
        await transport.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" }),
        await transport.verifyOob({ mfaToken, oobCode: "Fe26.2*1*a*b*c*1*d*e" }),
        await transport.verifyOtp({ mfaToken, otp: "123456" }),
        await transport.verifyRecoveryCode({ mfaToken, recoveryCode: user.recoveryCode ?? "" }),
      ];
      for (const answer of answers) {
        const problem = problemOf(answer);
        expect(problem).toMatchObject({ code: "mfa_token_invalid", status: 401, error });
        expect(problem.message).toContain(description);
      }
    }
  });
});

describe("client configuration", () => {
  it("unauthorized_client: a client with the MFA grant off (403)", async () => {
    const noMfa = fetchTransport(world, { clientId: NO_MFA_CLIENT });
    const { user } = await pushSent();
    const mfaToken = world.emulator.tenant.mintMfaToken(user.username, NO_MFA_CLIENT);
    ledger.secret("mfa_token", mfaToken);
    const answers: Result<unknown>[] = [
      await noMfa.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" }),
      await noMfa.verifyOob({ mfaToken, oobCode: "Fe26.2*1*a*b*c*1*d*e" }),
      await noMfa.verifyOtp({ mfaToken, otp: user.device.totp() }),
      await noMfa.verifyRecoveryCode({ mfaToken, recoveryCode: user.recoveryCode ?? "" }),
    ];
    for (const answer of answers) {
      const problem = problemOf(answer);
      expect(problem).toMatchObject({ code: "misconfigured", status: 403, error: "unauthorized_client" });
      expect(problem.message).toContain("not allowed for the client");
    }
  });

  it("invalid_client: a wrong client secret, a missing one, an unknown client (401); the right secret works", async () => {
    const user = newUser(world, true);
    const wrong = fetchTransport(world, { clientId: CONFIDENTIAL.clientId, clientSecret: "wrong-secret-0b1c" });
    const missing = fetchTransport(world, { clientId: CONFIDENTIAL.clientId });
    const unknown = fetchTransport(world, { clientId: "no-such-client" });
    for (const t of [wrong, missing, unknown]) {
      expect(problemOf(await t.login({ username: user.username, password: user.password }))).toMatchObject({
        code: "misconfigured",
        status: 401,
        error: "invalid_client",
      });
    }
    const right = fetchTransport(world, { ...CONFIDENTIAL });
    const mfaToken = await mfaTokenOf(user, right);
    expect(problemOf(await wrong.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" }))).toMatchObject({
      code: "misconfigured",
      status: 401,
      error: "invalid_client",
    });
    expect(valueOf(await right.challenge({ mfaToken, authenticatorId: user.pushId ?? "", challengeType: "oob" })).oobCode).toBeDefined();
  });
});

describe("one-time codes and recovery codes", () => {
  it("a wrong OTP is refused (403 invalid_grant); the device's TOTP gives tokens, once", async () => {
    const user = newUser(world, true);
    const mfaToken = await mfaTokenOf(user, transport, API_LOGIN);
    const right = user.device.totp();
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
    expect(problemOf(await transport.verifyOtp({ mfaToken, otp: wrong }))).toMatchObject({ code: "invalid_code", status: 403, error: "invalid_grant" });
    const tokens = valueOf(await transport.verifyOtp({ mfaToken, otp: right }));
    expect(await verifyJwt(world, tokens.accessToken)).toMatchObject({ amr: ["mfa"] });
    expect(problemOf(await transport.verifyOtp({ mfaToken, otp: right })).code).toBe("invalid_code");
  });

  it("a wrong recovery code is refused; the right one gives tokens and a new code; the old one is then refused", async () => {
    const user = newUser(world, true);
    const mfaToken = await mfaTokenOf(user, transport, API_LOGIN);
    const old = user.recoveryCode ?? "";
    expect(problemOf(await transport.verifyRecoveryCode({ mfaToken, recoveryCode: "ABCDEFGHJKLMNPQRSTUVWXYZ" }))).toMatchObject({
      code: "invalid_code",
      status: 403,
      error: "invalid_grant",
    });
    const answer = valueOf(await transport.verifyRecoveryCode({ mfaToken, recoveryCode: old }));
    expect(answer.recoveryCode).toMatch(/^[A-Z0-9]{24}$/);
    expect(answer.recoveryCode).not.toBe(old);
    await verifyJwt(world, answer.accessToken);
    expect(problemOf(await transport.verifyRecoveryCode({ mfaToken, recoveryCode: old })).code).toBe("invalid_code");
    expect(valueOf(await transport.verifyRecoveryCode({ mfaToken, recoveryCode: answer.recoveryCode ?? "" })).recoveryCode).toBeDefined();
  });

  it("too_many_attempts: after 10 failed codes even the right one is refused (429 with Retry-After)", async () => {
    const user = newUser(world, true);
    const mfaToken = await mfaTokenOf(user);
    const right = user.device.totp();
    const wrong = String((Number(right) + 7) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 10; i++) expect(problemOf(await transport.verifyOtp({ mfaToken, otp: wrong })).code).toBe("invalid_code");
    const locked = problemOf(await transport.verifyOtp({ mfaToken, otp: right }));
    expect(locked).toMatchObject({ code: "too_many_attempts", status: 429, error: "too_many_attempts", retryAfterMs: 360_000 });
    // Recovery codes are counted separately.
    expect(valueOf(await transport.verifyRecoveryCode({ mfaToken, recoveryCode: user.recoveryCode ?? "" })).recoveryCode).toBeDefined();
  });
});

describe("deleting an authenticator", () => {
  it("204 with an /mfa/ access token holding remove:authenticators; the push and OTP twins go together", async () => {
    const user = newUser(world, true);
    const audience = `${world.emulator.issuer}mfa/`;
    const mfaToken = await mfaTokenOf(user, transport, { audience, scope: "openid remove:authenticators read:authenticators" });
    const { accessToken } = valueOf(await transport.verifyOtp({ mfaToken, otp: user.device.totp() }));
    expect(await verifyJwt(world, accessToken, audience)).toMatchObject({ scope: expect.stringContaining("remove:authenticators") });

    expect(problemOf(await transport.deleteAuthenticator({ accessToken: "not.a.token", authenticatorId: user.pushId ?? "" }))).toMatchObject({
      code: "mfa_token_invalid",
      status: 401,
      error: "invalid_token",
    });
    expect(problemOf(await transport.deleteAuthenticator({ accessToken, authenticatorId: "push|dev_nope0000nope0000" }))).toMatchObject({
      code: "invalid_authenticator",
      status: 404,
    });
    const deleted = await transport.deleteAuthenticator({ accessToken, authenticatorId: user.pushId ?? "" });
    expect(deleted).toEqual({ ok: true, value: undefined });
    expect(world.emulator.requests.entries.at(-1)).toMatchObject({ route: "DELETE /mfa/authenticators/:id", status: 204 });
    expect(world.emulator.tenant.authenticators(user.username).filter((a) => a.authenticatorType !== "recovery-code")).toEqual([]);
  });

  it("403 insufficient_scope without remove:authenticators", async () => {
    const user = newUser(world, true);
    const audience = `${world.emulator.issuer}mfa/`;
    const mfaToken = await mfaTokenOf(user, transport, { audience, scope: "openid read:authenticators" });
    const { accessToken } = valueOf(await transport.verifyOtp({ mfaToken, otp: user.device.totp() }));
    expect(problemOf(await transport.deleteAuthenticator({ accessToken, authenticatorId: user.pushId ?? "" }))).toMatchObject({
      code: "invalid_request",
      status: 403,
      error: "insufficient_scope",
    });
  });
});

describe("transport-level faults", () => {
  it("503 → server_error, 502 page → server_error, 429 → rate_limited, drop → network, delay → timeout, garbled → invalid_response", async () => {
    // Real time: wide enough that a normal loopback request on a busy CI machine never times out.
    const quick = fetchTransport(world, { timeoutMs: 500 });
    const user = newUser(world, true);
    const mfaToken = await mfaTokenOf(user);
    const list = () => quick.listAuthenticators({ mfaToken });
    const cases = [
      [{ status: 503 }, { code: "server_error", status: 503 }],
      [{ status: 502 }, { code: "server_error", status: 502 }],
      [{ status: 429 }, { code: "rate_limited", status: 429, error: "too_many_requests" }],
      [{ drop: true }, { code: "network" }],
      [{ delayMs: 1_000 }, { code: "timeout" }],
      [{ malformed: true }, { code: "invalid_response", status: 200 }],
    ] as const;
    for (const [fault, expected] of cases) {
      world.emulator.faults.add({ route: "GET /mfa/authenticators", ...fault, times: 1 });
      expect(problemOf(await list())).toMatchObject(expected);
    }
    expect(valueOf(await list()).length).toBeGreaterThan(0);
  });
});

describe("secrets across these calls", () => {
  it("the check finds a planted secret (it is not vacuous)", () => {
    const probe = new Ledger();
    probe.secret("oob_code", "Fe26.2*planted*oob");
    probe.secret("otp", "123456");
    probe.expose("message", "verify oob failed for Fe26.2*planted*oob");
    probe.expose("view", { nextPollAt: 1712345678901, code: "123456" });
    expect(probe.leaks()).toEqual(["message: oob_code", "view: otp"]);
  });

  it("no problem message or field carries a secret", () => {
    expect(ledger.kinds()).toEqual(new Set(["client_secret", "mfa_token", "oob_code", "otp", "password", "recovery_code", "token"]));
    expect(ledger.exposed.length).toBeGreaterThan(50);
    expectNoLeaks();
  });
});
