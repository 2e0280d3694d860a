import { createHash } from "node:crypto";
import type { StoredEntry } from "@pushflow/core";
import type { Cluster, Redis } from "ioredis";
import type { ClaimedLease, Lease, LeaseStore, LeasedEntry } from "./lease.ts";

/**
 * The time the scripts judge leases and expiries by: the caller's (ARGV, tests on a simulated
 * clock) or, when empty, Redis `TIME`: one clock for every instance.
 */
const NOW = `
local function now(given)
  if given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * Compare-and-set of the value, atomic in Redis. ARGV: expected version (`*` any, `-` absent,
 * else the number), value, expiry (ms on the script's clock), now. Clears any lease. Answers the
 * new version, or nil.
 */
const PUT = `${NOW}
local current = redis.call('HGET', KEYS[1], 'v')
local expected = ARGV[1]
if expected == '-' then
  if current then return false end
elseif expected ~= '*' then
  if current ~= expected then return false end
end
local ttl = math.max(1, tonumber(ARGV[3]) - now(ARGV[4]))
local version = (tonumber(current) or 0) + 1
redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
redis.call('HDEL', KEYS[1], 'lo', 'lu')
redis.call('PEXPIRE', KEYS[1], ttl)
return version
`;

/**
 * Takes a lease on the stored version (ARGV: expected version, owner, lease ms, now) without
 * rewriting the value: only when no lease is live on the script's clock. The new version is the
 * fencing token every later write of the step must match. Answers { token, until, now } or nil.
 */
const CLAIM = `${NOW}
local current = redis.call('HGET', KEYS[1], 'v')
if not current or current ~= ARGV[1] then return false end
local t = now(ARGV[4])
local leased = tonumber(redis.call('HGET', KEYS[1], 'lu') or '0')
if leased > t then return false end
local token = tonumber(current) + 1
local untilMs = t + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'v', token, 'lo', ARGV[2], 'lu', untilMs)
return { token, untilMs, t }
`;

/** Ends the lease of the step holding `ARGV[1]` as its token; anything newer is left alone. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then redis.call('HDEL', KEYS[1], 'lo', 'lu') end
return 1
`;

export interface RedisFlowStoreOptions {
  /**
   * Tests on a simulated clock only: the time (ms) the scripts use for leases and expiries. By
   * default Redis's own `TIME`, so every instance's leases are judged by one clock.
   */
  readonly now?: () => number;
}

/**
 * A FlowStore in Redis (ioredis client, one hash per flow: `v` version, `d` value, `lo`/`lu` the
 * lease's owner and end). Leases live in their own fields and are judged by Redis `TIME`;
 * scripts run by `EVALSHA`. Every instance uses its own connection to the same Redis. Works with
 * a Cluster too: each call touches one key.
 */
export class RedisFlowStore implements LeaseStore {
  readonly leases = "native" as const;
  readonly #redis: Redis | Cluster;
  readonly #now: (() => number) | undefined;

  constructor(redis: Redis | Cluster, options: RedisFlowStoreOptions = {}) {
    this.#redis = redis;
    this.#now = options.now;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const entry = await this.read(key);
    return entry && { value: entry.value, version: entry.version };
  }

  async read(key: string): Promise<LeasedEntry | undefined> {
    const [version, value, owner, until] = await this.#redis.hmget(key, "v", "d", "lo", "lu");
    if (version == null || value == null) return undefined;
    const lease: Lease | undefined = owner != null && until != null ? { owner, until: Number(until) } : undefined;
    return { value, version: Number(version), ...(lease ? { lease } : {}) };
  }

  async put(key: string, value: string, options: { readonly expiresAt: number; readonly expectedVersion?: number | null }): Promise<number | undefined> {
    const expected = options.expectedVersion === undefined ? "*" : options.expectedVersion === null ? "-" : String(options.expectedVersion);
    const version = await this.#run(PUT, key, [expected, value, String(Math.ceil(options.expiresAt)), this.#time()]);
    return typeof version === "number" ? version : undefined;
  }

  async claim(key: string, options: { readonly expectedVersion: number; readonly owner: string; readonly leaseMs: number }): Promise<ClaimedLease | undefined> {
    const answer = await this.#run(CLAIM, key, [String(options.expectedVersion), options.owner, String(Math.ceil(options.leaseMs)), this.#time()]);
    if (!Array.isArray(answer)) return undefined;
    const [token, until, now] = answer.map(Number);
    return { token: token ?? 0, until: until ?? 0, now: now ?? 0 };
  }

  async release(key: string, token: number): Promise<void> {
    await this.#run(RELEASE, key, [String(token)]);
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(key);
  }

  #time(): string {
    return this.#now ? String(Math.floor(this.#now())) : "";
  }

  /** EVALSHA, and EVAL once when Redis does not have the script yet (a restart, a new node). */
  async #run(script: string, key: string, args: readonly string[]): Promise<unknown> {
    const sha = sha1(script);
    try {
      return await this.#redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return this.#redis.eval(script, 1, key, ...args);
    }
  }
}

const hashes = new Map<string, string>();
function sha1(script: string): string {
  let hash = hashes.get(script);
  if (hash === undefined) {
    hash = createHash("sha1").update(script).digest("hex");
    hashes.set(script, hash);
  }
  return hash;
}
