import type { FlowStore, StoredEntry } from "@pushflow/core";
import { createFileStore } from "@pushflow/node";

export interface FileFlowStoreOptions {
  /** The clock of `expiresAt`; default Date.now. */
  readonly now?: () => number;
  /** A lock file older than this is taken for a crashed writer's and removed; default 10 000 ms. */
  readonly staleLockMs?: number;
  /** Where a discarded file is reported; default stderr. */
  readonly warn?: (message: string) => void;
}

/**
 * A FlowStore in a directory, shared by the processes of one machine: `@pushflow/node`'s file
 * store (one file per key, mode 0600, atomic rename, compare-and-set under a lock file), as a
 * class. Several machines share Redis instead.
 */
export class FileFlowStore implements FlowStore {
  readonly #store: FlowStore;

  constructor(directory: string, options: FileFlowStoreOptions = {}) {
    this.#store = createFileStore(directory, options);
  }

  get(key: string): Promise<StoredEntry | undefined> {
    return this.#store.get(key);
  }

  put(key: string, value: string, options: { readonly expiresAt: number; readonly expectedVersion?: number | null }): Promise<number | undefined> {
    return this.#store.put(key, value, options);
  }

  delete(key: string): Promise<void> {
    return this.#store.delete(key);
  }
}
