import type { FlowStore } from "@pushflow/core";
import { createEnvelopeStore, type EnvelopeFs } from "@pushflow/core/file-store";
import { withFileLock } from "./file-lock.ts";

export interface FileStoreOptions {
  /** The clock expiry is checked on (the flows' clock); default `Date.now`. */
  readonly now?: () => number;
  /** Where a discarded file is reported; default `console.warn` (stderr). */
  readonly warn?: (message: string) => void;
}

/** A FlowStore on disk, with the path of each key. */
export interface FileFlowStore extends FlowStore {
  pathOf(key: string): string;
}

const LOCK_FILE = ".pushflow-store.lock";

/**
 * A FlowStore in a directory: one JSON file per key, mode 0600 (a record holds an mfa_token),
 * written to a temporary file and renamed so that a crash never leaves half a record. Expired
 * entries read as absent and are removed; `put` compares and sets on the entry's version under an
 * OS file lock on `dir/.pushflow-store.lock`, so two Deno processes sharing the directory cannot
 * both win. Needs `--allow-read` and `--allow-write` for `dir`. The logic and the format are
 * core's (`@pushflow/core/file-store`), shared with `@pushflow/node`, so either runtime can resume
 * the other's flows.
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): FileFlowStore {
  const base = dir.replace(/\/+$/, "") || "/";
  const fs: EnvelopeFs = {
    readText: (path) => Deno.readTextFile(path),
    remove: (path) => Deno.remove(path),
    ensureDirFor: () => Deno.mkdir(base, { recursive: true, mode: 0o700 }),
    writeAtomically,
    // One lock for the directory: writes take milliseconds, so keys need not lock apart.
    locked: (_path, action) => withFileLock(`${base}/${LOCK_FILE}`, action),
    isAbsent: (error) => error instanceof Deno.errors.NotFound,
    describe: (error) => (error instanceof Error ? error.name : String(error)),
  };
  return createEnvelopeStore(fs, {
    pathOf: (key) => `${base}/${encodeURIComponent(key)}.json`,
    now: options.now ?? Date.now,
    warn: options.warn ?? ((message: string) => console.warn(message)),
  });
}

/** Writes a new file mode 0600 beside `path`, then renames it over `path`. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const temp = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeTextFile(temp, text, { createNew: true, mode: 0o600 });
  try {
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}
