import type { FlowClock, FlowStore, StoredEntry } from "@pushflow/core";

/** An instance runs a step of the flow until `until` (the store's clock); nobody else may. */
export interface Lease {
  readonly owner: string;
  readonly until: number;
}

/** A lease taken: `token` fences the step's writes; `until` and `now` are on the store's clock. */
export interface ClaimedLease {
  readonly token: number;
  readonly until: number;
  readonly now: number;
}

export interface LeasedEntry extends StoredEntry {
  readonly lease?: Lease;
}

/**
 * A store that keeps a flow's lease beside its value and judges it by its own clock (Redis
 * `TIME`), so a claim applied late is judged when it is applied. Any write with `put` ends the lease.
 */
export interface LeaseStore extends FlowStore {
  readonly leases: "native";
  read(key: string): Promise<LeasedEntry | undefined>;
  /** Takes the lease when the version is still `expectedVersion` and no lease is live. */
  claim(key: string, options: { readonly expectedVersion: number; readonly owner: string; readonly leaseMs: number }): Promise<ClaimedLease | undefined>;
  /** Ends the lease held with `token`, if it is still the latest write. */
  release(key: string, token: number): Promise<void>;
}

export function isLeaseStore(store: FlowStore): store is LeaseStore {
  return (store as Partial<LeaseStore>).leases === "native";
}

/** How the server reads, claims and releases flows, whatever the store. */
export interface Leases {
  read(key: string): Promise<LeasedEntry | undefined>;
  /** `withLease` writes the lease into the value, for stores that only keep values. */
  claim(key: string, version: number, owner: string, leaseMs: number, withLease: (lease: Lease) => string, expiresAt: number): Promise<ClaimedLease | undefined>;
  release(key: string, token: number, unleased: string, expiresAt: number): Promise<void>;
}

/**
 * Leases on any store. A store that only keeps values (memory, files: one machine, one clock)
 * gets the lease written into the value by compare-and-set, judged on the server's clock.
 */
export function leasesOn(store: FlowStore, clock: FlowClock): Leases {
  if (isLeaseStore(store)) {
    return {
      read: (key) => store.read(key),
      claim: (key, version, owner, leaseMs) => store.claim(key, { expectedVersion: version, owner, leaseMs }),
      release: (key, token) => store.release(key, token),
    };
  }
  return {
    // The lease is in the value: the server reads it from the entry.
    read: (key) => store.get(key),
    async claim(key, version, owner, leaseMs, withLease, expiresAt) {
      const now = clock.now();
      const lease = { owner, until: now + leaseMs };
      const token = await store.put(key, withLease(lease), { expiresAt, expectedVersion: version });
      return token === undefined ? undefined : { token, until: lease.until, now };
    },
    async release(key, token, unleased, expiresAt) {
      await store.put(key, unleased, { expiresAt, expectedVersion: token });
    },
  };
}
