import type { FlowStore, StoredEntry } from "@pushflow/core";
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

/**
 * What one file holds. `value` is the store's value as given (a serialized record). The same
 * format as `@pushflow/node`'s file store, so either runtime can resume the other's flows.
 */
interface Envelope {
  readonly format: typeof FORMAT;
  readonly key: string;
  readonly version: number;
  readonly expiresAt: number;
  readonly value: string;
}

const FORMAT = "pushflow-file-store@1";
const LOCK_FILE = ".pushflow-store.lock";

/**
 * A FlowStore in a directory: one JSON file per key, mode 0600 (a record holds an mfa_token),
 * written to a temporary file and renamed so that a crash never leaves half a record. Expired
 * entries read as absent and are removed; `put` compares and sets on the entry's version under an
 * OS file lock on `dir/.pushflow-store.lock`, so two Deno processes sharing the directory cannot
 * both win. Needs `--allow-read` and `--allow-write` for `dir`.
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): FileFlowStore {
  const base = dir.replace(/\/+$/, "") || "/";
  const now = options.now ?? Date.now;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const pathOf = (key: string) => `${base}/${encodeURIComponent(key)}.json`;
  // One lock for the directory: writes take milliseconds, so keys need not lock apart.
  const locked = <T>(action: () => Promise<T>) => withFileLock(`${base}/${LOCK_FILE}`, action);

  /** The file's entry, expired or not; undefined when absent or unusable (then reported and removed). */
  async function read(path: string): Promise<Envelope | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) warn(`pushflow: cannot read ${path} (${errorName(error)}); starting a new flow`);
      return undefined;
    }
    const envelope = parse(text);
    if (envelope === undefined) {
      warn(`pushflow: ${path} is not a pushflow file store entry: it was discarded`);
      await Deno.remove(path).catch(() => {});
    }
    return envelope;
  }

  return {
    pathOf,

    async get(key: string): Promise<StoredEntry | undefined> {
      const path = pathOf(key);
      const entry = await read(path);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > now()) return { value: entry.value, version: entry.version };
      // Removed under the lock, and only if no writer replaced it meanwhile.
      await locked(async () => {
        const again = await read(path);
        if (again?.version === entry.version && again.expiresAt <= now()) await Deno.remove(path).catch(() => {});
      }).catch(() => {});
      return undefined;
    },

    async put(key, value, { expiresAt, expectedVersion }) {
      const path = pathOf(key);
      await Deno.mkdir(base, { recursive: true, mode: 0o700 });
      return locked(async () => {
        const stored = await read(path);
        const live = stored !== undefined && stored.expiresAt > now() ? stored : undefined;
        if (expectedVersion === null && live !== undefined) return undefined;
        if (typeof expectedVersion === "number" && live?.version !== expectedVersion) return undefined;
        // Versions keep counting past an expired entry, so an old version never matches again.
        const version = (stored?.version ?? 0) + 1;
        const envelope: Envelope = { format: FORMAT, key, version, expiresAt, value };
        await writeAtomically(path, `${JSON.stringify(envelope)}\n`);
        return version;
      });
    },

    async delete(key: string): Promise<void> {
      const path = pathOf(key);
      const removed = () =>
        Deno.remove(path).catch((error: unknown) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
      // No directory, no entry: nothing to lock or remove.
      await locked(removed).catch((error: unknown) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    },
  };
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

function parse(text: string): Envelope | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object") return undefined;
  const e = data as Record<string, unknown>;
  const valid =
    e["format"] === FORMAT &&
    typeof e["key"] === "string" &&
    Number.isInteger(e["version"]) &&
    typeof e["expiresAt"] === "number" &&
    typeof e["value"] === "string";
  return valid ? (data as Envelope) : undefined;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}
