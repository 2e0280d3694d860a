import type { ErrorCode, Problem, Transport } from "@pushflow/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CallKind } from "../src/index.ts";
import { expectNoSecret, problemOf, SECRETS, transportFor } from "./helpers.ts";
import { type CannedAnswer, type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** Runs one call with recognisable secrets; every route answers with `answer`. */
async function callWith(call: CallKind, answer: CannedAnswer, transport?: Transport): Promise<Problem> {
  server.otherwise(answer);
  const t = transport ?? transportFor(server, { clientSecret: SECRETS.clientSecret });
  const mfaToken = SECRETS.mfaToken;
  switch (call) {
    case "login":
      return problemOf(await t.login({ username: "ann", password: SECRETS.password }));
    case "associate":
      return problemOf(await t.associate({ mfaToken }));
    case "listAuthenticators":
      return problemOf(await t.listAuthenticators({ mfaToken }));
    case "challenge":
      return problemOf(await t.challenge({ mfaToken, authenticatorId: "push|dev_x", challengeType: "oob" }));
    case "verifyOob":
      return problemOf(await t.verifyOob({ mfaToken, oobCode: SECRETS.oobCode }));
    case "verifyOtp":
      return problemOf(await t.verifyOtp({ mfaToken, otp: SECRETS.otp }));
    case "verifyRecoveryCode":
      return problemOf(await t.verifyRecoveryCode({ mfaToken, recoveryCode: SECRETS.recoveryCode }));
    case "deleteAuthenticator":
      return problemOf(await t.deleteAuthenticator({ accessToken: SECRETS.accessToken, authenticatorId: "push|dev_x" }));
  }
}

type Row = readonly [call: CallKind, status: number, error: string, description: string | undefined, code: ErrorCode];

// protocol.md §13 bodies (and §3.4, §6.3, §7.3, §7.4, §14), then the catch-alls.
const ROWS: readonly Row[] = [
  ["verifyOob", 400, "authorization_pending", "Authorization pending: please repeat the request in a few seconds.", "authorization_pending"],
  ["verifyOob", 400, "slow_down", "You are polling faster than allowed. Try again in 10 seconds.", "slow_down"],
  ["verifyOob", 429, "slow_down", undefined, "slow_down"],
  // A 429 is a rate limit whatever its body (issue 16): its wait must not be read as a plain pending poll.
  ["verifyOob", 429, "authorization_pending", "Authorization pending: please repeat the request in a few seconds.", "rate_limited"],
  ["verifyOob", 429, "temporarily_unavailable", undefined, "rate_limited"],
  // access_denied
  ["verifyOob", 400, "access_denied", "MFA Authorization rejected.", "rejected"],
  ["associate", 403, "access_denied", "User is already enrolled.", "already_enrolled"],
  ["listAuthenticators", 401, "access_denied", "Invalid MFA token", "mfa_token_invalid"],
  ["verifyOob", 401, "access_denied", "Invalid MFA token", "mfa_token_invalid"],
  ["challenge", 403, "access_denied", "Access denied.", "invalid_request"],
  ["verifyOtp", 403, "access_denied", "MFA Authorization rejected.", "invalid_request"],
  // invalid_grant
  ["verifyOob", 400, "invalid_grant", "MFA Authorization rejected.", "rejected"],
  ["verifyRecoveryCode", 403, "invalid_grant", "MFA Authorization rejected.", "invalid_code"],
  ["associate", 401, "invalid_grant", "The mfa_token provided is invalid. Try getting a new token.", "mfa_token_invalid"],
  ["listAuthenticators", 401, "invalid_grant", "The mfa_token provided is invalid. Try getting a new token.", "mfa_token_invalid"],
  ["deleteAuthenticator", 401, "invalid_grant", "The mfa_token provided is invalid. Try getting a new token.", "mfa_token_invalid"],
  ["verifyOtp", 403, "invalid_grant", "Malformed mfa_token", "mfa_token_invalid"],
  ["verifyOob", 403, "invalid_grant", "Malformed mfa_token", "mfa_token_invalid"],
  ["verifyOtp", 403, "invalid_grant", "Invalid otp_code.", "invalid_code"],
  ["verifyOtp", 403, "invalid_grant", "Invalid OTP code", "invalid_code"],
  ["verifyRecoveryCode", 403, "invalid_grant", "Invalid recovery code", "invalid_code"],
  ["login", 403, "invalid_grant", "Wrong email or password.", "invalid_credentials"],
  ["verifyOob", 403, "invalid_grant", "Invalid or expired OOB code", "invalid_request"],
  ["verifyOob", 403, "invalid_grant", "Invalid binding_code.", "invalid_request"],
  ["challenge", 400, "invalid_grant", "Something else", "invalid_request"],
  // expired_token
  ["verifyOob", 401, "expired_token", "mfa_token is expired", "mfa_token_invalid"],
  ["verifyOtp", 401, "expired_token", "MFA token has expired", "mfa_token_invalid"],
  ["verifyRecoveryCode", 401, "expired_token", "The mfa_token has expired. Please start the authentication flow again.", "mfa_token_invalid"],
  ["verifyOob", 403, "expired_token", "oob_code is expired", "expired"],
  // token errors
  ["associate", 401, "invalid_token", "MFA token is invalid or expired", "mfa_token_invalid"],
  ["deleteAuthenticator", 401, "invalid_token", "Invalid MFA token", "mfa_token_invalid"],
  ["challenge", 403, "invalid_token", "Token expired", "mfa_token_invalid"],
  ["listAuthenticators", 401, "unauthorized", "Invalid or expired MFA token", "mfa_token_invalid"],
  // enrollment, configuration
  ["challenge", 400, "association_required", undefined, "not_enrolled"],
  ["challenge", 401, "unsupported_challenge_type", "User is not enrolled with guardian", "not_enrolled"],
  ["challenge", 400, "unsupported_challenge_type", "Unsupported challenge type", "not_enrolled"],
  ["verifyOob", 403, "unauthorized_client", "Grant type 'http://auth0.com/oauth/grant-type/mfa-oob' not allowed for the client.", "misconfigured"],
  ["login", 401, "invalid_client", "Client authentication failed", "misconfigured"],
  ["verifyOtp", 401, "invalid_client", "Client authentication failed", "misconfigured"],
  // attempts and rate limits
  ["verifyOtp", 429, "too_many_attempts", "too many attempts", "too_many_attempts"],
  ["verifyOtp", 400, "invalid_request", "Too many failed codes. Wait for some minutes before retrying.", "too_many_attempts"],
  ["verifyRecoveryCode", 403, "invalid_grant", "Too many failed codes. Wait for some minutes before retrying.", "too_many_attempts"],
  ["verifyOob", 429, "too_many_requests", "Rate limit exceeded.", "rate_limited"],
  ["associate", 429, "too_many_requests", "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.", "rate_limited"],
  ["challenge", 429, "too_many_pn", "We have received too many notification requests. Wait a few minutes and try again.", "rate_limited"],
  // authenticators, servers, the rest
  ["challenge", 404, "invalid_authenticator", "Authenticator not found", "invalid_authenticator"],
  ["challenge", 400, "invalid_authenticator", "Invalid authenticator ID", "invalid_authenticator"],
  ["deleteAuthenticator", 404, "invalid_authenticator", "Authenticator not found", "invalid_authenticator"],
  ["associate", 500, "server_error", "Internal server error", "server_error"],
  ["verifyOob", 503, "temporarily_unavailable", "Try again later", "server_error"],
  ["verifyOob", 500, "something_new", "Oops", "server_error"],
  ["associate", 400, "invalid_request", "Invalid phone number format", "invalid_request"],
  ["associate", 400, "enrollment_failed", "Push enrollment failed", "invalid_request"],
  ["associate", 400, "unsupported_authenticator_type", "Unsupported type", "invalid_request"],
  ["verifyOob", 400, "use_dpop_nonce", undefined, "invalid_request"],
  ["verifyOtp", 401, "invalid_otp", "The OTP code is invalid", "invalid_request"],
  ["verifyRecoveryCode", 403, "invalid_recovery_code", "Recovery code is invalid or already used", "invalid_request"],
  // Old docs claim 200 for a pending poll: the error field still decides.
  ["verifyOob", 200, "authorization_pending", "Authorization pending: please repeat the request in a few seconds.", "authorization_pending"],
];

describe("classification by the error field", () => {
  it.each(ROWS)("%s %i %s (%s) → %s", async (call, status, error, description, code) => {
    const body = description === undefined ? { error } : { error, error_description: description };
    const problem = await callWith(call, { status, body });
    expect(problem.code).toBe(code);
    expect(problem.status).toBe(status);
    expect(problem.error).toBe(error);
    expect(problem.mfaToken).toBeUndefined();
    expect(problem.message).toContain(`→ ${status} ${error}`);
    if (description !== undefined) expect(problem.message).toContain(description);
    expectNoSecret(problem);
  });

  it("the message reads like ky's: what, method, path, status, error and description", async () => {
    const problem = await callWith("associate", { status: 403, body: { error: "access_denied", error_description: "User is already enrolled." } });
    expect(problem.message).toBe("associate failed: POST /mfa/associate → 403 access_denied: User is already enrolled.");
  });

  it("mfa_required on an MFA grant carries the new mfa_token, in that field only", async () => {
    const problem = await callWith("verifyOob", {
      status: 403,
      body: { error: "mfa_required", error_description: "Additional factor required", mfa_token: SECRETS.newMfaToken },
    });
    expect(problem).toMatchObject({ code: "mfa_required", status: 403, error: "mfa_required", mfaToken: SECRETS.newMfaToken });
    expect(problem.message).not.toContain(SECRETS.newMfaToken);
    expectNoSecret(problem);
  });

  it("mfa_required without an mfa_token is invalid_response", async () => {
    const problem = await callWith("verifyOtp", { status: 403, body: { error: "mfa_required", error_description: "Additional factor required" } });
    expect(problem.code).toBe("invalid_response");
    expect(problem.message).toContain("without an mfa_token");
  });

  it("a 429 without an error field, or with HTML, is still rate_limited", async () => {
    expect((await callWith("verifyOob", { status: 429, body: { message: "slow down" } })).code).toBe("rate_limited");
    expect((await callWith("verifyOob", { status: 429, headers: { "content-type": "text/html" }, body: "<html>Too Many</html>" })).code).toBe(
      "rate_limited",
    );
  });

  it("5xx without a JSON error is server_error: HTML 502, empty 504, JSON without error", async () => {
    const html = await callWith("challenge", { status: 502, headers: { "content-type": "text/html" }, body: "<html>Bad Gateway</html>" });
    expect(html).toMatchObject({ code: "server_error", status: 502 });
    expect(html.message).toBe("challenge failed: POST /mfa/challenge → 502 with a body that is not JSON (text/html)");
    expect((await callWith("verifyOob", { status: 504 })).code).toBe("server_error");
    expect((await callWith("verifyOob", { status: 500, body: { message: "boom" } })).code).toBe("server_error");
  });

  it("a 4xx without a usable error body is invalid_response", async () => {
    const empty = await callWith("deleteAuthenticator", { status: 404 });
    expect(empty).toMatchObject({ code: "invalid_response", status: 404 });
    expect(empty.message).toContain("404 with an empty body");
    const noError = await callWith("challenge", { status: 400, body: { message: "bad" } });
    expect(noError.code).toBe("invalid_response");
    expect(noError.message).toContain("error is missing");
    const html = await callWith("associate", { status: 403, headers: { "content-type": "text/html" }, body: "<html>Forbidden</html>" });
    expect(html.code).toBe("invalid_response");
  });

  it("an unfollowed redirect is invalid_response", async () => {
    const problem = await callWith("verifyOob", { status: 302, headers: { location: "http://evil.example/" } });
    expect(problem).toMatchObject({ code: "invalid_response", status: 302 });
    expect(server.requests).toHaveLength(1);
  });
});

describe("server text in messages", () => {
  it("secrets the server echoes are redacted, in the description and in the error field", async () => {
    const problem = await callWith("verifyOtp", {
      status: 403,
      body: { error: `bad_${SECRETS.otp}`, error_description: `Invalid otp_code ${SECRETS.otp} for ${SECRETS.mfaToken} (${SECRETS.clientSecret})` },
    });
    expect(problem.message).toContain("[redacted]");
    expectNoSecret(problem);
  });

  it("the description is cut at 200 characters and flattened to one line", async () => {
    const description = `line one\nline two\t${"x".repeat(500)}`;
    const problem = await callWith("associate", { status: 400, body: { error: "invalid_request", error_description: description } });
    const shown = problem.message.split("invalid_request: ")[1] ?? "";
    expect(shown).toHaveLength(200);
    expect(shown.startsWith("line one line two x")).toBe(true);
    expect(shown.endsWith("…")).toBe(true);
    expect(problem.message).not.toContain("\n");
  });
});

describe("waits: Retry-After and x-ratelimit-reset", () => {
  const NOW = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  const at = (): Transport => transportFor(server, { now: () => NOW });
  const rateLimited = { error: "too_many_requests", error_description: "Rate limit exceeded." };

  it("Retry-After in seconds", async () => {
    const problem = await callWith("verifyOob", { status: 429, headers: { "retry-after": "30" }, body: rateLimited }, at());
    expect(problem).toMatchObject({ code: "rate_limited", retryAfterMs: 30_000 });
  });

  it("Retry-After as an HTTP-date, against now()", async () => {
    const headers = { "retry-after": "Wed, 21 Oct 2015 07:28:45 GMT" };
    expect(await callWith("verifyOob", { status: 429, headers, body: rateLimited }, at())).toMatchObject({ retryAfterMs: 45_000 });
  });

  it("a Retry-After date in the past means no wait", async () => {
    const headers = { "retry-after": "Wed, 21 Oct 2015 07:00:00 GMT" };
    expect(await callWith("verifyOob", { status: 429, headers, body: rateLimited }, at())).toMatchObject({ retryAfterMs: 0 });
  });

  it("x-ratelimit-reset (unix seconds) when there is no Retry-After", async () => {
    const headers = { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 42) };
    expect(await callWith("associate", { status: 429, headers, body: rateLimited }, at())).toMatchObject({
      code: "rate_limited",
      retryAfterMs: 42_000,
    });
  });

  it("Retry-After wins over x-ratelimit-reset; an unreadable Retry-After falls back", async () => {
    const reset = String(NOW / 1000 + 42);
    expect(
      await callWith("verifyOob", { status: 429, headers: { "retry-after": "7", "x-ratelimit-reset": reset }, body: rateLimited }, at()),
    ).toMatchObject({ retryAfterMs: 7_000 });
    expect(
      await callWith("verifyOob", { status: 429, headers: { "retry-after": "soon", "x-ratelimit-reset": reset }, body: rateLimited }, at()),
    ).toMatchObject({ retryAfterMs: 42_000 });
  });

  it("a rate limit with HTML and x-ratelimit-reset still gets its wait", async () => {
    const headers = { "content-type": "text/html", "x-ratelimit-reset": String(NOW / 1000 + 5) };
    expect(await callWith("verifyOob", { status: 429, headers, body: "<html>429</html>" }, at())).toMatchObject({
      code: "rate_limited",
      retryAfterMs: 5_000,
    });
  });

  it("no header, no wait", async () => {
    expect((await callWith("verifyOob", { status: 429, body: rateLimited }, at())).retryAfterMs).toBeUndefined();
  });

  it("slow_down takes Retry-After when sent", async () => {
    const body = { error: "slow_down", error_description: "You are polling faster than allowed." };
    expect(await callWith("verifyOob", { status: 429, headers: { "retry-after": "10" }, body }, at())).toMatchObject({
      code: "slow_down",
      retryAfterMs: 10_000,
    });
    expect((await callWith("verifyOob", { status: 400, body }, at())).retryAfterMs).toBeUndefined();
  });

  it("a 503 with Retry-After passes the wait on", async () => {
    const body = { error: "temporarily_unavailable" };
    expect(await callWith("verifyOob", { status: 503, headers: { "retry-after": "3" }, body }, at())).toMatchObject({
      code: "server_error",
      retryAfterMs: 3_000,
    });
  });
});
