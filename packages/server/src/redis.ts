import type { FlowStore, StoredEntry } from "@pushflow/core";
import type { Cluster, Redis } from "ioredis";

/**
 * Compare-and-set in one round trip, atomic in Redis. ARGV: expected version (`*` any, `-`
 * absent, else the number), value, time to live in ms. Answers the new version, or nil.
 */
const PUT = `
local current = redis.call('HGET', KEYS[1], 'v')
local expected = ARGV[1]
if expected == '-' then
  if current then return false end
elseif expected ~= '*' then
  if current ~= expected then return false end
end
local version = (tonumber(current) or 0) + 1
redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return version
`;

export interface RedisFlowStoreOptions {
  /**
   * The clock of the flows' `expiresAt`, default Date.now. Keys get the time left on it as their
   * Redis time to live (PX), so Redis drops a flow when its deadline (plus grace) has passed.
   */
  readonly now?: () => number;
}

/**
 * A FlowStore in Redis (ioredis client, one hash per flow: `v` version, `d` value). Every
 * instance of a back-end uses its own connection to the same Redis. Works with a Cluster too:
 * each call touches one key.
 */
export class RedisFlowStore implements FlowStore {
  readonly #redis: Redis | Cluster;
  readonly #now: () => number;

  constructor(redis: Redis | Cluster, options: RedisFlowStoreOptions = {}) {
    this.#redis = redis;
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const [version, value] = await this.#redis.hmget(key, "v", "d");
    if (version == null || value == null) return undefined;
    return { value, version: Number(version) };
  }

  async put(key: string, value: string, options: { readonly expiresAt: number; readonly expectedVersion?: number | null }): Promise<number | undefined> {
    const expected = options.expectedVersion === undefined ? "*" : options.expectedVersion === null ? "-" : String(options.expectedVersion);
    const ttl = Math.max(1, Math.ceil(options.expiresAt - this.#now()));
    const version = await this.#redis.eval(PUT, 1, key, expected, value, String(ttl));
    return typeof version === "number" ? version : undefined;
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(key);
  }
}
