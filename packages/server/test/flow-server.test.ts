import { describe, expect, it } from "vitest";
import { isPushflowError, MemoryFlowStore, type FlowStore, type Transport } from "@pushflow/core";
import { createFlowServer, type FlowAnswer, type PendingAnswer } from "../src/index.ts";
import { CLIENT, storedTexts, USER, world } from "./helpers.ts";

const pendingOf = (answer: FlowAnswer): PendingAnswer => {
  if (answer.status !== "pending") throw new Error(`expected pending, got ${JSON.stringify(answer)}`);
  return answer;
};

describe("createFlowServer: a challenge, step by step", () => {
  it("answers from the store and sends nothing until the poll is due, then sends exactly one", async () => {
    const w = world();
    const server = w.server();
    const started = pendingOf(await server.start("challenge", { mfaToken: w.mfaToken() }));
    expect(started.view).toMatchObject({ flow: "challenge", state: "challenged.polling", attempt: 0 });
    expect(started.retryAfterMs).toBe(5_000);
    const callsAfterStart = w.transport.calls.length;

    for (let i = 0; i < 3; i++) expect((await server.advance(started.flowId)).status).toBe("pending");
    w.clock.increment(4_999);
    expect(pendingOf(await server.advance(started.flowId)).retryAfterMs).toBe(1);
    expect(w.transport.calls.length).toBe(callsAfterStart);

    w.clock.increment(1);
    const polled = pendingOf(await server.advance(started.flowId));
    expect(w.polls()).toBe(1);
    expect(polled.view.attempt).toBe(1);
    expect(polled.retryAfterMs).toBe(5_000);
    expect((await server.advance(started.flowId)).status).toBe("pending");
    expect(w.polls()).toBe(1);
  });

  it("commits the outcome with its tokens: every call within answerWindowMs gets it, then the flow is gone", async () => {
    const w = world();
    const server = w.server({ answerWindowMs: 60_000 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    const done = await server.advance(flowId);
    expect(done).toMatchObject({ status: "done", outcome: { outcome: "approved", method: "push" } });
    expect(done.status === "done" && "tokens" in done.outcome && done.outcome.tokens.accessToken).toBeTruthy();
    w.clock.increment(59_999);
    expect(await server.advance(flowId)).toEqual(done);
    expect(w.polls()).toBe(1);
    w.clock.increment(1);
    expect(await server.advance(flowId)).toEqual({ status: "gone", flowId });
    expect(w.store.keys()).toEqual([]);
  });

  it("answers done although the delete that used to follow the outcome would fail", async () => {
    const w = world();
    const failingDelete: FlowStore = {
      get: (key) => w.store.get(key),
      put: (key, value, options) => w.store.put(key, value, options),
      delete: async () => {
        throw new Error("test: DEL failed");
      },
    };
    const server = w.server({ store: failingDelete });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    expect(await server.advance(flowId)).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
    expect(await server.advance(flowId)).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
  });

  it("keeps the reported outcome's name and reason, never its tokens, for keepReportedMs", async () => {
    const w = world();
    const server = w.server({ keepReportedMs: 30_000, answerWindowMs: 10_000 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    w.device.reject();
    w.clock.increment(5_000);
    expect(await server.advance(flowId)).toMatchObject({ status: "done", outcome: { outcome: "rejected" } });
    const at = w.clock.now();
    w.clock.increment(10_000);
    const later = await server.advance(flowId);
    expect(later).toEqual({ status: "reported", flowId, flow: "challenge", outcome: "rejected", reason: expect.any(String), at });
    w.clock.increment(20_000);
    expect((await server.advance(flowId)).status).toBe("gone");
  });

  it("polls once and answers one outcome when many calls on two instances race for the final poll", async () => {
    const w = world();
    const a = w.server({ instanceId: "a" });
    const b = w.server({ instanceId: "b" });
    const { flowId } = await a.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).advance(flowId)));
    const dones = answers.filter((x) => x.status === "done");
    expect(dones.length).toBeGreaterThanOrEqual(1);
    expect(new Set(dones.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(w.polls()).toBe(1);
    expect(answers.every((x) => ["done", "pending"].includes(x.status))).toBe(true);
  });

  it("ends expired once the deadline passes without an answer, then is gone", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken(), timeoutMs: 20_000 });
    w.clock.increment(20_000);
    expect(await server.advance(flowId)).toMatchObject({ status: "done", outcome: { outcome: "expired" } });
    w.clock.increment(60_000);
    expect((await server.advance(flowId)).status).toBe("gone");
  });

  it("ends expired when asked only after the deadline, within the grace period", async () => {
    const w = world();
    const server = w.server({ graceMs: 60_000 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken(), timeoutMs: 20_000 });
    w.clock.increment(70_000);
    expect(await server.advance(flowId)).toMatchObject({ status: "done", outcome: { outcome: "expired" } });
    const late = await server.start("challenge", { mfaToken: w.mfaToken(), timeoutMs: 20_000 });
    w.clock.increment(80_001);
    expect((await server.advance(late.flowId)).status).toBe("gone");
  });

  it("goes on from another server object on the same store (an instance restarted)", async () => {
    const w = world();
    const { flowId } = await w.server().start("challenge", { mfaToken: w.mfaToken() });
    w.clock.increment(5_000);
    pendingOf(await w.server().advance(flowId));
    w.device.approve();
    w.clock.increment(5_000);
    expect(await w.server().advance(flowId)).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
    expect(w.polls()).toBe(2);
  });

  it("answers gone for unknown and malformed ids", async () => {
    const w = world();
    const server = w.server();
    expect(await server.advance("AAAAAAAAAAAAAAAAAAAAAA")).toEqual({ status: "gone", flowId: "AAAAAAAAAAAAAAAAAAAAAA" });
    expect((await server.advance("../../etc/passwd")).status).toBe("gone");
    expect((await server.advance("")).status).toBe("gone");
  });

  it("discards a corrupt entry with a warning", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    await w.store.put(`pushflow:flow:${flowId}`, "{not json", { expiresAt: w.clock.now() + 60_000 });
    expect((await server.advance(flowId)).status).toBe("gone");
    expect(w.store.keys()).toEqual([]);
    expect(w.warnings.join("\n")).toMatch(/not valid JSON.*discarded/);
  });

  it("discards a flow saved by an older server (a version 1 record) with a warning, never half-restored", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    const key = `pushflow:flow:${flowId}`;
    const entry = JSON.parse((await w.store.get(key))!.value) as { data: string };
    const data = JSON.parse(entry.data.slice("plain:".length)) as { record: { context: unknown; savedAt: number; expiresAt: number } };
    const { context, savedAt, expiresAt } = data.record;
    const v1 = { version: 1, flow: "challenge", savedAt, expiresAt, snapshot: { status: "active", value: { challenged: "polling" }, context, children: {} } };
    entry.data = "plain:" + JSON.stringify({ ...data, record: v1 });
    await w.store.put(key, JSON.stringify(entry), { expiresAt: w.clock.now() + 60_000 });
    expect((await server.advance(flowId, { type: "USE_OTP" })).status).toBe("gone");
    expect(w.store.keys()).toEqual([]);
    expect(w.polls()).toBe(0);
    expect(w.warnings.join("\n")).toMatch(/version 1.*discarded/);
  });
});

describe("createFlowServer: the user's events", () => {
  it("switches to a one-time code, shows a refused code, accepts the right one", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    expect(pendingOf(await server.advance(flowId, { type: "USE_OTP" })).view.state).toBe("challenged.otpEntry");
    const refused = pendingOf(await server.advance(flowId, { type: "SUBMIT_OTP", otp: "000000" }));
    expect(refused.view).toMatchObject({ state: "challenged.otpEntry", codeError: "That code is not valid." });
    w.clock.increment(30_000);
    const done = await server.advance(flowId, { type: "SUBMIT_OTP", otp: w.device.totp() });
    expect(done).toMatchObject({ status: "done", outcome: { outcome: "approved", method: "otp" } });
    expect(w.polls()).toBe(0);
  });

  it("uses a recovery code and reports the new one once", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    await server.advance(flowId, { type: "USE_RECOVERY_CODE" });
    const done = await server.advance(flowId, { type: "SUBMIT_RECOVERY_CODE", code: w.recoveryCode! });
    expect(done).toMatchObject({ status: "done", outcome: { outcome: "approved", method: "recovery-code", newRecoveryCode: expect.any(String) } });
  });

  it("lets the user choose among several push authenticators, across steps", async () => {
    const w = world({ devices: 2 });
    const server = w.server();
    const started = pendingOf(await server.start("challenge", { mfaToken: w.mfaToken() }));
    expect(started.view.state).toBe("choosing");
    // Core gives the choice the challenge's timeout (5 min by default); then the flow ends expired.
    expect(started.retryAfterMs).toBe(300_000);
    const choices = started.view.flow === "challenge" ? started.view.choices : [];
    expect(choices).toHaveLength(2);
    expect(pendingOf(await server.advance(started.flowId)).view.state).toBe("choosing");
    const chosen = pendingOf(await server.advance(started.flowId, { type: "CHOOSE_AUTHENTICATOR", id: choices[1]!.id }));
    expect(chosen.view).toMatchObject({ state: "challenged.polling", authenticatorId: choices[1]!.id });
    w.devices[1]!.approve();
    w.clock.increment(5_000);
    expect(await server.advance(started.flowId)).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
  });

  it("rests while waiting to retry a failed push, and sends it when the retry is due", async () => {
    const w = world();
    let failures = 1;
    const flaky: Transport = {
      ...w.transport,
      challenge: async (request, options) =>
        failures-- > 0 ? { ok: false, problem: { code: "server_error", message: "test: 503", status: 503 } } : w.transport.challenge(request, options),
    };
    const server = createFlowServer({ store: w.store, transport: flaky, clock: w.clock, random: () => 0, unsealedForDevelopment: true, requireBinding: false });
    const started = pendingOf(await server.start("challenge", { mfaToken: w.mfaToken() }));
    expect(started.view.state).toBe("retryingChallenge");
    expect(started.retryAfterMs).toBe(500);
    w.clock.increment(500);
    expect(pendingOf(await server.advance(started.flowId)).view.state).toBe("challenged.polling");
    expect(w.tenant.pushes(USER.username)).toHaveLength(1);
  });

  it("resends after the cooldown, and cancels", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken(), resendCooldownMs: 12_000 });
    w.clock.increment(12_000);
    expect(pendingOf(await server.advance(flowId)).view).toMatchObject({ canResend: true });
    await server.advance(flowId, { type: "RESEND" });
    expect(w.transport.calls.filter((c) => c.method === "challenge")).toHaveLength(2);
    expect(await server.cancel(flowId)).toMatchObject({ status: "done", outcome: { outcome: "cancelled" } });
    expect(await server.cancel(flowId)).toMatchObject({ status: "done", outcome: { outcome: "cancelled" } });
  });

  it("refuses unknown events and bad fields with bad_input, without echoing the value", async () => {
    const w = world();
    const server = w.server();
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    for (const event of [{ type: "DROP_TABLES" }, { type: "SUBMIT_OTP" }, { type: "SUBMIT_OTP", otp: "x".repeat(65) }, "CANCEL", null, { type: "ACK_RECOVERY_CODES" }]) {
      const error = await server.advance(flowId, event).catch((e: unknown) => e);
      expect(isPushflowError(error) && error.code).toBe("bad_input");
    }
    const error = await server.advance(flowId, { type: "SUBMIT_RECOVERY_CODE", code: 42 }).catch((e: unknown) => e);
    expect(String(error)).not.toContain("42");
  });

  it("signs in with a password first, and reports a failed login without storing anything", async () => {
    const w = world();
    const server = w.server();
    const started = await server.start("challenge", { username: USER.username, password: USER.password });
    expect(started.status).toBe("pending");
    const refused = await server.start("challenge", { username: USER.username, password: "wrong" });
    expect(refused).toMatchObject({ status: "done", outcome: { outcome: "failed" } });
    expect(w.store.keys()).toHaveLength(1);
    await expect(server.start("challenge", {} as never)).rejects.toThrow(/mfaToken, or username and password/);
  });
});

describe("createFlowServer: enrollment", () => {
  it("shows the QR in every answer, the recovery codes in the first only, and stores neither codes nor the client secret", async () => {
    const w = world({ enrolled: false });
    const server = w.server();
    const started = pendingOf(await server.start("enroll", { mfaToken: w.mfaToken() }));
    expect(started.recoveryCodes).toHaveLength(1);
    const code = started.recoveryCodes![0]!;
    expect(started.view).toMatchObject({ flow: "enroll", state: "awaitingDevice", qr: { barcodeUri: expect.stringMatching(/^otpauth:/) } });

    const again = pendingOf(await server.advance(started.flowId));
    expect(again.recoveryCodes).toBeUndefined();
    expect(again.view).toMatchObject({ qr: { barcodeUri: expect.stringMatching(/^otpauth:/) } });

    for (const text of await storedTexts(w.store)) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(CLIENT.clientSecret);
    }
    // The device scans; the flow ends enrolled although nobody acknowledged the codes: the server
    // starts enrollments with core's acknowledgeRecoveryCodes "auto" (the codes were in the first answer).
    w.device.scan((again.view as { qr: { barcodeUri: string } }).qr.barcodeUri);
    w.clock.increment(5_000);
    expect(await server.advance(started.flowId)).toMatchObject({ status: "done", outcome: { outcome: "enrolled" } });
    w.clock.increment(60_000);
    expect(w.store.keys()).toEqual([]);
  });

  it("takes ACK_RECOVERY_CODES at any time", async () => {
    const w = world({ enrolled: false });
    const server = w.server();
    const { flowId } = await server.start("enroll", { mfaToken: w.mfaToken() });
    expect(pendingOf(await server.advance(flowId, { type: "ACK_RECOVERY_CODES" })).view).toMatchObject({ recoveryCodesPending: false });
  });
});

describe("createFlowServer: encryption at rest", () => {
  const key = new Uint8Array(32).fill(7);
  const keys = [{ id: "k1", key }];

  it("keeps no mfa_token, oob_code or QR in clear, and restores what it sealed", async () => {
    const w = world({ enrolled: false });
    const mfaToken = w.mfaToken();
    const server = w.server({ encryptionKeys: keys });
    const started = pendingOf(await server.start("enroll", { mfaToken }));
    const uri = (started.view as { qr: { barcodeUri: string } }).qr.barcodeUri;
    const [text] = await storedTexts(w.store);
    expect(text).toMatch(/"data":"aes-gcm:/);
    expect(text).not.toContain(mfaToken);
    expect(text).not.toContain(encodeURIComponent(uri).slice(0, 20));
    expect(text).not.toContain("enrollment_tx_id");
    w.clock.increment(5_000);
    expect(pendingOf(await server.advance(started.flowId)).view.attempt).toBe(1);
  });

  it("writes a new IV every time", async () => {
    const w = world();
    const server = w.server({ encryptionKeys: keys });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    const first = (await w.store.get(`pushflow:flow:${flowId}`))!.value;
    w.clock.increment(5_000);
    await server.advance(flowId);
    const second = (await w.store.get(`pushflow:flow:${flowId}`))!.value;
    const iv = (s: string) => /aes-gcm:k1:([^:]+):/.exec(s)![1];
    expect(iv(first)).not.toBe(iv(second));
  });

  it("leaves a flow sealed with a key it does not hold as it is, with a clear error; the key's holder goes on", async () => {
    const w = world();
    const one = w.server({ encryptionKeys: keys });
    const two = w.server({ encryptionKeys: [{ id: "k2", key: new Uint8Array(32).fill(9) }] });
    const none = w.server();
    const { flowId } = await one.start("challenge", { mfaToken: w.mfaToken() });
    const before = await w.store.get(`pushflow:flow:${flowId}`);
    for (const stranger of [two, none]) {
      const error = await stranger.advance(flowId, { type: "USE_OTP" }).catch((e: unknown) => e);
      expect(isPushflowError(error) && error.code).toBe("misconfigured");
      expect(String(error)).toMatch(/key "k1"/);
    }
    expect(await w.store.get(`pushflow:flow:${flowId}`)).toEqual(before);
    expect(pendingOf(await one.advance(flowId, { type: "USE_OTP" })).view.state).toBe("challenged.otpEntry");
    // A sealing instance does not take a flow kept in clear (written by a development instance) either.
    const clear = await none.start("challenge", { mfaToken: w.mfaToken() });
    expect(await one.advance(clear.flowId).catch((e: unknown) => isPushflowError(e) && e.code)).toBe("misconfigured");
  });

  it("rotates keys: seals with the first, opens with any", async () => {
    const w = world();
    const old = w.server({ encryptionKeys: keys });
    const rotated = w.server({ encryptionKeys: [{ id: "k2", key: new Uint8Array(32).fill(9) }, ...keys] });
    const { flowId } = await old.start("challenge", { mfaToken: w.mfaToken() });
    await rotated.advance(flowId, { type: "USE_OTP" });
    expect((await w.store.get(`pushflow:flow:${flowId}`))?.value).toMatch(/"data":"aes-gcm:k2:/);
    const error = await old.advance(flowId).catch((e: unknown) => e);
    expect(isPushflowError(error) && error.code).toBe("misconfigured");
  });

  it("discards flows it can never open: altered under a key it holds, or moved under another id", async () => {
    const w = world();
    const sealed = w.server({ encryptionKeys: keys });
    const b = await sealed.start("challenge", { mfaToken: w.mfaToken() });
    const c = await sealed.start("challenge", { mfaToken: w.mfaToken() });
    expect((await w.server({ encryptionKeys: [{ id: "k1", key: new Uint8Array(32) }] }).advance(b.flowId, { type: "USE_OTP" })).status).toBe("gone");
    const moved = (await w.store.get(`pushflow:flow:${c.flowId}`))!.value;
    await w.store.put("pushflow:flow:BBBBBBBBBBBBBBBBBBBBBB", moved, { expiresAt: w.clock.now() + 60_000 });
    expect((await sealed.advance("BBBBBBBBBBBBBBBBBBBBBB", { type: "USE_OTP" })).status).toBe("gone");
    expect(w.warnings.filter((m) => /could not be decrypted/.test(m))).toHaveLength(2);
  });

  it("refuses a bad key, and no key without the development flag, when the server is made", () => {
    const w = world();
    expect(() => w.server({ encryptionKeys: [{ id: "k1", key: new Uint8Array(31) }] })).toThrow(/16, 24 or 32 bytes, got 31/);
    expect(() => createFlowServer({ store: w.store, transport: w.transport })).toThrow(/encryptionKeys/);
    expect(() => w.server({ encryptionKeys: [{ id: "bad id", key }] })).toThrow(/key id/);
  });
});

/** The mock transport, except that verifyOob answers are lost: the instance died mid-step. */
function dying(inner: Transport): Transport {
  return { ...inner, verifyOob: async (request, options) => (await inner.verifyOob(request, options), new Promise<never>(() => {})) };
}

describe("createFlowServer: leases", () => {
  it("keeps other instances off a flow while a step runs, and lets them take over one interval after an abandoned one", async () => {
    const w = world();
    const alive = w.server({ instanceId: "alive", leaseMs: 1_000, requestTimeoutMs: 500 });
    const doomed = w.server({ transport: dying(w.transport), instanceId: "doomed", leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await alive.start("challenge", { mfaToken: w.mfaToken() });
    w.clock.increment(5_000);
    void doomed.advance(flowId); // claims the flow, polls, never comes back
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(w.polls()).toBe(1);

    const held = pendingOf(await alive.advance(flowId));
    expect(held.retryAfterMs).toBe(6_000); // leaseMs for the step, then one poll interval
    expect(await alive.advance(flowId, { type: "USE_OTP" })).toMatchObject({ status: "busy", retryAfterMs: 6_000 });
    w.clock.increment(5_999);
    expect((await alive.advance(flowId)).status).toBe("pending");
    expect(w.polls()).toBe(1);

    w.clock.increment(1);
    const taken = pendingOf(await alive.advance(flowId));
    expect(w.polls()).toBe(2);
    expect(taken.view.attempt).toBe(1); // the lost step left no trace: its poll is counted anew
    const times = w.transport.calls.filter((c) => c.method === "verifyOob").map((c) => c.at);
    expect(times[1]! - times[0]!).toBe(6_000);
  });

  it("refuses to report an outcome after losing the flow to another instance", async () => {
    const w = world();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Transport = { ...w.transport, verifyOob: async (request, options) => (await gate, w.transport.verifyOob(request, options)) };
    const late = w.server({ transport: slow, leaseMs: 1_000, requestTimeoutMs: 500 });
    const quick = w.server({ leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await quick.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    const lateAnswer = late.advance(flowId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    w.clock.increment(6_000); // the slow step outlived its lease
    const done = await quick.advance(flowId);
    expect(done).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
    release();
    // Its commit is fenced off; it answers the outcome the other step committed.
    expect(await lateAnswer).toEqual(done);
  });
});

describe("createFlowServer: options", () => {
  it("builds transport-fetch from domain and client, and refuses missing ones", () => {
    const store = new MemoryFlowStore();
    const dev = { store, unsealedForDevelopment: true };
    expect(() => createFlowServer({ ...dev, domain: "tenant.example.com", clientId: "x", clientSecret: "s" })).not.toThrow();
    expect(() => createFlowServer(dev)).toThrow(/transport, or domain and clientId/);
    expect(() => createFlowServer({ ...dev, domain: "http://evil.example.com", clientId: "x" })).toThrow();
    expect(() => createFlowServer({ ...dev, domain: "tenant.example.com", clientId: "x", leaseMs: 0 })).toThrow(/leaseMs/);
    expect(() => createFlowServer({ ...dev, domain: "tenant.example.com", clientId: "x", leaseMs: 10_000 })).toThrow(/must exceed requestTimeoutMs/);
  });

  it("warns about a poll interval below Auth0's 5 s, but not on a loopback transport (the emulator)", async () => {
    for (const loopback of [false, true]) {
      const w = world();
      const transport: Transport = { ...w.transport, loopback };
      const started = await w.server({ transport }).start("challenge", { mfaToken: w.mfaToken(), pollIntervalMs: 1_000 });
      expect(started.status).toBe("pending");
      expect(w.warnings.filter((m) => m.includes("below Auth0's 5 s")), `loopback: ${loopback}`).toHaveLength(loopback ? 0 : 1);
    }
  });
});
