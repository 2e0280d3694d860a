import type { FlowStore, StoredEntry } from "./persistence.ts";

/**
 * The file primitives a file-backed `FlowStore` needs from its runtime. The adapters (Node, Deno)
 * bind them to their own file APIs; the store logic and the on-disk format live here, once, so
 * that either runtime resumes the flows the other saved.
 */
export interface EnvelopeFs {
  /** The file's text; rejects when it cannot be read, absent included. */
  readText(path: string): Promise<string>;
  /** Removes the file; rejects when it cannot, absent included. */
  remove(path: string): Promise<void>;
  /** Creates the directory `path` goes in (mode 0700: a record holds an mfa_token). */
  ensureDirFor(path: string): Promise<void>;
  /**
   * Writes `text` to a new file mode 0600 beside `path`, then renames it over `path`, so that a
   * crash never leaves half a record and no reader ever sees one.
   */
  writeAtomically(path: string, text: string): Promise<void>;
  /**
   * Runs `action` holding a lock that writers in other processes (and in this one) wait on, for
   * the entry at `path`. Rejects like a file call when the lock cannot be taken.
   */
  locked<T>(path: string, action: () => Promise<T>): Promise<T>;
  /** Whether `error` (from one of the calls above) says the file, or its directory, is not there. */
  isAbsent(error: unknown): boolean;
  /** How a read error is named in a warning (its code or name, nothing secret). */
  describe(error: unknown): string;
}

export interface EnvelopeStoreOptions {
  /** The file of each key. Keys are encoded so that one never escapes the store's directory. */
  readonly pathOf: (key: string) => string;
  /** The clock expiry is checked on (the flows' clock). */
  readonly now: () => number;
  /** Where a discarded or unreadable file is reported. */
  readonly warn: (message: string) => void;
}

/** A FlowStore on files, with the path of each key. */
export interface EnvelopeStore extends FlowStore {
  pathOf(key: string): string;
}

/** What one file holds. `value` is the store's value as given (a serialized record). */
export interface Envelope {
  readonly format: typeof ENVELOPE_FORMAT;
  readonly key: string;
  readonly version: number;
  readonly expiresAt: number;
  readonly value: string;
}

/** The on-disk format every pushflow file store writes and reads. */
export const ENVELOPE_FORMAT = "pushflow-file-store@1";

/**
 * A FlowStore on files through `fs`: one JSON envelope per key. Expired entries read as absent
 * and are removed; `put` compares and sets on the entry's version under `fs.locked`, so two
 * processes sharing the files cannot both win. A file that is not an envelope is reported and
 * discarded (a new flow starts), never half-read.
 */
export function createEnvelopeStore(fs: EnvelopeFs, options: EnvelopeStoreOptions): EnvelopeStore {
  const { pathOf, now, warn } = options;
  const ignoreAbsent = (error: unknown) => {
    if (!fs.isAbsent(error)) throw error;
  };

  /** The file's entry, expired or not; undefined when absent or unusable (then reported and removed). */
  async function read(path: string): Promise<Envelope | undefined> {
    let text: string;
    try {
      text = await fs.readText(path);
    } catch (error) {
      if (!fs.isAbsent(error)) warn(`pushflow: cannot read ${path} (${fs.describe(error)}); starting a new flow`);
      return undefined;
    }
    const envelope = parseEnvelope(text);
    if (envelope === undefined) {
      warn(`pushflow: ${path} is not a pushflow file store entry: it was discarded`);
      await fs.remove(path).catch(() => {});
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
      await fs.locked(path, async () => {
        const again = await read(path);
        if (again?.version === entry.version && again.expiresAt <= now()) await fs.remove(path).catch(() => {});
      }).catch(() => {});
      return undefined;
    },

    async put(key, value, { expiresAt, expectedVersion }) {
      const path = pathOf(key);
      await fs.ensureDirFor(path);
      return fs.locked(path, async () => {
        const stored = await read(path);
        const live = stored !== undefined && stored.expiresAt > now() ? stored : undefined;
        if (expectedVersion === null && live !== undefined) return undefined;
        if (typeof expectedVersion === "number" && live?.version !== expectedVersion) return undefined;
        // Versions keep counting past an expired entry, so an old version never matches again.
        const version = (stored?.version ?? 0) + 1;
        const envelope: Envelope = { format: ENVELOPE_FORMAT, key, version, expiresAt, value };
        await fs.writeAtomically(path, `${JSON.stringify(envelope)}\n`);
        return version;
      });
    },

    async delete(key: string): Promise<void> {
      const path = pathOf(key);
      // No directory, no entry: nothing to lock or remove.
      await fs.locked(path, () => fs.remove(path).catch(ignoreAbsent)).catch(ignoreAbsent);
    },
  };
}

/** The envelope in `text`; undefined when it is not one (not JSON, another format, a field missing). */
export function parseEnvelope(text: string): Envelope | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object") return undefined;
  const e = data as Record<string, unknown>;
  const valid =
    e["format"] === ENVELOPE_FORMAT &&
    typeof e["key"] === "string" &&
    Number.isInteger(e["version"]) &&
    typeof e["expiresAt"] === "number" &&
    typeof e["value"] === "string";
  return valid ? (data as Envelope) : undefined;
}
