import { beforeEach, describe, expect, it } from "vitest";
import { createEnvelopeStore, ENVELOPE_FORMAT, parseEnvelope, type EnvelopeFs } from "../src/file-store.ts";

class Absent extends Error {
  override name = "Absent";
}

/** Files in a Map, one lock per path (a promise chain), directories implied by `dirs`. */
function memoryFs() {
  const files = new Map<string, string>();
  const dirs = new Set<string>();
  const locks = new Map<string, Promise<unknown>>();
  const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/"));
  const calls: string[] = [];
  const fs: EnvelopeFs = {
    async readText(path) {
      const text = files.get(path);
      if (text === undefined) throw new Absent(path);
      return text;
    },
    async remove(path) {
      calls.push(`remove ${path}`);
      if (!files.delete(path)) throw new Absent(path);
    },
    async ensureDirFor(path) {
      dirs.add(dirOf(path));
    },
    async writeAtomically(path, text) {
      if (!dirs.has(dirOf(path))) throw new Absent(path);
      calls.push(`write ${path}`);
      files.set(path, text);
    },
    locked(path, action) {
      if (!dirs.has(dirOf(path))) return Promise.reject(new Absent(path));
      const run = (locks.get(path) ?? Promise.resolve()).then(action, action);
      locks.set(path, run.catch(() => {}));
      return run;
    },
    isAbsent: (error) => error instanceof Absent,
    describe: (error) => (error instanceof Error ? error.name : String(error)),
  };
  return { fs, files, dirs, calls };
}

let now = 1_000;
let warnings: string[] = [];
let mem = memoryFs();
const makeStore = () =>
  createEnvelopeStore(mem.fs, {
    pathOf: (key) => `/flows/${encodeURIComponent(key)}.json`,
    now: () => now,
    warn: (message) => void warnings.push(message),
  });

beforeEach(() => {
  now = 1_000;
  warnings = [];
  mem = memoryFs();
});

describe("createEnvelopeStore", () => {
  it("writes one envelope per key and reads it back", async () => {
    const store = makeStore();
    expect(await store.put("pushflow:challenge", "record", { expiresAt: 2_000 })).toBe(1);
    expect(store.pathOf("pushflow:challenge")).toBe("/flows/pushflow%3Achallenge.json");
    expect(await store.get("pushflow:challenge")).toEqual({ value: "record", version: 1 });
    expect(await store.get("other")).toBeUndefined();
    const text = mem.files.get("/flows/pushflow%3Achallenge.json");
    expect(text?.endsWith("\n")).toBe(true);
    expect(JSON.parse(text ?? "")).toEqual({ format: ENVELOPE_FORMAT, key: "pushflow:challenge", version: 1, expiresAt: 2_000, value: "record" });
    expect(warnings).toEqual([]);
  });

  it("compares and sets on the version; of concurrent writers exactly one wins", async () => {
    const store = makeStore();
    expect(await store.put("k", "a", { expiresAt: 5_000, expectedVersion: null })).toBe(1);
    expect(await store.put("k", "b", { expiresAt: 5_000, expectedVersion: null })).toBeUndefined();
    expect(await store.put("k", "b", { expiresAt: 5_000, expectedVersion: 7 })).toBeUndefined();
    expect(await store.put("k", "b", { expiresAt: 5_000, expectedVersion: 1 })).toBe(2);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.put("k", `w${i}`, { expiresAt: 5_000, expectedVersion: 2 })));
    expect(results.filter((r) => r === 3)).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    expect(await store.get("k")).toEqual({ value: `w${results.indexOf(3)}`, version: 3 });
  });

  it("reads an expired entry as absent, removes it, and keeps counting versions past it", async () => {
    const store = makeStore();
    await store.put("k", "v", { expiresAt: 2_000 });
    now = 1_999;
    expect(await store.get("k")).toEqual({ value: "v", version: 1 });
    now = 2_000;
    expect(await store.get("k")).toBeUndefined();
    expect(mem.files.size).toBe(0);

    expect(await store.put("k", "v", { expiresAt: 3_000 })).toBe(1);
    expect(await store.put("k", "w", { expiresAt: 4_000, expectedVersion: 1 })).toBe(2);
    now = 4_000;
    // Expired but still on file: absent for a compare-and-set, and its version never matches again.
    expect(await store.put("k", "late", { expiresAt: 5_000, expectedVersion: 2 })).toBeUndefined();
    expect(await store.put("k", "fresh", { expiresAt: 5_000, expectedVersion: null })).toBe(3);
    expect(await store.get("k")).toEqual({ value: "fresh", version: 3 });
  });

  it("leaves an expired entry that a writer replaced meanwhile", async () => {
    const store = makeStore();
    await store.put("k", "old", { expiresAt: 2_000 });
    now = 2_000;
    // The writer takes the lock first: by the time the reader locks to remove what it saw, the
    // entry is a new version, which stays.
    const writing = store.put("k", "new", { expiresAt: 9_000, expectedVersion: null });
    const reading = store.get("k");
    expect(await reading).toBeUndefined();
    expect(await writing).toBe(2);
    expect(await store.get("k")).toEqual({ value: "new", version: 2 });
  });

  it("discards a file that is not an envelope, with a warning, and starts afresh", async () => {
    const store = makeStore();
    mem.dirs.add("/flows");
    const bad = ["{not json", "null", "[]", JSON.stringify({ format: "other", key: "k", version: 1, expiresAt: 9_000, value: "v" })];
    for (const text of bad) {
      mem.files.set(store.pathOf("k"), text);
      expect(await store.get("k")).toBeUndefined();
      expect(mem.files.has(store.pathOf("k"))).toBe(false);
    }
    expect(warnings).toHaveLength(bad.length);
    expect(warnings[0]).toBe("pushflow: /flows/k.json is not a pushflow file store entry: it was discarded");

    mem.files.set(store.pathOf("k"), "{not json");
    expect(await store.put("k", "v", { expiresAt: 9_000, expectedVersion: null })).toBe(1);
    expect(warnings).toHaveLength(bad.length + 1);
  });

  it("warns about a file it cannot read, naming the error, not failing the flow", async () => {
    const store = createEnvelopeStore(
      { ...mem.fs, readText: () => Promise.reject(Object.assign(new Error("denied"), { name: "PermissionDenied" })) },
      { pathOf: () => "/flows/one.json", now: () => now, warn: (m) => void warnings.push(m) },
    );
    expect(await store.get("k")).toBeUndefined();
    expect(warnings).toEqual(["pushflow: cannot read /flows/one.json (PermissionDenied); starting a new flow"]);
  });

  it("deletes; deleting an absent key, or from a directory never written, is fine", async () => {
    const store = makeStore();
    await store.delete("k");
    expect(mem.calls).toEqual([]);
    await store.put("k", "v", { expiresAt: 9_000 });
    await store.delete("k");
    await store.delete("k");
    expect(await store.get("k")).toBeUndefined();
    expect(mem.files.size).toBe(0);
  });

  it("lets other errors of delete through", async () => {
    const failing: EnvelopeFs = { ...mem.fs, remove: () => Promise.reject(new Error("EBUSY")) };
    mem.dirs.add("/flows");
    const store = createEnvelopeStore(failing, { pathOf: () => "/flows/k.json", now: () => now, warn: () => {} });
    await expect(store.delete("k")).rejects.toThrow("EBUSY");
  });
});

describe("parseEnvelope", () => {
  it("takes only a complete envelope of this format", () => {
    const good = { format: ENVELOPE_FORMAT, key: "k", version: 2, expiresAt: 5, value: "v" };
    expect(parseEnvelope(JSON.stringify(good))).toEqual(good);
    expect(parseEnvelope(JSON.stringify({ ...good, version: 1.5 }))).toBeUndefined();
    expect(parseEnvelope(JSON.stringify({ ...good, value: 3 }))).toBeUndefined();
    expect(parseEnvelope(JSON.stringify({ ...good, format: "pushflow-file-store@2" }))).toBeUndefined();
    expect(parseEnvelope("")).toBeUndefined();
  });
});
