import { mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FlowStore, StoredEntry } from "@pushflow/core";

export interface FileFlowStoreOptions {
  /** The clock of `expiresAt`; default Date.now. */
  readonly now?: () => number;
  /** A lock file older than this is taken for a crashed writer's and removed; default 10 000 ms. */
  readonly staleLockMs?: number;
}

interface FileEntry {
  readonly version: number;
  readonly expiresAt: number;
  readonly value: string;
}

const LOCK_TRIES = 400;
const LOCK_WAIT_MS = 5;

/**
 * A FlowStore in a directory: one file per key (mode 0600, written to a temporary file and
 * renamed), compare-and-set under a lock file created exclusively, so that processes on one
 * machine can share it. For a single machine; several machines share Redis instead.
 */
export class FileFlowStore implements FlowStore {
  readonly #directory: string;
  readonly #now: () => number;
  readonly #staleLockMs: number;
  #ready: Promise<unknown> | undefined;

  constructor(directory: string, options: FileFlowStoreOptions = {}) {
    this.#directory = directory;
    this.#now = options.now ?? Date.now;
    this.#staleLockMs = options.staleLockMs ?? 10_000;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const entry = await this.#read(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      await this.#locked(key, async () => {
        const again = await this.#read(key);
        if (again !== undefined && again.expiresAt <= this.#now()) await unlinkQuietly(this.#path(key));
      });
      return undefined;
    }
    return { value: entry.value, version: entry.version };
  }

  async put(key: string, value: string, options: { readonly expiresAt: number; readonly expectedVersion?: number | null }): Promise<number | undefined> {
    return this.#locked(key, async () => {
      const read = await this.#read(key);
      const current = read !== undefined && read.expiresAt > this.#now() ? read : undefined;
      if (options.expectedVersion === null && current !== undefined) return undefined;
      if (typeof options.expectedVersion === "number" && current?.version !== options.expectedVersion) return undefined;
      const entry: FileEntry = { version: (current?.version ?? 0) + 1, expiresAt: options.expiresAt, value };
      const path = this.#path(key);
      const temporary = `${path}.${crypto.randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(entry), { mode: 0o600 });
      await rename(temporary, path);
      return entry.version;
    });
  }

  async delete(key: string): Promise<void> {
    await this.#locked(key, () => unlinkQuietly(this.#path(key)));
  }

  #path(key: string): string {
    // Any key becomes a safe file name.
    return join(this.#directory, `${Buffer.from(key).toString("base64url")}.json`);
  }

  async #read(key: string): Promise<FileEntry | undefined> {
    await this.#ensureDirectory();
    let text: string;
    try {
      text = await readFile(this.#path(key), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    try {
      const entry = JSON.parse(text) as FileEntry;
      return typeof entry.version === "number" && typeof entry.expiresAt === "number" && typeof entry.value === "string" ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  #ensureDirectory(): Promise<unknown> {
    this.#ready ??= mkdir(this.#directory, { recursive: true, mode: 0o700 });
    return this.#ready;
  }

  async #locked<T>(key: string, run: () => Promise<T>): Promise<T> {
    await this.#ensureDirectory();
    const lock = `${this.#path(key)}.lock`;
    for (let tries = 0; ; tries++) {
      try {
        const handle = await open(lock, "wx", 0o600);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        if (tries >= LOCK_TRIES) throw new Error(`pushflow: the flow store lock ${lock} is held too long`);
        // Lock files age on the file system's clock, not the flows'.
        const since = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (since > this.#staleLockMs) await unlinkQuietly(lock);
        else await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS));
      }
    }
    try {
      return await run();
    } finally {
      await unlinkQuietly(lock);
    }
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
