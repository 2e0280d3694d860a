import type { Result } from "@pushflow/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../src/index.ts";
import { problemOf, SECRETS, transportFor, valueOf } from "./helpers.ts";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const mfaToken = SECRETS.mfaToken;

describe("successful answers, mapped to camelCase", () => {
  it("login: tokens", async () => {
    server.on("POST", "/oauth/token", {
      body: { access_token: "at", id_token: "idt", refresh_token: "rt", expires_in: 600, scope: "openid profile", token_type: "Bearer" },
    });
    expect(valueOf(await transportFor(server).login({ username: "ann", password: SECRETS.password }))).toEqual({
      type: "tokens",
      tokens: { accessToken: "at", idToken: "idt", refreshToken: "rt", expiresIn: 600, scope: "openid profile", tokenType: "Bearer" },
    });
  });

  it("login: the 403 mfa_required answer is the success value, with mfa_requirements as sent", async () => {
    const requirements = { challenge: [{ type: "otp" }, { type: "push-notification" }] };
    server.on("POST", "/oauth/token", {
      status: 403,
      body: { error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: "Fe26...Ha", mfa_requirements: requirements },
    });
    expect(valueOf(await transportFor(server).login({ username: "ann", password: SECRETS.password, realm: "db" }))).toEqual({
      type: "mfa_required",
      mfaToken: "Fe26...Ha",
      requirements,
    });
  });

  it("login: mfa_required without mfa_requirements has no requirements field", async () => {
    server.on("POST", "/oauth/token", {
      status: 403,
      body: { error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: "Fe26...Ha" },
    });
    const value = valueOf(await transportFor(server).login({ username: "ann", password: SECRETS.password }));
    expect(value).toEqual({ type: "mfa_required", mfaToken: "Fe26...Ha" });
    expect("requirements" in value).toBe(false);
  });

  it("associate: the recorded push answer (no recovery codes), unknown fields ignored", async () => {
    server.on("POST", "/mfa/associate", {
      headers: { "content-type": "application/json; charset=utf-8" },
      body: {
        authenticator_type: "oob",
        barcode_uri:
          "otpauth://totp/My%20Test%20Tenant:user%40example.com?enrollment_tx_id=t5FmaYNt8APzKlh3WCRNLi2dG3uZYnAC&base_url=https%3A%2F%2Fgo-auth0-dev.eu.auth0.com.guardian.us.auth0.com",
        oob_channel: "auth0",
        oob_code: "Fe26.2*SERVER_1726721698*94c26c18*1726830033006*2f04c74d*tRDv38Um",
      },
    });
    const value = valueOf(await transportFor(server).associate({ mfaToken }));
    expect(value).toEqual({
      oobCode: "Fe26.2*SERVER_1726721698*94c26c18*1726830033006*2f04c74d*tRDv38Um",
      barcodeUri:
        "otpauth://totp/My%20Test%20Tenant:user%40example.com?enrollment_tx_id=t5FmaYNt8APzKlh3WCRNLi2dG3uZYnAC&base_url=https%3A%2F%2Fgo-auth0-dev.eu.auth0.com.guardian.us.auth0.com",
    });
  });

  it("associate: a first enrollment with recovery codes", async () => {
    server.on("POST", "/mfa/associate", {
      body: {
        authenticator_type: "oob",
        oob_channel: "auth0",
        oob_code: "auth0_oob_code_123",
        barcode_uri: "otpauth://totp/Test:user@example.com?enrollment_tx_id=test_tx_id&base_url=https%3A%2F%2Ftest.us.auth0.com%2Fappliance-mfa",
        recovery_codes: ["ABCDEFGH12345678"],
      },
    });
    expect(valueOf(await transportFor(server).associate({ mfaToken })).recoveryCodes).toEqual(["ABCDEFGH12345678"]);
  });

  it("listAuthenticators: the recorded list, the newer shape with type, and an empty list", async () => {
    server.on("GET", "/mfa/authenticators", {
      body: [
        { id: "sms|dev_klnv5yshzzoosSUm", authenticator_type: "oob", active: false, oob_channel: "sms", name: "XXXXXXXXX9167" },
        { id: "recovery-code|dev_i1kgKoFSZLbPt6G1", authenticator_type: "recovery-code", active: false },
        { id: "push|dev_BBTKYpxKHOXVBnql", authenticator_type: "oob", active: true, oob_channel: "auth0", type: "push-notification", created_at: "2024" },
      ],
    });
    expect(valueOf(await transportFor(server).listAuthenticators({ mfaToken }))).toEqual([
      { id: "sms|dev_klnv5yshzzoosSUm", authenticatorType: "oob", active: false, oobChannel: "sms", name: "XXXXXXXXX9167" },
      { id: "recovery-code|dev_i1kgKoFSZLbPt6G1", authenticatorType: "recovery-code", active: false },
      { id: "push|dev_BBTKYpxKHOXVBnql", authenticatorType: "oob", active: true, oobChannel: "auth0" },
    ]);
    server.on("GET", "/mfa/authenticators", { body: [] });
    expect(valueOf(await transportFor(server).listAuthenticators({ mfaToken }))).toEqual([]);
  });

  it("challenge: push (no binding_method), otp, and sms with binding_method", async () => {
    const transport = transportFor(server);
    const ask = () => transport.challenge({ mfaToken, authenticatorId: "push|dev_x", challengeType: "oob" });
    server.on("POST", "/mfa/challenge", { body: { challenge_type: "oob", oob_code: "Fe26...jGco" } });
    expect(valueOf(await ask())).toEqual({ challengeType: "oob", oobCode: "Fe26...jGco" });
    server.on("POST", "/mfa/challenge", { body: { challenge_type: "otp" } });
    expect(valueOf(await ask())).toEqual({ challengeType: "otp" });
    server.on("POST", "/mfa/challenge", { body: { challenge_type: "oob", oob_code: "asdae35fdt5", binding_method: "prompt" } });
    expect(valueOf(await ask())).toEqual({ challengeType: "oob", oobCode: "asdae35fdt5", bindingMethod: "prompt" });
  });

  it("verifyOob / verifyOtp: tokens; null optional fields are left out", async () => {
    server.on("POST", "/oauth/token", {
      body: { access_token: "test-access-token", expires_in: 86400, scope: "openid profile", token_type: "Bearer", id_token: null },
    });
    const expected = { accessToken: "test-access-token", expiresIn: 86400, scope: "openid profile", tokenType: "Bearer" };
    expect(valueOf(await transportFor(server).verifyOob({ mfaToken, oobCode: SECRETS.oobCode }))).toEqual(expected);
    expect(valueOf(await transportFor(server).verifyOtp({ mfaToken, otp: "853860" }))).toEqual(expected);
  });

  it("verifyRecoveryCode: tokens with the new recovery code", async () => {
    server.on("POST", "/oauth/token", {
      body: { access_token: "O3...H4", id_token: "eyJh...w", scope: "openid profile", expires_in: 86400, recovery_code: "K6LGLV3RSH3VERMKET8L7QKU", token_type: "Bearer" },
    });
    expect(valueOf(await transportFor(server).verifyRecoveryCode({ mfaToken, recoveryCode: SECRETS.recoveryCode }))).toEqual({
      accessToken: "O3...H4",
      idToken: "eyJh...w",
      scope: "openid profile",
      expiresIn: 86400,
      recoveryCode: "K6LGLV3RSH3VERMKET8L7QKU",
      tokenType: "Bearer",
    });
  });

  it("deleteAuthenticator: any 2xx is success, with or without a body", async () => {
    server.on("DELETE", "/mfa/authenticators/totp%7Cdev_1", { status: 200, body: { ok: true } });
    expect(await transportFor(server).deleteAuthenticator({ accessToken: SECRETS.accessToken, authenticatorId: "totp|dev_1" })).toEqual({
      ok: true,
      value: undefined,
    });
  });
});

describe("answers that fail validation are invalid_response, with a readable reason", () => {
  const cases: ReadonlyArray<readonly [string, () => Promise<Result<unknown>>, unknown, string]> = [
    ["associate without oob_code", () => transportFor(server).associate({ mfaToken }), { barcode_uri: "otpauth://totp/x" }, "oob_code is missing"],
    ["associate with a non-otpauth barcode_uri", () => transportFor(server).associate({ mfaToken }), { oob_code: "o", barcode_uri: "https://x" }, "barcode_uri is not an otpauth:// URI"],
    ["associate with recovery_codes not an array", () => transportFor(server).associate({ mfaToken }), { oob_code: "o", barcode_uri: "otpauth://x", recovery_codes: "ABC" }, "recovery_codes is not Array"],
    ["tokens with expires_in as a string", () => transportFor(server).verifyOob({ mfaToken, oobCode: SECRETS.oobCode }), { access_token: "a", token_type: "Bearer", expires_in: "600" }, "expires_in is not number"],
    ["tokens without access_token", () => transportFor(server).verifyOtp({ mfaToken, otp: SECRETS.otp }), { token_type: "Bearer", expires_in: 600 }, "access_token is missing"],
    ["a list that is not an array", () => transportFor(server).listAuthenticators({ mfaToken }), { authenticators: [] }, "the body is not Array"],
    ["a list entry without active", () => transportFor(server).listAuthenticators({ mfaToken }), [{ id: "push|dev_1", authenticator_type: "oob" }], "0.active is missing"],
    ["an oob challenge without oob_code", () => transportFor(server).challenge({ mfaToken, authenticatorId: "push|dev_1", challengeType: "oob" }), { challenge_type: "oob" }, "oob_code is missing for an oob challenge"],
    ["an unknown challenge_type", () => transportFor(server).challenge({ mfaToken, authenticatorId: "push|dev_1", challengeType: "oob" }), { challenge_type: "sms" }, 'challenge_type is not ("oob" | "otp")'],
    ["a login answer that is a bare string", () => transportFor(server).login({ username: "a", password: SECRETS.password }), "tokens", "the body is not Object"],
  ];

  it.each(cases)("%s", async (_name, run, body, reason) => {
    server.otherwise({ status: 200, body: typeof body === "string" ? JSON.stringify(body) : body, headers: { "content-type": "application/json" } });
    const problem = problemOf(await run());
    expect(problem).toMatchObject({ code: "invalid_response", status: 200 });
    expect(problem.message).toContain(`200 with an invalid body: ${reason}`);
  });

  it("a wrong-typed secret field is never quoted back", async () => {
    server.otherwise({ body: { oob_code: "o", barcode_uri: "otpauth://x", recovery_codes: "SECRET-RECOVERY-CODES" } });
    const problem = problemOf(await transportFor(server).associate({ mfaToken }));
    expect(problem.message).not.toContain("SECRET-RECOVERY-CODES");
  });

  it("HTML with 200 is invalid_response", async () => {
    server.otherwise({ status: 200, headers: { "content-type": "text/html" }, body: "<html><body>Login</body></html>" });
    const problem = problemOf(await transportFor(server).verifyOob({ mfaToken, oobCode: SECRETS.oobCode }));
    expect(problem).toMatchObject({ code: "invalid_response", status: 200 });
    expect(problem.message).toBe("verify oob failed: POST /oauth/token → 200 with a body that is not JSON (text/html)");
  });

  it("an empty 200 is invalid_response", async () => {
    server.otherwise({ status: 200 });
    const problem = problemOf(await transportFor(server).associate({ mfaToken }));
    expect(problem.code).toBe("invalid_response");
    expect(problem.message).toContain("200 with an empty body");
  });

  it("truncated JSON is invalid_response", async () => {
    server.otherwise({ status: 200, headers: { "content-type": "application/json" }, body: '{"access_token":"a","token_ty' });
    expect(problemOf(await transportFor(server).verifyOtp({ mfaToken, otp: SECRETS.otp })).code).toBe("invalid_response");
  });
});

describe("the 1 MiB cap", () => {
  /** A valid JSON list padded with spaces to exactly `size` bytes. */
  const paddedList = (size: number): string => {
    const json = '[{"id":"push|dev_1","authenticator_type":"oob","active":true}]';
    return json + " ".repeat(size - json.length);
  };

  it("a body of exactly 1 MiB is read", async () => {
    server.otherwise({ headers: { "content-type": "application/json" }, body: paddedList(MAX_BODY_BYTES) });
    expect(valueOf(await transportFor(server).listAuthenticators({ mfaToken }))).toHaveLength(1);
  });

  it("a content-length over 1 MiB is refused without reading", async () => {
    server.otherwise({ headers: { "content-type": "application/json" }, body: paddedList(MAX_BODY_BYTES + 1) });
    const problem = problemOf(await transportFor(server).listAuthenticators({ mfaToken }));
    expect(problem).toMatchObject({ code: "invalid_response", status: 200 });
    expect(problem.message).toContain("body over 1 MiB (by its content-length)");
  });

  it("a chunked body that grows past 1 MiB is cut off as it is read", async () => {
    server.otherwise({ headers: { "content-type": "application/json", "transfer-encoding": "chunked" }, mode: "endless" });
    const started = Date.now();
    const problem = problemOf(await transportFor(server, { timeoutMs: 5_000 }).listAuthenticators({ mfaToken }));
    expect(problem).toMatchObject({ code: "invalid_response", status: 200 });
    expect(problem.message).toContain("body over 1 MiB (as read)");
    // Cut off by size, long before the timeout: the reader does not buffer without bound.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a huge 5xx body is invalid_response too (it was never read)", async () => {
    server.otherwise({ status: 500, headers: { "content-type": "text/html" }, body: "x".repeat(MAX_BODY_BYTES + 10) });
    expect(problemOf(await transportFor(server).verifyOob({ mfaToken, oobCode: SECRETS.oobCode })).code).toBe("invalid_response");
  });
});
