import type { ErrorCode, Result, Transport } from "@pushflow/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallKind, createFetchTransport, MAX_BODY_BYTES } from "../src/index.ts";
import { ALL_SECRETS, expectNoSecret, SECRETS } from "./helpers.ts";
import { type CannedAnswer, type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

const TIMEOUT_MS = 150;
/** Scheduling slack on a busy 2-core machine; the budget itself is TIMEOUT_MS. */
const SLACK_MS = 500;

const ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "authorization_pending", "slow_down", "rejected", "expired", "mfa_token_invalid", "already_enrolled", "not_enrolled",
  "mfa_required", "misconfigured", "rate_limited", "invalid_code", "invalid_credentials", "too_many_attempts",
  "invalid_authenticator", "invalid_request", "server_error", "network", "timeout", "invalid_response", "bad_input",
  "insecure_url", "invalid_record", "internal",
]);

const CALLS: readonly CallKind[] = [
  "login", "associate", "listAuthenticators", "challenge", "verifyOob", "verifyOtp", "verifyRecoveryCode", "deleteAuthenticator",
];

const KNOWN_ERRORS = [
  "authorization_pending", "slow_down", "access_denied", "invalid_grant", "expired_token", "invalid_token", "unauthorized",
  "mfa_required", "association_required", "unsupported_challenge_type", "unauthorized_client", "invalid_client",
  "too_many_attempts", "too_many_requests", "invalid_authenticator", "server_error", "temporarily_unavailable", "invalid_request",
];
const KNOWN_DESCRIPTIONS = [
  "User is already enrolled.", "Invalid MFA token", "MFA Authorization rejected.", "Malformed mfa_token",
  "The mfa_token provided is invalid. Try getting a new token.", "mfa_token is expired", "oob_code is expired",
  "Too many failed codes. Wait for some minutes before retrying.", "Rate limit exceeded.", "Wrong email or password.",
];

// ---- arbitraries -------------------------------------------------------------------------

/** A value in about one draw in `oneIn`, else undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const secret = fc.constantFrom(...ALL_SECRETS);
/** Server text that sometimes echoes a secret of the request. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_DESCRIPTIONS) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), secret, fc.string({ maxLength: 10 })).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.string({ minLength: 180, maxLength: 400 }) },
);
/** A value for a field: usually the right type, sometimes anything. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), secret, fc.constant(null)) });

const errorBody = fc.record(
  {
    error: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KNOWN_ERRORS) }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
    error_description: field(text),
    mfa_token: field(fc.constantFrom(SECRETS.newMfaToken, "")),
    mfa_requirements: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ["error"] },
);
const tokenBody = fc.record(
  {
    access_token: field(fc.string({ minLength: 1, maxLength: 20 })),
    token_type: field(fc.constant("Bearer")),
    expires_in: field(fc.nat(86_400)),
    id_token: field(fc.string({ maxLength: 20 })),
    scope: field(fc.constant("openid profile")),
    recovery_code: field(fc.string({ maxLength: 24 })),
  },
  { requiredKeys: [] },
);
const associateBody = fc.record(
  {
    oob_code: field(fc.string({ minLength: 1, maxLength: 20 })),
    barcode_uri: field(fc.constantFrom("otpauth://totp/T:u?enrollment_tx_id=x&base_url=y", "https://nope")),
    recovery_codes: field(fc.array(fc.string({ maxLength: 24 }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const authenticatorsBody = fc.array(
  fc.record(
    {
      id: field(fc.constantFrom("push|dev_1", "totp|dev_1", "")),
      authenticator_type: field(fc.constantFrom("oob", "otp", "recovery-code")),
      active: field(fc.boolean()),
      oob_channel: field(fc.constantFrom("auth0", "sms")),
      name: field(fc.string({ maxLength: 10 })),
    },
    { requiredKeys: [] },
  ),
  { maxLength: 4 },
);
const challengeBody = fc.record(
  {
    challenge_type: field(fc.constantFrom("oob", "otp", "sms")),
    oob_code: field(fc.string({ maxLength: 20 })),
    binding_method: field(fc.constant("prompt")),
  },
  { requiredKeys: [] },
);
const jsonText = fc
  .oneof(
    { weight: 5, arbitrary: errorBody },
    { weight: 1, arbitrary: tokenBody },
    { weight: 1, arbitrary: associateBody },
    { weight: 1, arbitrary: authenticatorsBody },
    { weight: 1, arbitrary: challengeBody },
    { weight: 1, arbitrary: fc.jsonValue() },
  )
  .map((value) => JSON.stringify(value));
const body: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: jsonText },
  { weight: 2, arbitrary: fc.tuple(jsonText, fc.nat()).map(([json, cut]) => json.slice(0, cut % Math.max(1, json.length))) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("<html>Bad Gateway</html>", "", "null", "[]", "{}") },
  { weight: 1, arbitrary: fc.constant(undefined) },
  // huge-ish strings, either side of the cap
  { weight: 1, arbitrary: fc.constantFrom(60_000, 400_000, MAX_BODY_BYTES - 2, MAX_BODY_BYTES + 1).map((n) => `"${"x".repeat(n - 2)}"`) },
);
// 1xx are interim answers to a client: it keeps waiting (or gives up), which ends in timeout or network.
const status = fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 200, max: 599 }) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 199 }) });
const headers = fc.record(
  {
    "content-type": fc.oneof(fc.constantFrom("application/json", "application/json; charset=utf-8", "text/html", "text/plain"), printable),
    "retry-after": fc.oneof(
      fc.nat(100_000).map(String),
      fc.date({ min: new Date(0), max: new Date(4_000_000_000_000), noInvalidDate: true }).map((d) => d.toUTCString()),
      printable,
    ),
    "x-ratelimit-reset": fc.oneof(fc.nat(4_000_000_000).map(String), fc.double({ noNaN: true }).map(String), printable),
  },
  { requiredKeys: [] },
);
/** Now and then a content-length that may lie about the body (the server then stalls or breaks). */
const contentLength = sometimes(fc.nat(5_000).map(String), 25);
const mode = fc.oneof(
  { weight: 20, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom("hang" as const, "drop" as const, "drop-mid-body" as const, "stall-body" as const) },
);
const scenario = fc.record({
  call: fc.constantFrom(...CALLS),
  confidential: fc.boolean(),
  answer: fc.record({ status, headers, contentLength, body, mode }).map(({ contentLength: length, headers: h, ...rest }) => ({
    ...rest,
    headers: length === undefined ? h : { ...h, "content-length": length },
  })),
  // An abort in about one run in eight, at any point of the call.
  abortAfterMs: sometimes(fc.nat(200), 8),
});

// ---- the property ------------------------------------------------------------------------

let server: LoopbackServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(async () => {
  server = await startLoopbackServer();
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await server.close();
});

function run(transport: Transport, call: CallKind, signal: AbortSignal | undefined): Promise<Result<unknown>> {
  const options = signal === undefined ? {} : { signal };
  const mfaToken = SECRETS.mfaToken;
  switch (call) {
    case "login":
      return transport.login({ username: "ann", password: SECRETS.password }, options);
    case "associate":
      return transport.associate({ mfaToken }, options);
    case "listAuthenticators":
      return transport.listAuthenticators({ mfaToken }, options);
    case "challenge":
      return transport.challenge({ mfaToken, authenticatorId: "push|dev_1", challengeType: "oob" }, options);
    case "verifyOob":
      return transport.verifyOob({ mfaToken, oobCode: SECRETS.oobCode }, options);
    case "verifyOtp":
      return transport.verifyOtp({ mfaToken, otp: SECRETS.otp }, options);
    case "verifyRecoveryCode":
      return transport.verifyRecoveryCode({ mfaToken, recoveryCode: SECRETS.recoveryCode }, options);
    case "deleteAuthenticator":
      return transport.deleteAuthenticator({ accessToken: SECRETS.accessToken, authenticatorId: "push|dev_1" }, options);
  }
}

/** The secrets a call carries: the transport knows these, so none may come back in a problem. */
function carried(call: CallKind, confidential: boolean): readonly string[] {
  const own: Record<CallKind, readonly string[]> = {
    login: [SECRETS.password],
    associate: [SECRETS.mfaToken],
    listAuthenticators: [SECRETS.mfaToken],
    challenge: [SECRETS.mfaToken],
    verifyOob: [SECRETS.mfaToken, SECRETS.oobCode],
    verifyOtp: [SECRETS.mfaToken, SECRETS.otp],
    verifyRecoveryCode: [SECRETS.mfaToken, SECRETS.recoveryCode],
    deleteAuthenticator: [SECRETS.accessToken],
  };
  return [...own[call], ...(confidential ? [SECRETS.clientSecret] : [])];
}

/** The new mfa_token of an answer is a known secret too, once the answer names it. */
function namesNewMfaToken(body: string | undefined): boolean {
  try {
    const json: unknown = JSON.parse(body ?? "");
    return typeof json === "object" && json !== null && "mfa_token" in json && json.mfa_token === SECRETS.newMfaToken;
  } catch {
    return false;
  }
}

describe("fuzz: arbitrary answers to arbitrary calls", () => {
  it("every call resolves to a typed result within its timeout, and no problem leaks a secret", async () => {
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenario, async ({ call, confidential, answer, abortAfterMs }) => {
        server.otherwise(answer as CannedAnswer);
        const transport = createFetchTransport({
          domain: server.url,
          clientId: "client-abc",
          timeoutMs: TIMEOUT_MS,
          now: () => 1_700_000_000_000,
          ...(confidential ? { clientSecret: SECRETS.clientSecret } : {}),
        });
        const controller = abortAfterMs === undefined ? undefined : new AbortController();
        const timer = controller === undefined ? undefined : setTimeout(() => controller.abort(), abortAfterMs ?? 0);
        const started = performance.now();
        const result = await run(transport, call, controller?.signal);
        const elapsed = performance.now() - started;
        clearTimeout(timer);

        expect(elapsed).toBeLessThan(TIMEOUT_MS + SLACK_MS);
        expect(typeof result.ok).toBe("boolean");
        if (result.ok) {
          codes.set("ok", (codes.get("ok") ?? 0) + 1);
          if (call !== "deleteAuthenticator") expect(result.value).toBeTypeOf("object");
          return;
        }
        const { problem } = result;
        codes.set(problem.code, (codes.get(problem.code) ?? 0) + 1);
        expect(ERROR_CODES.has(problem.code)).toBe(true);
        expect(problem.message.length).toBeGreaterThan(0);
        expect(problem.message).not.toMatch(/[\n\r]/);
        if (problem.status !== undefined) expect(Number.isInteger(problem.status)).toBe(true);
        if (problem.retryAfterMs !== undefined) {
          expect(Number.isFinite(problem.retryAfterMs)).toBe(true);
          expect(problem.retryAfterMs).toBeGreaterThanOrEqual(0);
        }
        if (problem.mfaToken !== undefined) expect(problem.code).toBe("mfa_required");
        const known = carried(call, confidential);
        expectNoSecret(problem, namesNewMfaToken(answer.body) ? [...known, SECRETS.newMfaToken] : known);
      }),
      { numRuns: 500 },
    );
    // Let late socket events settle before checking for stray rejections.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
    // The runs reach well beyond the happy path.
    expect(codes.size).toBeGreaterThan(10);
  }, 60_000);
});
