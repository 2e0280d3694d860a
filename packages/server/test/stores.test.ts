import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryFlowStore, type FlowStore } from "@pushflow/core";
import { FileFlowStore } from "../src/file.ts";
import { RedisFlowStore } from "../src/redis.ts";
import { skipRedis, startRedis, type TestRedis } from "./redis-server.ts";

/** The FlowStore contract every store keeps: versions, compare-and-set, expiry, delete. */
function contract(name: string, make: (now: () => number) => FlowStore) {
  describe(`${name} store`, () => {
    let time = 1_000_000;
    const store = () => make(() => time);

    it("puts, gets and counts versions", async () => {
      const s = store();
      expect(await s.get("k1")).toBeUndefined();
      expect(await s.put("k1", "a", { expiresAt: time + 10_000 })).toBe(1);
      expect(await s.get("k1")).toEqual({ value: "a", version: 1 });
      expect(await s.put("k1", "b", { expiresAt: time + 10_000 })).toBe(2);
      expect(await s.get("k1")).toEqual({ value: "b", version: 2 });
    });

    it("compares and sets", async () => {
      const s = store();
      expect(await s.put("k2", "a", { expiresAt: time + 10_000, expectedVersion: null })).toBe(1);
      expect(await s.put("k2", "x", { expiresAt: time + 10_000, expectedVersion: null })).toBeUndefined();
      expect(await s.put("k2", "x", { expiresAt: time + 10_000, expectedVersion: 7 })).toBeUndefined();
      expect(await s.put("k2", "b", { expiresAt: time + 10_000, expectedVersion: 1 })).toBe(2);
      expect(await s.put("k2", "c", { expiresAt: time + 10_000, expectedVersion: 1 })).toBeUndefined();
      expect(await s.put("k3", "x", { expiresAt: time + 10_000, expectedVersion: 1 })).toBeUndefined();
      expect(await s.get("k2")).toEqual({ value: "b", version: 2 });
    });

    it("lets exactly one of many concurrent writers win a compare-and-set", async () => {
      const s = store();
      await s.put("k4", "start", { expiresAt: time + 10_000 });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.put("k4", `w${i}`, { expiresAt: time + 10_000, expectedVersion: 1 })));
      expect(results.filter((r) => r === 2)).toHaveLength(1);
      expect(results.filter((r) => r === undefined)).toHaveLength(19);
    });

    it("deletes", async () => {
      const s = store();
      await s.put("k5", "a", { expiresAt: time + 10_000 });
      await s.delete("k5");
      await s.delete("k5");
      expect(await s.get("k5")).toBeUndefined();
      expect(await s.put("k5", "b", { expiresAt: time + 10_000, expectedVersion: null })).toBe(1);
    });

    it("keeps special characters in keys apart", async () => {
      const s = store();
      await s.put("pushflow:flow:a/b", "1", { expiresAt: time + 10_000 });
      await s.put("pushflow:flow:a_b", "2", { expiresAt: time + 10_000 });
      expect((await s.get("pushflow:flow:a/b"))?.value).toBe("1");
      expect((await s.get("pushflow:flow:a_b"))?.value).toBe("2");
    });

    it("drops an entry once it expired", async () => {
      const s = store();
      await s.put("k6", "a", { expiresAt: time + 50 });
      expect(await s.get("k6")).toBeDefined();
      if (name === "redis") await new Promise((r) => setTimeout(r, 120)); // Redis expires on its own clock
      time += 100;
      expect(await s.get("k6")).toBeUndefined();
      // An expired entry is absent for compare-and-set too.
      expect(await s.put("k6", "b", { expiresAt: time + 10_000, expectedVersion: null })).toBe(1);
    });
  });
}

contract("memory", (now) => new MemoryFlowStore(now));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fileDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "pushflow-store-"));
  dirs.push(dir);
  return dir;
};
contract("file", (now) => new FileFlowStore(join(fileDir(), "flows"), { now }));

describe("file store on disk", () => {
  it("writes files readable by the owner only, and no temporary or lock file is left", async () => {
    const dir = join(fileDir(), "flows");
    const s = new FileFlowStore(dir);
    await Promise.all([1, 2, 3].map((i) => s.put(`key-${i}`, "v", { expiresAt: Date.now() + 10_000 })));
    const files = readdirSync(dir);
    expect(files).toHaveLength(3);
    for (const file of files) {
      expect(file.endsWith(".json")).toBe(true);
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("shares compare-and-set between two store objects (two processes) on one directory", async () => {
    const dir = join(fileDir(), "flows");
    const a = new FileFlowStore(dir);
    const b = new FileFlowStore(dir);
    await a.put("k", "0", { expiresAt: Date.now() + 10_000 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).put("k", `${i}`, { expiresAt: Date.now() + 10_000, expectedVersion: 1 })));
    expect(results.filter((r) => r === 2)).toHaveLength(1);
  });

  // The server binds core's file store to node:fs itself rather than depend on the Node adapter
  // (and, through it, on what the adapter's CLI needs). Its lock must stay the adapter's: a
  // directory may be shared by both, and they must keep out of each other's writes.
  it("takes the same lock as @pushflow/node's file store (src/node-fs.ts is a copy of it)", () => {
    const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");
    expect(read("../src/node-fs.ts")).toBe(read("../../node/src/node-fs.ts"));
  });
});

describe.skipIf(skipRedis)("redis store", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  let n = 0;
  contract("redis", (now) => {
    const client = redis.connect();
    const prefix = `pushflow-contract:${n++}:`;
    // Each store object gets its own key space, as tests reuse key names.
    const store = new RedisFlowStore(client, { now });
    return {
      get: (key) => store.get(prefix + key),
      put: (key, value, options) => store.put(prefix + key, value, options),
      delete: (key) => store.delete(prefix + key),
    };
  });

  it("gives keys a Redis expiry equal to the time left", async () => {
    const client = redis.connect();
    let time = 5_000;
    const store = new RedisFlowStore(client, { now: () => time });
    await store.put("pushflow-ttl", "a", { expiresAt: time + 60_000 });
    const ttl = await client.pttl("pushflow-ttl");
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    time += 30_000;
    await store.put("pushflow-ttl", "b", { expiresAt: time + 10_000, expectedVersion: 1 });
    expect(await client.pttl("pushflow-ttl")).toBeLessThanOrEqual(10_000);
  });

  it("keeps leases in their own fields, judged by Redis TIME, and fences writes with the claim's token", async () => {
    const client = redis.connect();
    // No `now`: leases and expiries on Redis's clock, as in production.
    const store = new RedisFlowStore(client);
    const other = new RedisFlowStore(redis.connect());
    const version = await store.put("pushflow-lease", "value", { expiresAt: Date.now() + 60_000 });
    expect(version).toBe(1);
    const claimed = await store.claim("pushflow-lease", { expectedVersion: 1, owner: "a", leaseMs: 300 });
    expect(claimed).toMatchObject({ token: 2 });
    expect((claimed?.until ?? 0) - (claimed?.now ?? 0)).toBe(300);
    // The value is not rewritten; the lease is beside it.
    expect(await client.hget("pushflow-lease", "d")).toBe("value");
    expect(await other.read("pushflow-lease")).toEqual({ value: "value", version: 2, lease: { owner: "a", until: claimed?.until } });
    // Live on Redis's clock, whatever the caller's: a second claim on the new version is refused.
    expect(await other.claim("pushflow-lease", { expectedVersion: 2, owner: "b", leaseMs: 300 })).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 350));
    const taken = await other.claim("pushflow-lease", { expectedVersion: 2, owner: "b", leaseMs: 300 });
    expect(taken).toMatchObject({ token: 3 });
    // The first step's writes carry its token: fenced off.
    expect(await store.put("pushflow-lease", "late", { expiresAt: Date.now() + 60_000, expectedVersion: 2 })).toBeUndefined();
    await store.release("pushflow-lease", 2);
    expect((await other.read("pushflow-lease"))?.lease?.owner).toBe("b");
    await other.release("pushflow-lease", 3);
    expect(await other.read("pushflow-lease")).toEqual({ value: "value", version: 3 });
    expect(await store.put("pushflow-lease", "saved", { expiresAt: Date.now() + 60_000, expectedVersion: 3 })).toBe(4);
  });

  it("runs its scripts by EVALSHA, loading them again after Redis forgot them", async () => {
    const client = redis.connect();
    const store = new RedisFlowStore(client);
    await store.put("pushflow-sha", "a", { expiresAt: Date.now() + 60_000 });
    await client.script("FLUSH");
    expect(await store.put("pushflow-sha", "b", { expiresAt: Date.now() + 60_000, expectedVersion: 1 })).toBe(2);
    const stats = (await client.info("commandstats")).split("\n");
    expect(stats.some((line) => line.startsWith("cmdstat_evalsha:"))).toBe(true);
  });
});
