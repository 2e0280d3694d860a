import { join } from "node:path";
import type { FlowStore } from "@pushflow/core";
import { createEnvelopeStore } from "@pushflow/core/file-store";
import { nodeEnvelopeFs } from "./node-fs.ts";

export interface FileStoreOptions {
  /** The clock expiry is checked on (the flows' clock); default `Date.now`. */
  readonly now?: () => number;
  /** Where a discarded file is reported; default stderr. */
  readonly warn?: (message: string) => void;
  /**
   * A lock (`<file>.lock`) its holder stopped refreshing this long ago was left by a dead writer
   * (kill -9) and is broken; default and floor 2000 ms (proper-lockfile's).
   */
  readonly staleLockMs?: number;
}

/** A FlowStore on disk, with the path of each key. */
export interface FileFlowStore extends FlowStore {
  pathOf(key: string): string;
  /**
   * Resolves once no read or write is in flight, including one queued right after another.
   * A flow's outcome already waits for its last save (the removal of its record); this is for
   * work the outcome does not cover, such as a flow given up on without awaiting it.
   */
  flush(): Promise<void>;
}

/**
 * A FlowStore in a directory: one JSON file per key, mode 0600 (a record holds an mfa_token),
 * written to a temporary file and renamed so that a crash never leaves half a record. Expired
 * entries read as absent and are removed; `put` compares and sets on the entry's version under
 * a lock file, so two processes sharing the directory cannot both win. The logic and the format
 * are core's (`@pushflow/core/file-store`), shared with `@pushflow/deno`.
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): FileFlowStore {
  return fileStore((key) => join(dir, `${encodeURIComponent(key)}.json`), options);
}

/** The same, in one file whatever the key: the CLI's `--resume FILE`. */
export function createSingleFileStore(file: string, options: FileStoreOptions = {}): FileFlowStore {
  return fileStore(() => file, options);
}

function fileStore(pathOf: (key: string) => string, options: FileStoreOptions): FileFlowStore {
  const fs = nodeEnvelopeFs(options.staleLockMs === undefined ? {} : { staleMs: options.staleLockMs });
  const store = createEnvelopeStore(fs, {
    pathOf,
    now: options.now ?? Date.now,
    warn: options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`)),
  });

  const pending = new Set<Promise<unknown>>();
  const track = <T>(operation: Promise<T>): Promise<T> => {
    pending.add(operation);
    const forget = () => void pending.delete(operation);
    operation.then(forget, forget);
    return operation;
  };
  const flush = async () => {
    // A flow chains its saves: the next one starts a few microtasks after the previous ends.
    do {
      await Promise.allSettled([...pending]);
      await new Promise((resolve) => setImmediate(resolve));
    } while (pending.size > 0);
  };

  return {
    pathOf,
    flush,
    get: (key) => track(store.get(key)),
    put: (key, value, options) => track(store.put(key, value, options)),
    delete: (key) => track(store.delete(key)),
  };
}
