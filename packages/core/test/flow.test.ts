import { describe, expect, it, vi } from "vitest";
import { SimulatedClock, type InspectionEvent } from "xstate";
import { isPushflowError, PushflowError } from "../src/errors.ts";
import { startChallenge, startEnrollment } from "../src/flow.ts";
import { launchChallenge } from "../src/launch.ts";
import { MemoryFlowStore, parseRecord, serializeRecord, type FlowRecord, type FlowStore } from "../src/persistence.ts";
import { answers, createControlledTransport, fail, ok, settle } from "../src/testing.ts";

const MFA = "SECRET-MFA-TOKEN";

async function challengeUntilPolling(clock = new SimulatedClock(), signal?: AbortSignal) {
  const transport = createControlledTransport();
  const records: FlowRecord[] = [];
  const flow = startChallenge({ mfaToken: MFA }, { transport, clock, persist: (r) => void (r && records.push(r)), ...(signal ? { signal } : {}) });
  await settle();
  transport.respond("listAuthenticators", answers.pushAuthenticators(1));
  await settle();
  transport.respond("challenge", answers.pushChallenge("SECRET-OOB-1"));
  await settle();
  return { transport, clock, flow, records };
}

describe("the flow runner", () => {
  it("emits DESIGN.md's events and exactly one done, then settles with the outcome", async () => {
    const { transport, clock, flow } = await challengeUntilPolling();
    const names: string[] = [];
    for (const name of ["state", "poll", "backoff", "done"] as const) flow.events.on(name, () => names.push(name));
    clock.increment(5_000);
    await settle();
    transport.respond("verifyOob", answers.slowDown());
    await settle();
    clock.increment(10_000);
    await settle();
    transport.respond("verifyOob", answers.tokens());
    const output = await flow.done;
    expect(output).toMatchObject({ outcome: "approved", method: "push", tokens: { accessToken: "test-access-token" } });
    expect(names.filter((n) => n === "done")).toHaveLength(1);
    expect(names).toContain("poll");
    expect(names).toContain("backoff");
    expect(flow.view()).toMatchObject({ done: true, outcome: "approved", intervalMs: 10_000 });
  });

  it("resumes a saved challenge: same oob_code, no second list or challenge", async () => {
    const { transport, clock, flow, records } = await challengeUntilPolling();
    clock.increment(5_000);
    await settle();
    transport.respond("verifyOob", answers.pending());
    await settle();
    const saved = serializeRecord(records.at(-1)!);
    flow.actor.stop(); // the page goes away
    expect(saved).not.toContain("SECRET-RECOVERY");

    const later = createControlledTransport();
    const record = parseRecord(saved, "challenge", clock.now());
    const resumed = startChallenge({ mfaToken: "unused" }, { transport: later, clock, record });
    await settle();
    expect(later.calls).toEqual([]); // nothing until the next poll is due
    clock.increment(5_000);
    await settle();
    expect(later.calls.map((c) => c.method)).toEqual(["verifyOob"]);
    expect(later.calls[0]!.request).toMatchObject({ oobCode: "SECRET-OOB-1", mfaToken: MFA });
    later.respond("verifyOob", answers.rejected());
    expect((await resumed.done).outcome).toBe("rejected");
  });

  it("re-shows the QR of a resumed enrollment and never saves recovery codes", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const records: FlowRecord[] = [];
    const flow = startEnrollment({ mfaToken: MFA }, { transport, clock, persist: (r) => void (r && records.push(r)) });
    const codes: string[][] = [];
    flow.events.on("recovery-codes", (e) => codes.push([...e.codes]));
    await settle();
    transport.respond("associate", answers.association(["SECRET-RECOVERY-CODE"]));
    await settle();
    expect(codes).toEqual([["SECRET-RECOVERY-CODE"]]);
    expect(flow.qr()?.barcodeUri).toContain("otpauth://");
    const text = serializeRecord(records.at(-1)!);
    expect(text).not.toContain("SECRET-RECOVERY-CODE");
    flow.actor.stop();

    const resumed = startEnrollment({ mfaToken: "unused" }, { transport: createControlledTransport(), clock, record: parseRecord(text, "enroll", clock.now()) });
    const qr: string[] = [];
    resumed.events.on("qr", (e) => qr.push(e.barcodeUri));
    await settle();
    expect(qr).toHaveLength(1);
    expect(resumed.view()).toMatchObject({ state: "awaitingDevice", recoveryCodesPending: true });
    resumed.cancel();
  });

  it("emits no state and saves nothing for an event that does not apply", async () => {
    const { flow, records } = await challengeUntilPolling();
    const states: unknown[] = [];
    flow.events.on("state", (e) => states.push(e));
    const saved = records.length;
    flow.send({ type: "RESEND" }); // still cooling down
    flow.send({ type: "SUBMIT_OTP", otp: "123456" }); // not on the code screen
    await settle();
    expect(states).toEqual([]);
    expect(records.length).toBe(saved);
    flow.cancel();
    await flow.done;
  });

  it("clears the record once when a state holding tokens precedes the end", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const saves: (FlowRecord | null)[] = [];
    const flow = startEnrollment({ mfaToken: MFA }, { transport, clock, persist: (r) => void saves.push(r) });
    await settle();
    transport.respond("associate", answers.association(["SECRET-RECOVERY-CODE"]));
    await settle();
    clock.increment(5_000);
    await settle();
    transport.respond("verifyOob", answers.tokens());
    await settle();
    expect(flow.view().state).toBe("awaitingAcknowledgement");
    flow.send({ type: "ACK_RECOVERY_CODES" });
    expect((await flow.done).outcome).toBe("enrolled");
    expect(saves.filter((r) => r === null)).toHaveLength(1);
    expect(saves.at(-1)).toBeNull();
  });

  it("refuses expired, corrupt and other-version records with a clear error", () => {
    const context = { settings: { mfaToken: "m", maxRetries: 5 }, oobCode: "o", intervalMs: 5_000, nextPollAt: 5_000, retryAt: 0, deadlineAt: 1_000, attempt: 1, retries: 0 };
    const good: FlowRecord = { version: 2, flow: "challenge", savedAt: 0, expiresAt: 1_000, at: "polling", context };
    const refuse = (text: unknown, now = 0) => {
      try {
        parseRecord(text, "challenge", now);
      } catch (error) {
        expect(isPushflowError(error)).toBe(true);
        expect((error as PushflowError).code).toBe("invalid_record");
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(parseRecord(JSON.stringify(good), "challenge", 10)).toEqual(good);
    expect(refuse(JSON.stringify(good), 1_000)).toMatch(/expired/);
    expect(refuse("{not json")).toMatch(/not valid JSON/);
    // A record of pushflow 1 (an XState snapshot) is refused by its version, with what to do.
    const v1 = { version: 1, flow: "challenge", savedAt: 0, expiresAt: 1_000, snapshot: { status: "active", value: "x", children: {}, context } };
    expect(refuse(JSON.stringify(v1))).toMatch(/format version 1, this pushflow reads version 2 .*start a new flow/);
    expect(refuse(JSON.stringify({ ...good, flow: "enroll" }))).toMatch(/enroll flow/);
    expect(refuse(JSON.stringify({ ...good, context: { ...context, settings: { maxRetries: 5 } } }))).toMatch(/incomplete/);
    expect(refuse(JSON.stringify({ ...good, context: { ...context, nextPollAt: "soon" } }))).toMatch(/incomplete/);
    expect(refuse(JSON.stringify({ ...good, at: "approved" }))).toMatch(/no state to go on from/);
  });

  it("rejects bad input with a PushflowError before anything is sent", () => {
    const transport = createControlledTransport();
    const warnings: string[] = [];
    expect(() => startChallenge({ mfaToken: "" }, { transport })).toThrow(/mfaToken is required/);
    expect(() => startChallenge({ mfaToken: "m", pollIntervalMs: -1 }, { transport, warn: (m) => warnings.push(m) })).toThrow(/pollIntervalMs/);
    expect(transport.calls).toEqual([]);
    expect(warnings).toEqual([]); // no advice about an interval that was refused
  });

  it("checks every duration and count: finite, in range, or a bad_input error that names the option", () => {
    const transport = createControlledTransport();
    const refused = (start: () => unknown) => {
      try {
        start();
      } catch (error) {
        expect((error as PushflowError).code).toBe("bad_input");
        return (error as Error).message;
      }
      return "accepted";
    };
    const overflow = 2 ** 31; // setTimeout fires at once past 2^31 − 1 ms
    const challenge: [string, object][] = [
      ["timeoutMs", { timeoutMs: Number.NaN }],
      ["timeoutMs", { timeoutMs: 0 }],
      ["timeoutMs", { timeoutMs: overflow }],
      ["resendCooldownMs", { resendCooldownMs: -1 }],
      ["resendCooldownMs", { resendCooldownMs: Number.POSITIVE_INFINITY }],
      ["pollIntervalMs", { pollIntervalMs: overflow }],
      ["pollIntervalMs", { pollIntervalMs: Number.NaN }],
      ["maxRetries", { maxRetries: 1.5 }],
      ["maxRetries", { maxRetries: -1 }],
      ["mfaTokenExpiresAt", { mfaTokenExpiresAt: Number.NaN }],
      ["authenticatorId", { authenticatorId: "" }],
    ];
    for (const [name, options] of challenge) {
      expect(refused(() => startChallenge({ mfaToken: "m", ...options }, { transport })), name).toMatch(new RegExp(`^${name} `));
    }
    for (const [name, options] of [["enrollmentWindowMs", { enrollmentWindowMs: Number.NaN }], ["enrollmentWindowMs", { enrollmentWindowMs: overflow }]] as const) {
      expect(refused(() => startEnrollment({ mfaToken: "m", ...options }, { transport })), name).toMatch(new RegExp(`^${name} `));
    }
    // The limits themselves are fine, and a zero cooldown means "resend at once".
    expect(refused(() => startChallenge({ mfaToken: "m", timeoutMs: overflow - 1, resendCooldownMs: 0, maxRetries: 0 }, { transport }).cancel())).toBe("accepted");
    expect(transport.calls).toEqual([]);
  });

  it("warns about a poll interval below 5 s", () => {
    const warnings: string[] = [];
    const flow = startChallenge({ mfaToken: "m", pollIntervalMs: 1_000 }, { transport: createControlledTransport(), clock: new SimulatedClock(), warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/below Auth0's 5 s/);
    flow.cancel();
  });

  it("cancels through an AbortSignal and sends nothing after it", async () => {
    const controller = new AbortController();
    const { transport, clock, flow } = await challengeUntilPolling(new SimulatedClock(), controller.signal);
    clock.increment(5_000);
    await settle();
    expect(transport.pending.map((p) => p.method)).toEqual(["verifyOob"]);
    controller.abort();
    expect((await flow.done).outcome).toBe("cancelled");
    const calls = transport.calls.length;
    clock.increment(60_000);
    await settle();
    expect(transport.calls.length).toBe(calls);
    expect(transport.pending).toEqual([]); // the poll in flight was aborted
  });

  it("sends nothing when cancelled before the actor starts", async () => {
    const transport = createControlledTransport();
    const flow = startChallenge({ mfaToken: MFA }, { transport, clock: new SimulatedClock() });
    flow.cancel();
    expect((await flow.done).outcome).toBe("cancelled");
    await settle();
    expect(transport.calls).toEqual([]);
  });

  it("lets go of the AbortSignal at the end, and ignores events after it", async () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, "addEventListener");
    const removed = vi.spyOn(controller.signal, "removeEventListener");
    const warn = vi.spyOn(console, "warn");
    try {
      const { transport, clock, flow } = await challengeUntilPolling(new SimulatedClock(), controller.signal);
      expect(added).toHaveBeenCalledTimes(1);
      clock.increment(5_000);
      await settle();
      transport.respond("verifyOob", answers.tokens());
      expect((await flow.done).outcome).toBe("approved");
      expect(removed).toHaveBeenCalledWith("abort", added.mock.calls[0]![1]);
      const done: unknown[] = [];
      flow.events.on("done", (e) => done.push(e));
      flow.send({ type: "RESEND" });
      flow.cancel();
      controller.abort();
      await settle();
      expect(done).toEqual([]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("shows no QR again when a resumed enrollment is cancelled before it starts", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const records: FlowRecord[] = [];
    const first = startEnrollment({ mfaToken: MFA }, { transport, clock, persist: (r) => void (r && records.push(r)) });
    await settle();
    transport.respond("associate", answers.association());
    await settle();
    first.actor.stop();
    const resumed = startEnrollment({ mfaToken: "unused" }, { transport, clock, record: records.at(-1)!, signal: AbortSignal.abort() });
    const seen: string[] = [];
    resumed.events.on("qr", () => seen.push("qr"));
    resumed.events.on("done", (e) => seen.push(e.outcome));
    await resumed.done;
    await settle();
    expect(seen).toEqual(["cancelled"]);
  });

  it("gives the inspector no secret", async () => {
    const seen: string[] = [];
    // Inspectors also read the actor's own snapshot (e.g. for @xstate.actor events).
    const inspect = (e: InspectionEvent) => {
      seen.push(JSON.stringify(e, (k, v) => (k === "actorRef" || k === "sourceRef" ? undefined : v)));
      try {
        seen.push(JSON.stringify(e.actorRef.getSnapshot()));
      } catch {
        // not readable while the actor initializes itself
      }
    };
    const { transport, clock, flow } = await (async () => {
      const clock = new SimulatedClock();
      const transport = createControlledTransport();
      const flow = startChallenge({ mfaToken: MFA }, { transport, clock, inspect });
      await settle();
      transport.respond("listAuthenticators", answers.pushAuthenticators(1));
      await settle();
      transport.respond("challenge", answers.pushChallenge("SECRET-OOB-9"));
      await settle();
      return { transport, clock, flow };
    })();
    flow.send({ type: "USE_RECOVERY_CODE" });
    flow.send({ type: "SUBMIT_RECOVERY_CODE", code: "SECRET-RC-TYPED" });
    await settle();
    transport.respond("verifyRecoveryCode", ok({ accessToken: "SECRET-ACCESS", tokenType: "Bearer", expiresIn: 600, recoveryCode: "SECRET-NEW-RC" }));
    const output = await flow.done;
    expect(output).toMatchObject({ outcome: "approved", method: "recovery-code", newRecoveryCode: "SECRET-NEW-RC" });
    const text = seen.join("\n");
    expect(seen.length).toBeGreaterThan(10);
    for (const secret of [MFA, "SECRET-OOB-9", "SECRET-RC-TYPED", "SECRET-ACCESS", "SECRET-NEW-RC"]) expect(text).not.toContain(secret);
    void clock;
  });
});

describe("launch", () => {
  it("logs in with a password, saves to the store and resumes from it", async () => {
    const clock = new SimulatedClock();
    clock.set(1_000_000);
    const store = new MemoryFlowStore(() => clock.now());
    const transport = createControlledTransport();
    const first = launchChallenge({ transport, clock, store, credentials: { username: "ada", password: "pw" } });
    await settle();
    expect(transport.calls[0]).toMatchObject({ method: "login" });
    transport.respond("login", ok({ type: "mfa_required", mfaToken: MFA }));
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(1));
    await settle();
    transport.respond("challenge", answers.pushChallenge());
    await settle();
    expect(store.keys()).toEqual(["pushflow:challenge"]);
    (await first.started)?.actor.stop();

    const again = createControlledTransport();
    const second = launchChallenge({ transport: again, clock, store, credentials: { username: "ada", password: "pw" } });
    expect(await second.resumed).toBe(true);
    await second.started;
    await settle();
    clock.increment(5_000);
    await settle();
    expect(again.calls.map((c) => c.method)).toEqual(["verifyOob"]);
    again.respond("verifyOob", answers.tokens());
    expect((await second.outcome).outcome).toBe("approved");
    expect(store.keys()).toEqual([]); // the record is gone by the time the outcome settles
  });

  it("discards a corrupt saved flow with a warning and starts anew", async () => {
    const store = new MemoryFlowStore();
    await store.put("pushflow:challenge", "{corrupt", { expiresAt: Date.now() + 60_000 });
    const warnings: string[] = [];
    const transport = createControlledTransport();
    const handle = launchChallenge({ transport, store, credentials: { mfaToken: MFA }, warn: (m) => warnings.push(m) });
    expect(await handle.resumed).toBe(false);
    expect(warnings[0]).toMatch(/not valid JSON.*discarded/);
    await settle();
    expect(transport.calls.map((c) => c.method)).toEqual(["listAuthenticators"]);
    handle.cancel();
    expect((await handle.outcome).outcome).toBe("cancelled");
  });

  it("resumes without credentials only when a flow was saved", async () => {
    const handle = launchChallenge({ transport: createControlledTransport(), store: new MemoryFlowStore() });
    const output = await handle.outcome;
    expect(output).toMatchObject({ outcome: "failed", error: { code: "bad_input" } });
    expect(output.reason).toMatch(/no saved flow to resume/);
  });

  it("ends with an outcome when the store throws", async () => {
    const store = new MemoryFlowStore();
    store.get = () => Promise.reject(new Error("disk on fire"));
    const handle = launchChallenge({ transport: createControlledTransport(), store, credentials: { mfaToken: MFA } });
    expect(await handle.outcome).toMatchObject({ outcome: "failed", error: { code: "internal" } });
  });

  it("ends a login cut short by cancel() or the signal as cancelled, with the login aborted", async () => {
    for (const how of ["cancel", "signal"] as const) {
      const controller = new AbortController();
      const transport = createControlledTransport();
      const handle = launchChallenge({ transport, signal: controller.signal, credentials: { username: "ada", password: "pw" } });
      await settle();
      expect(transport.pending.map((p) => p.method)).toEqual(["login"]);
      if (how === "cancel") handle.cancel();
      else controller.abort();
      expect(await handle.outcome).toMatchObject({ outcome: "cancelled" });
      expect(transport.pending).toEqual([]);
      expect(transport.calls.map((c) => c.method)).toEqual(["login"]);
    }
  });

  it("sends nothing, and drops the saved flow, when cancelled while the store is read", async () => {
    const clock = new SimulatedClock();
    clock.set(1_000_000);
    const store = new MemoryFlowStore(() => clock.now());
    const transport = createControlledTransport();
    const first = launchChallenge({ transport, clock, store, credentials: { mfaToken: MFA } });
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(1));
    await settle();
    transport.respond("challenge", answers.pushChallenge());
    await settle();
    (await first.started)?.actor.stop();
    expect(store.keys()).toEqual(["pushflow:challenge"]);

    for (const saved of [true, false]) {
      if (!saved) await store.delete("pushflow:challenge");
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow: FlowStore = { get: async (key) => (await gate, store.get(key)), put: (...a) => store.put(...a), delete: (key) => store.delete(key) };
      const later = createControlledTransport();
      const handle = launchChallenge({ transport: later, clock, store: slow, credentials: { username: "ada", password: "pw" } });
      handle.cancel();
      release();
      expect(await handle.outcome).toMatchObject({ outcome: "cancelled" });
      await settle();
      expect(later.calls).toEqual([]);
      expect(store.keys()).toEqual([]);
    }
  });

  it("ends a failed login with a typed outcome", async () => {
    const transport = createControlledTransport();
    const handle = launchChallenge({ transport, credentials: { username: "ada", password: "wrong" } });
    await settle();
    transport.respond("login", fail("invalid_credentials", { message: "Wrong email or password." }));
    const output = await handle.outcome;
    expect(output).toMatchObject({ outcome: "failed", error: { code: "invalid_credentials" } });
    // The transport's message as it is: it names the call already.
    expect(output.reason).toBe("Wrong email or password.");
  });
});
