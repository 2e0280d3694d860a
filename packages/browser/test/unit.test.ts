/** The adapter's pieces under Node: refusals, the sessionStorage store, the pause gate, the QR entry. */
import { MemoryFlowStore } from "@pushflow/core";
import { answers, createControlledTransport, SimulatedClock } from "@pushflow/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bundle } from "../../../examples/browser/src/server.ts";
import { challenge, createPauseGate, enroll, isPushflowError, pausingTransport, SessionFlowStore } from "../src/index.ts";
import { qrDataUrl, qrSvg } from "../src/qr.ts";

const connection = { domain: "http://127.0.0.1:1", clientId: "app" };

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isPushflowError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("it did not throw");
}

/** Web Storage in memory. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}

describe("enroll / challenge", () => {
  it("refuse a client secret: browsers are public clients", () => {
    for (const start of [enroll, challenge]) {
      const error = refusal(() => start({ ...connection, mfaToken: "t", clientSecret: "s" } as never));
      expect(error.code).toBe("bad_input");
      expect(error.message).toMatch(/public client/);
      expect(error.message).not.toContain('"s"');
    }
  });

  it("refuse to start without credentials when there is nothing to resume", () => {
    const store = new SessionFlowStore(new MemoryStorage());
    expect(refusal(() => challenge({ ...connection, store })).code).toBe("bad_input");
  });

  it("refuse to start without credentials and without a store (store: false): nothing could be resumed", () => {
    for (const start of [enroll, challenge]) {
      expect(refusal(() => start({ ...connection, store: false, shareAcrossTabs: false }))).toMatchObject({ code: "bad_input", message: expect.stringMatching(/mfaToken/) });
    }
  });

  it("run a flow through core with a given transport (no sessionStorage under Node: nothing saved)", async () => {
    const transport = createControlledTransport();
    const handle = challenge({ transport, mfaToken: "mfa", authenticatorId: "push|dev_1" });
    expect(handle.role()).toBe("leader");
    await handle.started;
    handle.cancel();
    expect((await handle.outcome).outcome).toBe("cancelled");
  });
});

describe("resume without credentials: the saved flow's own mfa_token, or nothing", () => {
  /** A challenge run with credentials until its push is out, saved in `storage`; then the tab "reloads". */
  async function savedChallenge(storage: Storage, clock: SimulatedClock) {
    const store = new SessionFlowStore(storage, () => clock.now());
    const transport = createControlledTransport();
    const first = challenge({ transport, mfaToken: "mfa-of-the-login", store, clock, shareAcrossTabs: false, pauseWhenHidden: false });
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["listAuthenticators"]));
    transport.respond("listAuthenticators", answers.pushAuthenticators(1));
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["challenge"]));
    transport.respond("challenge", answers.pushChallenge("oob-of-the-push"));
    await vi.waitFor(() => expect(first.view()?.state).toBe("challenged.polling"));
    await vi.waitFor(() => expect(JSON.parse(JSON.parse(storage.getItem("pushflow:challenge") ?? "{}").value ?? "{}").at).toBe("polling"));
    return { store, first };
  }

  it("go on polling the saved push with the saved mfa_token: no placeholder, no new push", async () => {
    const storage = new MemoryStorage();
    const clock = new SimulatedClock();
    await savedChallenge(storage, clock);
    const transport = createControlledTransport();
    const resumed = challenge({ transport, store: new SessionFlowStore(storage, () => clock.now()), clock, shareAcrossTabs: false, pauseWhenHidden: false });
    expect(await resumed.resumed).toBe(true);
    await resumed.started;
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.increment(5_000);
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["verifyOob"]));
    expect(transport.calls).toEqual([{ method: "verifyOob", request: expect.objectContaining({ mfaToken: "mfa-of-the-login", oobCode: "oob-of-the-push" }) }]);
    transport.respond("verifyOob", answers.tokens());
    expect((await resumed.outcome).outcome).toBe("approved");
  });

  it("end failed (bad_input: nothing to resume) when the saved flow is gone by launch, sending nothing", async () => {
    // A store the adapter cannot check at the call (any FlowStore but sessionStorage's).
    const transport = createControlledTransport();
    const handle = challenge({ transport, store: new MemoryFlowStore(), shareAcrossTabs: false, pauseWhenHidden: false });
    const output = await handle.outcome;
    expect(output).toMatchObject({ outcome: "failed", error: { code: "bad_input", message: expect.stringMatching(/no saved flow to resume/) } });
    expect(await handle.resumed).toBe(false);
    expect(transport.calls).toEqual([]);
  });
});

describe("enroll / challenge where tabs coordinate (Web Locks and BroadcastChannel)", () => {
  afterEach(() => vi.unstubAllGlobals());

  /**
   * A page's globals under Node, with a lock manager that grants each request at once, never, or
   * only the first (the leader; the others follow). Node's BroadcastChannel joins the handles.
   */
  const tabs = (grant: boolean | "first") => {
    let granted = false;
    const page = new EventTarget();
    vi.stubGlobal("addEventListener", page.addEventListener.bind(page));
    vi.stubGlobal("removeEventListener", page.removeEventListener.bind(page));
    const request = (_name: string, options: { signal?: AbortSignal }, callback: () => Promise<unknown>) =>
      grant === true || (grant === "first" && !granted && (granted = true))
        ? Promise.resolve().then(callback)
        : new Promise((_resolve, reject) => options.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    vi.stubGlobal("navigator", { onLine: true, locks: { request } });
  };

  it("refuse bad options at the call, not once the lock is granted", () => {
    tabs(true);
    expect(refusal(() => challenge({ clientId: "app", mfaToken: "t" })).code).toBe("bad_input");
    expect(refusal(() => enroll({ domain: "http://example.com", clientId: "app", mfaToken: "t" })).code).toBe("insecure_url");
  });

  it("a follower's cancel goes to the leader, and ends the flow once in both: a later cancel or abort emits no second done", async () => {
    tabs("first");
    const leader = challenge({ ...connection, mfaToken: "t", store: false });
    const abort = new AbortController();
    const handle = challenge({ ...connection, mfaToken: "t", store: false, signal: abort.signal });
    await leader.started;
    expect([leader.role(), handle.role()]).toEqual(["leader", "follower"]);
    const done = vi.fn();
    handle.events.on("done", done);
    handle.cancel();
    expect(done).not.toHaveBeenCalled(); // the outcome comes back from the leader
    expect((await leader.outcome).outcome).toBe("cancelled");
    expect((await handle.outcome).outcome).toBe("cancelled");
    handle.cancel();
    abort.abort();
    expect(done).toHaveBeenCalledTimes(1);
  });

  it("a second start of the same flow in the same tab joins the first: it keeps no record in the tab's storage, the leader's saves land, both end alike", async () => {
    tabs("first");
    // One tab: one sessionStorage, whichever store object each call makes over it.
    const storage = new MemoryStorage();
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const options = { transport, mfaToken: "t", clock, pauseWhenHidden: false } as const;
    const first = challenge({ ...options, store: new SessionFlowStore(storage, () => clock.now()) });
    const second = challenge({ ...options, store: new SessionFlowStore(storage, () => clock.now()) });
    const waits: string[] = [];
    second.events.on("poll", (e) => waits.push(e.answer));
    const version = () => (JSON.parse(storage.getItem("pushflow:challenge") ?? "{}") as { version?: number }).version;
    const versions: (number | undefined)[] = [];
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["listAuthenticators"]));
    expect([first.role(), second.role()]).toEqual(["leader", "follower"]);
    transport.respond("listAuthenticators", answers.pushAuthenticators(1));
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["challenge"]));
    versions.push(version());
    transport.respond("challenge", answers.pushChallenge());
    // The follower hears each record the leader saves; it would have written it over the leader's.
    await vi.waitFor(() => expect(second.view()?.state).toBe("challenged.polling"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    versions.push(version());
    expect(versions).toEqual([1, 2]);
    clock.increment(5_000);
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["verifyOob"]));
    transport.respond("verifyOob", answers.pending());
    await vi.waitFor(() => expect(waits).toEqual(["authorization_pending"]));
    // The leader saved again after that answer: before, its compare-and-set found the follower's write and it stopped, "taken over".
    await new Promise((resolve) => setTimeout(resolve, 10));
    clock.increment(5_000);
    await vi.waitFor(() => expect(transport.pending.map((c) => c.method)).toEqual(["verifyOob"]));
    transport.respond("verifyOob", answers.tokens());
    expect((await first.outcome).outcome).toBe("approved");
    expect((await second.outcome).outcome).toBe("approved");
    expect(transport.calls.filter((c) => c.method === "challenge")).toHaveLength(1);
    expect(storage.getItem("pushflow:challenge")).toBeNull();
  });
});

describe("SessionFlowStore", () => {
  it("puts, gets, compares-and-sets and deletes", async () => {
    const store = new SessionFlowStore(new MemoryStorage(), () => 1000);
    expect(await store.put("k", "one", { expiresAt: 2000, expectedVersion: null })).toBe(1);
    expect(await store.put("k", "two", { expiresAt: 2000, expectedVersion: null })).toBeUndefined();
    expect(await store.put("k", "two", { expiresAt: 2000, expectedVersion: 7 })).toBeUndefined();
    expect(await store.put("k", "two", { expiresAt: 2000, expectedVersion: 1 })).toBe(2);
    expect(await store.get("k")).toEqual({ value: "two", version: 2 });
    expect(store.has("k")).toBe(true);
    await store.delete("k");
    expect(await store.get("k")).toBeUndefined();
  });

  it("drops expired and unreadable items", async () => {
    let now = 1000;
    const storage = new MemoryStorage();
    const store = new SessionFlowStore(storage, () => now);
    await store.put("k", "v", { expiresAt: 1500 });
    now = 1500;
    expect(await store.get("k")).toBeUndefined();
    expect(storage.getItem("k")).toBeNull();
    storage.setItem("k", "{not json");
    expect(store.has("k")).toBe(false);
    expect(storage.length).toBe(0);
  });

  it("needs a storage", () => {
    expect(() => new SessionFlowStore()).toThrow(/sessionStorage is not available/);
  });
});

describe("pause gate", () => {
  afterEach(() => vi.unstubAllGlobals());

  const fakeDocument = () => {
    const target = new EventTarget();
    const doc = Object.assign(target, { hidden: true });
    vi.stubGlobal("document", doc);
    return doc;
  };

  it("holds a poll unsent while hidden and sends it once visible", async () => {
    const doc = fakeDocument();
    const inner = createControlledTransport();
    const gate = createPauseGate();
    const transport = pausingTransport(inner, gate);
    expect(gate.paused).toBe(true);
    const answer = transport.verifyOob({ mfaToken: "m", oobCode: "o" });
    await Promise.resolve();
    expect(inner.calls).toHaveLength(0);
    doc.hidden = false;
    doc.dispatchEvent(new Event("visibilitychange"));
    await vi.waitFor(() => expect(inner.calls).toHaveLength(1));
    inner.respond("verifyOob", { ok: false, problem: { code: "authorization_pending", message: "pending" } });
    expect(await answer).toMatchObject({ ok: false, problem: { code: "authorization_pending" } });
    gate.dispose();
  });

  it("keeps polling while another tab shows the flow; an abort releases a held poll without sending it", async () => {
    fakeDocument();
    let othersVisible = true;
    const gate = createPauseGate(() => othersVisible);
    expect(gate.paused).toBe(false);
    othersVisible = false;
    const inner = createControlledTransport();
    const abort = new AbortController();
    const answer = pausingTransport(inner, gate).verifyOob({ mfaToken: "m", oobCode: "o" }, { signal: abort.signal });
    abort.abort();
    expect(await answer).toMatchObject({ ok: false, problem: { code: "network" } });
    expect(inner.calls).toHaveLength(0);
    gate.dispose();
  });

  it("never pauses other calls", async () => {
    fakeDocument();
    const inner = createControlledTransport();
    const transport = pausingTransport(inner, createPauseGate());
    void transport.associate({ mfaToken: "m" });
    expect(inner.calls.map((c) => c.method)).toEqual(["associate"]);
  });

  it("says whether the transport it wraps is loopback (core then gives no poll interval warning)", () => {
    fakeDocument();
    const gate = createPauseGate();
    expect(pausingTransport({ ...createControlledTransport(), loopback: true }, gate).loopback).toBe(true);
    expect(pausingTransport(createControlledTransport(), gate).loopback).toBeUndefined();
    gate.dispose();
  });
});

describe("QR entry", () => {
  it("draws the barcode URI as SVG, and as a data URL", () => {
    const uri = "otpauth://totp/Pushflow:ada?enrollment_tx_id=tx&base_url=http%3A%2F%2F127.0.0.1";
    expect(qrSvg(uri)).toMatch(/^<svg[^>]*>.*<\/svg>$/s);
    expect(qrDataUrl(uri)).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
  });

  it("is the only entry that loads uqr", async () => {
    const main = await bundle(new URL("../src/index.ts", import.meta.url).pathname, { minify: true });
    const qr = await bundle(new URL("../src/qr.ts", import.meta.url).pathname, { minify: true });
    expect(main.modules.some((id) => id.includes("/uqr/"))).toBe(false);
    expect(qr.modules.some((id) => id.includes("/uqr/"))).toBe(true);
  });
});
