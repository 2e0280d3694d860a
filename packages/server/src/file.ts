import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { FlowStore, StoredEntry } from "@pushflow/core";
import { createEnvelopeStore, type EnvelopeFs } from "@pushflow/core/file-store";
import { code, withFileLock } from "./file-lock.ts";

export interface FileFlowStoreOptions {
  /** The clock of `expiresAt`; default Date.now. */
  readonly now?: () => number;
  /** A lock file older than this is taken for a crashed writer's and removed; default 10 000 ms. */
  readonly staleLockMs?: number;
  /** Where a discarded file is reported; default stderr. */
  readonly warn?: (message: string) => void;
}

/**
 * A FlowStore in a directory, shared by the processes of one machine: one file per key, mode
 * 0600, written to a temporary file and renamed, compare-and-set under a lock file. The logic and
 * the on-disk format are core's (`@pushflow/core/file-store`), bound here to node:fs the way
 * `@pushflow/node` binds its own file store (same format, same `<file>.lock` lock), so the server
 * needs no adapter. Several machines share Redis instead.
 */
export class FileFlowStore implements FlowStore {
  readonly #store: FlowStore;

  constructor(directory: string, options: FileFlowStoreOptions = {}) {
    const lockOptions = options.staleLockMs === undefined ? {} : { staleMs: options.staleLockMs };
    const fs: EnvelopeFs = {
      readText: (path) => readFile(path, "utf8"),
      remove: unlink,
      ensureDirFor: async (path) => void (await mkdir(dirname(path), { recursive: true, mode: 0o700 })),
      writeAtomically,
      // One lock file per entry (`<file>.lock`): keys never wait on each other.
      locked: (path, action) => withFileLock(path, action, lockOptions),
      isAbsent: (error) => code(error) === "ENOENT",
      describe: (error) => code(error) ?? String(error),
    };
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

/** Writes a new file mode 0600 beside `path`, then renames it over `path`. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
