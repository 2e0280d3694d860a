import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { FlowStore, StoredEntry } from "@pushflow/core";
import { code, withFileLock } from "./file-lock.ts";

export interface FileStoreOptions {
  /** The clock expiry is checked on (the flows' clock); default `Date.now`. */
  readonly now?: () => number;
  /** Where a discarded file is reported; default stderr. */
  readonly warn?: (message: string) => void;
  /** A lock older than this is taken as left by a crashed writer; default 10 s. */
  readonly staleLockMs?: number;
}

/** A FlowStore on disk, with the path of each key. */
export interface FileFlowStore extends FlowStore {
  pathOf(key: string): string;
  /**
   * Resolves once no read or write is in flight, including one a flow queues right after
   * another. A flow's outcome settles before its last save (the removal of its record) is
   * done, so await this before exiting the process.
   */
  flush(): Promise<void>;
}

/** What one file holds. `value` is the store's value as given (a serialized record). */
interface Envelope {
  readonly format: typeof FORMAT;
  readonly key: string;
  readonly version: number;
  readonly expiresAt: number;
  readonly value: string;
}

const FORMAT = "pushflow-file-store@1";

/**
 * A FlowStore in a directory: one JSON file per key, mode 0600 (a record holds an mfa_token),
 * written to a temporary file and renamed so that a crash never leaves half a record. Expired
 * entries read as absent and are removed; `put` compares and sets on the entry's version under
 * a lock file, so two processes sharing the directory cannot both win.
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): FileFlowStore {
  return fileStore((key) => join(dir, `${encodeURIComponent(key)}.json`), options);
}

/** The same, in one file whatever the key: the CLI's `--resume FILE`. */
export function createSingleFileStore(file: string, options: FileStoreOptions = {}): FileFlowStore {
  return fileStore(() => file, options);
}

function fileStore(pathOf: (key: string) => string, options: FileStoreOptions): FileFlowStore {
  const now = options.now ?? Date.now;
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const locked = <T>(path: string, action: () => Promise<T>) =>
    withFileLock(path, action, options.staleLockMs === undefined ? {} : { staleMs: options.staleLockMs });

  /** The file's entry, expired or not; undefined when absent or unusable (then reported and removed). */
  async function read(path: string): Promise<Envelope | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (code(error) !== "ENOENT") warn(`pushflow: cannot read ${path} (${code(error) ?? String(error)}); starting a new flow`);
      return undefined;
    }
    const envelope = parse(text);
    if (envelope === undefined) {
      warn(`pushflow: ${path} is not a pushflow file store entry: it was discarded`);
      await unlink(path).catch(() => {});
    }
    return envelope;
  }

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

  const store: FlowStore = {
    async get(key: string): Promise<StoredEntry | undefined> {
      const path = pathOf(key);
      const entry = await read(path);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > now()) return { value: entry.value, version: entry.version };
      // Removed under the lock, and only if no writer replaced it meanwhile.
      await locked(path, async () => {
        const again = await read(path);
        if (again?.version === entry.version && again.expiresAt <= now()) await unlink(path).catch(() => {});
      }).catch(() => {});
      return undefined;
    },

    async put(key, value, { expiresAt, expectedVersion }) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      return locked(path, async () => {
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
      await locked(path, () => unlink(path).catch((error: unknown) => {
        if (code(error) !== "ENOENT") throw error;
      }));
    },
  };
  return {
    pathOf,
    flush,
    get: (key) => track(store.get(key)),
    put: (key, value, options) => track(store.put(key, value, options)),
    delete: (key) => track(store.delete(key)),
  };
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
