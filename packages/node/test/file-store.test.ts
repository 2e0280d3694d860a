import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileStore, createSingleFileStore } from "../src/index.ts";

let dir: string;
let now = 1_000_000;
const clock = () => now;
const warnings: string[] = [];
const options = { now: clock, warn: (m: string) => void warnings.push(m) };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pushflow-store-"));
  now = 1_000_000;
  warnings.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("createFileStore", () => {
  it("keeps one JSON file per key, mode 0600 in a 0700 directory, and reads it back", async () => {
    const store = createFileStore(join(dir, "flows"), options);
    expect(await store.put("pushflow:enroll", '{"a":1}', { expiresAt: now + 1000 })).toBe(1);
    expect(await store.put("pushflow:challenge", "two", { expiresAt: now + 1000 })).toBe(1);
    expect(await store.get("pushflow:enroll")).toEqual({ value: '{"a":1}', version: 1 });
    expect(await store.get("pushflow:challenge")).toEqual({ value: "two", version: 1 });
    expect(await store.get("other")).toBeUndefined();
    const files = (await readdir(join(dir, "flows"))).sort();
    expect(files).toEqual(["pushflow%3Achallenge.json", "pushflow%3Aenroll.json"]);
    expect(await mode(store.pathOf("pushflow:enroll"))).toBe(0o600);
    expect(await mode(join(dir, "flows"))).toBe(0o700);
    const onDisk = JSON.parse(await readFile(store.pathOf("pushflow:enroll"), "utf8"));
    expect(onDisk).toMatchObject({ key: "pushflow:enroll", version: 1, expiresAt: now + 1000, value: '{"a":1}' });
  });

  it("keeps a key that looks like a path inside the directory", async () => {
    const store = createFileStore(dir, options);
    await store.put("../../etc/passwd", "x", { expiresAt: now + 1000 });
    expect(store.pathOf("../../etc/passwd").startsWith(dir)).toBe(true);
    expect(await readdir(dir)).toEqual(["..%2F..%2Fetc%2Fpasswd.json"]);
  });

  it("bumps the version on every put, replaces the file atomically and leaves no temporary file", async () => {
    const store = createFileStore(dir, options);
    for (let i = 1; i <= 5; i++) expect(await store.put("k", `v${i}`, { expiresAt: now + 1000 })).toBe(i);
    expect(await store.get("k")).toEqual({ value: "v5", version: 5 });
    expect(await readdir(dir)).toEqual(["k.json"]);
    expect(await mode(store.pathOf("k"))).toBe(0o600);
  });

  it("honours expiry: an expired entry reads as absent and its file is removed", async () => {
    const store = createFileStore(dir, options);
    await store.put("k", "v", { expiresAt: now + 1000 });
    now += 999;
    expect(await store.get("k")).toBeDefined();
    now += 1;
    expect(await store.get("k")).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("compares and sets: null writes only when absent (or expired), a number only on that version", async () => {
    const store = createFileStore(dir, options);
    expect(await store.put("k", "first", { expiresAt: now + 1000, expectedVersion: null })).toBe(1);
    expect(await store.put("k", "again", { expiresAt: now + 1000, expectedVersion: null })).toBeUndefined();
    expect(await store.put("k", "stale", { expiresAt: now + 1000, expectedVersion: 7 })).toBeUndefined();
    expect(await store.put("k", "second", { expiresAt: now + 1000, expectedVersion: 1 })).toBe(2);
    expect(await store.get("k")).toEqual({ value: "second", version: 2 });
    now += 2000;
    // Expired: absent for a compare-and-set, and its version can never match again.
    expect(await store.put("k", "late", { expiresAt: now + 1000, expectedVersion: 2 })).toBeUndefined();
    expect(await store.put("k", "fresh", { expiresAt: now + 1000, expectedVersion: null })).toBe(3);
  });

  it("lets exactly one of several concurrent writers (separate store instances) win a compare-and-set", async () => {
    await createFileStore(dir, options).put("k", "base", { expiresAt: now + 1000 });
    const writers = Array.from({ length: 8 }, (_, i) =>
      createFileStore(dir, options).put("k", `w${i}`, { expiresAt: now + 1000, expectedVersion: 1 }),
    );
    const results = await Promise.all(writers);
    expect(results.filter((r) => r === 2)).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(7);
    const winner = results.indexOf(2);
    expect(await createFileStore(dir, options).get("k")).toEqual({ value: `w${winner}`, version: 2 });
    expect(await readdir(dir)).toEqual(["k.json"]);
  });

  it("breaks a lock left by a process that is gone: proper-lockfile's directory, or a file of the former lock", async () => {
    const store = createFileStore(dir, options);
    const old = new Date(Date.now() - 60_000);
    await mkdir(`${store.pathOf("k")}.lock`);
    await utimes(`${store.pathOf("k")}.lock`, old, old);
    await writeFile(`${store.pathOf("j")}.lock`, "");
    await utimes(`${store.pathOf("j")}.lock`, old, old);
    const started = Date.now();
    expect(await store.put("k", "v", { expiresAt: now + 1000 })).toBe(1);
    expect(await store.put("j", "v", { expiresAt: now + 1000 })).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await readdir(dir)).sort()).toEqual(["j.json", "k.json"]);
  });

  it("discards a corrupt or foreign file with a message, never half-reading it", async () => {
    const store = createFileStore(dir, options);
    await writeFile(store.pathOf("k"), "{not json");
    expect(await store.get("k")).toBeUndefined();
    await writeFile(store.pathOf("j"), JSON.stringify({ format: "something-else", value: "x" }));
    expect(await store.get("j")).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("was discarded");
    expect(await readdir(dir)).toEqual([]);
  });

  it("deletes, and deleting an absent key is fine", async () => {
    const store = createFileStore(dir, options);
    await store.put("k", "v", { expiresAt: now + 1000 });
    await store.delete("k");
    await store.delete("k");
    expect(await store.get("k")).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("createSingleFileStore", () => {
  it("keeps whatever key in the one file, mode 0600", async () => {
    const file = join(dir, "flow.json");
    const store = createSingleFileStore(file, options);
    await store.put("pushflow:challenge", "v", { expiresAt: now + 1000 });
    expect(await store.get("anything")).toEqual({ value: "v", version: 1 });
    expect(await mode(file)).toBe(0o600);
    expect(store.pathOf("x")).toBe(file);
  });
});
