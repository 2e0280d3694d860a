import { join } from "node:path";
import type { FlowStore, StoredEntry } from "@pushflow/core";
import { createEnvelopeStore } from "@pushflow/core/file-store";
import { nodeEnvelopeFs } from "./node-fs.ts";

export interface FileFlowStoreOptions {
  /** The clock of `expiresAt`; default Date.now. */
  readonly now?: () => number;
  /**
   * A lock (`<file>.lock`) its holder stopped refreshing this long ago was left by a dead writer
   * (kill -9) and is broken; default and floor 2000 ms (proper-lockfile's).
   */
  readonly staleLockMs?: number;
  /** Where a discarded file is reported; default stderr. */
  readonly warn?: (message: string) => void;
}

/**
 * A FlowStore in a directory, shared by the processes of one machine: one file per key, mode
 * 0600, written to a temporary file and renamed, compare-and-set under a lock file. The logic and
 * the on-disk format are core's (`@pushflow/core/file-store`), bound here to node:fs by
 * `node-fs.ts`, a copy of `@pushflow/node`'s (same format, same `<file>.lock` lock), so the server
 * needs no adapter. Several machines share Redis instead.
 */
export class FileFlowStore implements FlowStore {
  readonly #store: FlowStore;

  constructor(directory: string, options: FileFlowStoreOptions = {}) {
    const fs = nodeEnvelopeFs(options.staleLockMs === undefined ? {} : { staleMs: options.staleLockMs });
    this.#store = createEnvelopeStore(fs, {
      pathOf: (key) => join(directory, `${encodeURIComponent(key)}.json`),
      now: options.now ?? Date.now,
      warn: options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`)),
    });
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
