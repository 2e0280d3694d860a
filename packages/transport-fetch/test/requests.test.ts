import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { form, SECRETS, transportFor, valueOf } from "./helpers.ts";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

const TOKENS = { access_token: "at", expires_in: 86400, scope: "openid profile", token_type: "Bearer" };

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function onlyRequest() {
  expect(server.requests).toHaveLength(1);
  const request = server.requests[0];
  if (request === undefined) throw new Error("no request");
  return request;
}

describe("request shapes", () => {
  it("login: password grant, form-encoded, no client_secret for a public client", async () => {
    server.on("POST", "/oauth/token", { body: TOKENS });
    valueOf(await transportFor(server).login({ username: "ann@example.com", password: SECRETS.password }));
    const request = onlyRequest();
    expect(request.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBeUndefined();
    expect(form(request.body)).toEqual({
      grant_type: "password",
      username: "ann@example.com",
      password: SECRETS.password,
      client_id: "client-abc",
    });
  });

  it("login: password-realm grant with realm, client_secret, audience and scope", async () => {
    server.on("POST", "/oauth/token", { body: TOKENS });
    const transport = transportFor(server, { clientSecret: SECRETS.clientSecret, audience: "https://api", scope: "openid" });
    valueOf(await transport.login({ username: "ann", password: SECRETS.password, realm: "Username-Password-Authentication" }));
    expect(form(onlyRequest().body)).toEqual({
      grant_type: "http://auth0.com/oauth/grant-type/password-realm",
      username: "ann",
      password: SECRETS.password,
      client_id: "client-abc",
      client_secret: SECRETS.clientSecret,
      realm: "Username-Password-Authentication",
      audience: "https://api",
      scope: "openid",
    });
  });

  it("login: the request's audience and scope win over the options", async () => {
    server.on("POST", "/oauth/token", { body: TOKENS });
    const transport = transportFor(server, { audience: "https://api", scope: "openid" });
    valueOf(await transport.login({ username: "ann", password: SECRETS.password, audience: "https://other", scope: "openid profile" }));
    expect(form(onlyRequest().body)).toMatchObject({ audience: "https://other", scope: "openid profile" });
  });

  it("associate: POST /mfa/associate, Bearer mfa_token, the documented push JSON body", async () => {
    server.on("POST", "/mfa/associate", { body: { oob_code: "oob", barcode_uri: "otpauth://totp/x?enrollment_tx_id=t" } });
    valueOf(await transportFor(server, { clientSecret: SECRETS.clientSecret }).associate({ mfaToken: SECRETS.mfaToken }));
    const request = onlyRequest();
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe(`Bearer ${SECRETS.mfaToken}`);
    expect(request.headers["content-type"]).toMatch(/^application\/json/);
    expect(request.headers.accept).toBe("application/json");
    expect(request.body).toBe('{"authenticator_types":["oob"],"oob_channels":["auth0"]}');
  });

  it("listAuthenticators: GET /mfa/authenticators with the Bearer mfa_token and no body", async () => {
    server.on("GET", "/mfa/authenticators", { body: [] });
    valueOf(await transportFor(server).listAuthenticators({ mfaToken: SECRETS.mfaToken }));
    const request = onlyRequest();
    expect(request.method).toBe("GET");
    expect(request.headers.authorization).toBe(`Bearer ${SECRETS.mfaToken}`);
    expect(request.body).toBe("");
  });

  it("challenge: JSON body with the mfa_token and no Authorization header", async () => {
    server.on("POST", "/mfa/challenge", { body: { challenge_type: "oob", oob_code: "oob" } });
    valueOf(await transportFor(server).challenge({ mfaToken: SECRETS.mfaToken, authenticatorId: "push|dev_ADbB4Y2ozSOwynKu", challengeType: "oob" }));
    const request = onlyRequest();
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(request.body)).toEqual({
      mfa_token: SECRETS.mfaToken,
      client_id: "client-abc",
      challenge_type: "oob",
      authenticator_id: "push|dev_ADbB4Y2ozSOwynKu",
    });
  });

  it("challenge: client_secret only when configured", async () => {
    server.on("POST", "/mfa/challenge", { body: { challenge_type: "otp" } });
    valueOf(await transportFor(server, { clientSecret: SECRETS.clientSecret }).challenge({
      mfaToken: SECRETS.mfaToken,
      authenticatorId: "totp|dev_id",
      challengeType: "otp",
    }));
    expect(Object.keys(JSON.parse(onlyRequest().body) as object)).toEqual([
      "mfa_token",
      "client_id",
      "client_secret",
      "challenge_type",
      "authenticator_id",
    ]);
  });

  it("verifyOob: the mfa-oob grant, form-encoded, no Authorization header", async () => {
    server.on("POST", "/oauth/token", { body: TOKENS });
    valueOf(await transportFor(server, { clientSecret: SECRETS.clientSecret }).verifyOob({ mfaToken: SECRETS.mfaToken, oobCode: SECRETS.oobCode }));
    const request = onlyRequest();
    expect(request.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBeUndefined();
    expect(form(request.body)).toEqual({
      grant_type: "http://auth0.com/oauth/grant-type/mfa-oob",
      client_id: "client-abc",
      client_secret: SECRETS.clientSecret,
      mfa_token: SECRETS.mfaToken,
      oob_code: SECRETS.oobCode,
    });
  });

  it("verifyOtp: the mfa-otp grant", async () => {
    server.on("POST", "/oauth/token", { body: TOKENS });
    valueOf(await transportFor(server).verifyOtp({ mfaToken: SECRETS.mfaToken, otp: "853860" }));
    expect(form(onlyRequest().body)).toEqual({
      grant_type: "http://auth0.com/oauth/grant-type/mfa-otp",
      client_id: "client-abc",
      mfa_token: SECRETS.mfaToken,
      otp: "853860",
    });
  });

  it("verifyRecoveryCode: the mfa-recovery-code grant", async () => {
    server.on("POST", "/oauth/token", { body: { ...TOKENS, recovery_code: "17EQHNZC2SZDYG7X4QXVX9SW" } });
    valueOf(await transportFor(server).verifyRecoveryCode({ mfaToken: SECRETS.mfaToken, recoveryCode: SECRETS.recoveryCode }));
    expect(form(onlyRequest().body)).toEqual({
      grant_type: "http://auth0.com/oauth/grant-type/mfa-recovery-code",
      client_id: "client-abc",
      mfa_token: SECRETS.mfaToken,
      recovery_code: SECRETS.recoveryCode,
    });
  });

  it("deleteAuthenticator: DELETE with | encoded as %7C, Bearer access token, 204 is success", async () => {
    server.on("DELETE", "/mfa/authenticators/push%7Cdev_BBTKYpxKHOXVBnql", { status: 204 });
    const result = await transportFor(server).deleteAuthenticator({
      accessToken: SECRETS.accessToken,
      authenticatorId: "push|dev_BBTKYpxKHOXVBnql",
    });
    expect(result).toEqual({ ok: true, value: undefined });
    const request = onlyRequest();
    expect(request.method).toBe("DELETE");
    expect(request.path).toBe("/mfa/authenticators/push%7Cdev_BBTKYpxKHOXVBnql");
    expect(request.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`);
  });

  it("deleteAuthenticator: a slash in the id cannot change the path", async () => {
    server.on("DELETE", "/mfa/authenticators/..%2Fassociate", { status: 204 });
    valueOf(await transportFor(server).deleteAuthenticator({ accessToken: SECRETS.accessToken, authenticatorId: "../associate" }));
    expect(onlyRequest().path).toBe("/mfa/authenticators/..%2Fassociate");
  });

  it("a base path in the domain prefixes every endpoint", async () => {
    server.on("GET", "/tenant-a/mfa/authenticators", { body: [] });
    const transport = transportFor(server, { domain: `${server.url}/tenant-a/` });
    valueOf(await transport.listAuthenticators({ mfaToken: SECRETS.mfaToken }));
    expect(onlyRequest().path).toBe("/tenant-a/mfa/authenticators");
  });

  it("an empty required field is bad_input and sends nothing", async () => {
    const transport = transportFor(server);
    const results = await Promise.all([
      transport.associate({ mfaToken: "" }),
      transport.listAuthenticators({ mfaToken: "" }),
      transport.challenge({ mfaToken: SECRETS.mfaToken, authenticatorId: "", challengeType: "oob" }),
      transport.verifyOob({ mfaToken: SECRETS.mfaToken, oobCode: "" }),
      transport.verifyOtp({ mfaToken: SECRETS.mfaToken, otp: "" }),
      transport.verifyRecoveryCode({ mfaToken: "", recoveryCode: SECRETS.recoveryCode }),
      transport.deleteAuthenticator({ accessToken: SECRETS.accessToken, authenticatorId: "" }),
      transport.login({ username: "", password: SECRETS.password }),
    ]);
    for (const result of results) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem.code).toBe("bad_input");
    }
    expect(server.requests).toHaveLength(0);
  });
});
