/**
 * Parity: one scripted scenario run twice, through `createMockTransport(tenant)` in process and
 * through the fetch transport against an emulator serving an identical tenant over HTTP. Both
 * must answer the same Problems (code, status, error, wait, message) and the same kinds of values.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Result, Transport } from "@pushflow/core";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import { createDevice, createTenant, type TenantOptions, type VirtualDevice, type VirtualTenant } from "@pushflow/tenant";
import { createMockTransport } from "@pushflow/transport-mock";
import { createFetchTransport } from "../../src/index.ts";
import { CallTracker, SteppingClock, expectNoLeaks, ledger } from "./harness.ts";

const ADA = { username: "ada@example.com", password: "parity-password-7d1e" };
const BACKEND = { clientId: "backend", clientSecret: "parity-secret-51b0" };

/** The same tenant, built twice: one per side. */
function tenantOptions(clock: SteppingClock): TenantOptions {
  return {
    clock,
    name: "Parity",
    clients: [{ clientId: "app" }, BACKEND, { clientId: "no-mfa", mfaGrant: false }],
    users: [ADA],
  };
}

interface Side {
  readonly name: string;
  readonly clock: SteppingClock;
  readonly tenant: VirtualTenant;
  readonly device: VirtualDevice;
  transport(client?: { clientId: string; clientSecret?: string }): Transport;
}

let emulator: RunningEmulator;
let mock: Side;
let http: Side;

beforeAll(async () => {
  const start = Date.now();
  const mockClock = new SteppingClock();
  mockClock.set(start);
  const mockTenant = createTenant(tenantOptions(mockClock));
  mock = {
    name: "mock",
    clock: mockClock,
    tenant: mockTenant,
    device: createDevice(mockTenant, { username: ADA.username }),
    transport: (client = { clientId: "app" }) => new CallTracker().wrap(createMockTransport(mockTenant, client)),
  };

  const httpClock = new SteppingClock();
  httpClock.set(start);
  const httpTenant = createTenant(tenantOptions(httpClock));
  emulator = await startEmulator({ tenant: httpTenant, seed: false });
  http = {
    name: "http",
    clock: httpClock,
    tenant: httpTenant,
    device: emulator.device(ADA.username),
    transport: (client = { clientId: "app" }) =>
      new CallTracker().wrap(createFetchTransport({ domain: emulator.url, ...client, now: () => httpClock.now() })),
  };
  ledger.secret("client_secret", BACKEND.clientSecret);
  ledger.secret("password", ADA.password);
});
afterAll(async () => {
  await emulator.close();
});

/** What may be compared across the sides: problems in full (bar the new mfa_token), values by shape. */
function summary(result: Result<unknown>): unknown {
  if (!result.ok) {
    const { mfaToken, message, ...problem } = result.problem;
    // The mock names the DELETE path by its template, the fetch transport by the authenticator id (not a secret).
    const sameMessage = message.replace(/\/mfa\/authenticators\/\S+/, "/mfa/authenticators/{id}");
    return { ...problem, message: sameMessage, ...(mfaToken === undefined ? {} : { mfaToken: "present" }) };
  }
  return { ok: shape(result.value) };
}

function shape(value: unknown): unknown {
  if (value === undefined) return "void";
  if (Array.isArray(value)) return value.map((a: Record<string, unknown>) => [a.authenticatorType, a.active, a.oobChannel ?? null]);
  if (typeof value !== "object" || value === null) return typeof value;
  const v = value as Record<string, unknown>;
  const kept = ["type", "challengeType", "tokenType", "expiresIn", "scope"].filter((k) => v[k] !== undefined).map((k) => [k, v[k]]);
  return { keys: Object.keys(v).sort(), ...Object.fromEntries(kept), ...(Array.isArray(v.recoveryCodes) ? { recoveryCodes: v.recoveryCodes.length } : {}) };
}

const text = (result: Result<unknown>, key: string): string => {
  if (!result.ok || typeof result.value !== "object" || result.value === null) throw new Error(`no ${key}: ${JSON.stringify(summary(result))}`);
  const value = (result.value as Record<string, unknown>)[key];
  if (typeof value !== "string") throw new Error(`no ${key}`);
  return value;
};

/** The scenario: each call's answer goes into the trace under a label. */
async function scenario(side: Side): Promise<[string, unknown][]> {
  const trace: [string, unknown][] = [];
  const t = side.transport();
  const call = async <T>(label: string, answer: Promise<Result<T>>): Promise<Result<T>> => {
    const result = await answer;
    trace.push([label, summary(result)]);
    return result;
  };
  const mfaTokenOf = async (label: string, request: Parameters<Transport["login"]>[0], transport = t) => {
    const login = await call(label, transport.login(request));
    if (!login.ok || login.value.type !== "mfa_required") throw new Error("login did not ask for MFA");
    return login.value.mfaToken;
  };

  await call("login, wrong password", t.login({ username: ADA.username, password: "nope-nope-nope" }));
  const mfaToken = await mfaTokenOf("login", ADA);
  await call("challenge before enrollment", t.challenge({ mfaToken, authenticatorId: "push|dev_0000000000000000", challengeType: "oob" }));

  const association = await call("associate", t.associate({ mfaToken }));
  const enrollOob = text(association, "oobCode");
  for (let i = 1; i <= 13; i++) await call(`enrollment poll ${i}`, t.verifyOob({ mfaToken, oobCode: enrollOob }));
  side.clock.increment(5_000);
  side.device.scan(text(association, "barcodeUri"));
  await call("enrollment poll after the scan", t.verifyOob({ mfaToken, oobCode: enrollOob }));
  side.clock.increment(5_000);
  await call("the used oob_code", t.verifyOob({ mfaToken, oobCode: enrollOob }));
  await call("associate again", t.associate({ mfaToken }));

  const list = await call("list", t.listAuthenticators({ mfaToken }));
  const pushId = list.ok ? (list.value.find((a) => a.oobChannel === "auth0")?.id ?? "") : "";
  const totpId = list.ok ? (list.value.find((a) => a.authenticatorType === "otp")?.id ?? "") : "";
  const first = text(await call("challenge", t.challenge({ mfaToken, authenticatorId: pushId, challengeType: "oob" })), "oobCode");
  await call("push poll", t.verifyOob({ mfaToken, oobCode: first }));
  side.device.reject(ADA.username);
  await call("push poll after the rejection", t.verifyOob({ mfaToken, oobCode: first }));
  const pushes: string[] = [];
  for (let i = 2; i <= 6; i++) {
    const answer = await call(`push ${i}`, t.challenge({ mfaToken, authenticatorId: pushId, challengeType: "oob" }));
    if (answer.ok) pushes.push(answer.value.oobCode ?? "");
  }
  const latest = pushes.at(-1) ?? "";
  side.device.approve(ADA.username);
  await call("superseded push poll", t.verifyOob({ mfaToken, oobCode: pushes[0] ?? "" }));
  await call("approved push poll", t.verifyOob({ mfaToken, oobCode: latest }));
  await call("otp challenge", t.challenge({ mfaToken, authenticatorId: totpId, challengeType: "otp" }));
  await call("push challenged as otp", t.challenge({ mfaToken, authenticatorId: pushId, challengeType: "otp" }));
  await call("unknown authenticator", t.challenge({ mfaToken, authenticatorId: "push|dev_nope0000nope0000", challengeType: "oob" }));

  const right = side.device.totp();
  await call("wrong otp", t.verifyOtp({ mfaToken, otp: String((Number(right) + 3) % 1_000_000).padStart(6, "0") }));
  await call("right otp", t.verifyOtp({ mfaToken, otp: right }));
  await call("the same otp again", t.verifyOtp({ mfaToken, otp: right }));
  const recoveryCode = side.tenant.recoveryCode(ADA.username) ?? "";
  await call("wrong recovery code", t.verifyRecoveryCode({ mfaToken, recoveryCode: "ABCDEFGHJKLMNPQRSTUVWXYZ" }));
  await call("right recovery code", t.verifyRecoveryCode({ mfaToken, recoveryCode }));
  await call("the used recovery code", t.verifyRecoveryCode({ mfaToken, recoveryCode }));
  for (let i = 1; i <= 8; i++) await call(`wrong otp ${i + 1}`, t.verifyOtp({ mfaToken, otp: "000000" === right ? "111111" : "000000" }));
  await call("otp when locked", t.verifyOtp({ mfaToken, otp: side.device.totp() }));
  side.clock.increment(6 * 60_000);
  const afterLock = await mfaTokenOf("login after the lock's Retry-After", ADA);
  await call("otp after the lock's Retry-After", t.verifyOtp({ mfaToken: afterLock, otp: side.device.totp() }));

  const noMfa = side.transport({ clientId: "no-mfa" });
  const noMfaToken = await mfaTokenOf("login, MFA grant off", ADA, noMfa);
  await call("challenge, MFA grant off", noMfa.challenge({ mfaToken: noMfaToken, authenticatorId: pushId, challengeType: "oob" }));
  await call("poll, MFA grant off", noMfa.verifyOob({ mfaToken: noMfaToken, oobCode: latest }));
  await call("login, wrong secret", side.transport({ clientId: BACKEND.clientId, clientSecret: "wrong-secret-1" }).login(ADA));
  await call("login, no secret", side.transport({ clientId: BACKEND.clientId }).login(ADA));
  await call("login, unknown client", side.transport({ clientId: "nobody" }).login(ADA));
  const backend = side.transport(BACKEND);
  const backendToken = await mfaTokenOf("login, confidential", ADA, backend);
  await call("another client's mfa_token", t.verifyOob({ mfaToken: backendToken, oobCode: latest }));

  const audience = `${side.tenant.issuer}mfa/`;
  const adminToken = await mfaTokenOf("login for the MFA API", { ...ADA, audience, scope: "openid remove:authenticators" });
  const admin = await call("recovery code for the MFA API", t.verifyRecoveryCode({ mfaToken: adminToken, recoveryCode: side.tenant.recoveryCode(ADA.username) ?? "" }));
  const accessToken = text(admin, "accessToken");
  await call("delete with a bad token", t.deleteAuthenticator({ accessToken: "bad.access.token", authenticatorId: pushId }));
  await call("delete", t.deleteAuthenticator({ accessToken, authenticatorId: pushId }));
  await call("delete again", t.deleteAuthenticator({ accessToken, authenticatorId: pushId }));
  await call("list after delete", t.listAuthenticators({ mfaToken: adminToken }));

  side.clock.increment(5 * 60_000);
  await call("expired mfa_token", t.listAuthenticators({ mfaToken: adminToken }));
  await call("malformed mfa_token", t.associate({ mfaToken: "not-a-token" }));
  await call("unknown mfa_token", t.verifyOtp({ mfaToken: "Fe26.2*1*forged*forged*forged*1*forged*forged", otp: "123456" }));
  return trace;
}

it("the mock transport and the fetch transport over HTTP answer the same scenario alike", async () => {
  const viaMock = await scenario(mock);
  const viaHttp = await scenario(http);
  expect(viaHttp.map(([label]) => label)).toEqual(viaMock.map(([label]) => label));
  for (const [i, [label, answer]] of viaHttp.entries()) expect({ label, answer }).toEqual({ label, answer: viaMock[i]?.[1] });

  // The scenario covers these answers, on both sides.
  const codes = new Set(viaHttp.map(([, a]) => (a as { code?: string }).code).filter((c) => c !== undefined));
  expect([...codes].sort()).toEqual(
    [
      "authorization_pending",
      "slow_down",
      "rejected",
      "expired",
      "already_enrolled",
      "not_enrolled",
      "invalid_authenticator",
      "invalid_code",
      "invalid_credentials",
      "invalid_request",
      "misconfigured",
      "mfa_token_invalid",
      "rate_limited",
      "too_many_attempts",
    ].sort(),
  );
  const answerOf = (label: string) => viaHttp.find(([l]) => l === label)?.[1];
  expect(answerOf("expired mfa_token")).toMatchObject({ code: "mfa_token_invalid", status: 401, error: "expired_token" });
  expect(answerOf("superseded push poll")).toMatchObject({ code: "expired", status: 403, error: "expired_token" });
  expect(answerOf("the used oob_code")).toMatchObject({ code: "invalid_request", status: 403, error: "invalid_grant" });
  const waits = viaHttp.filter(([, a]) => (a as { retryAfterMs?: number }).retryAfterMs !== undefined).map(([label, a]) => [label, (a as { code: string }).code]);
  expect(waits).toEqual([
    ["enrollment poll 13", "slow_down"],
    ["push 6", "rate_limited"],
    ["otp when locked", "too_many_attempts"],
  ]);
  expectNoLeaks();
});
