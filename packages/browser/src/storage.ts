import { PushflowError, type FlowStore, type StoredEntry } from "@pushflow/core";

/** What one storage item holds: the record text, the compare-and-set version, the expiry. */
interface Item {
  readonly value: string;
  readonly version: number;
  readonly expiresAt: number;
}

/**
 * A FlowStore over Web Storage, `sessionStorage` by default: a reload resumes the flow, and it
 * ends with the tab. Each key holds one JSON item; an expired or unreadable item is dropped on read.
 * Web Storage is synchronous and per tab, so compare-and-set needs no lock here.
 */
export class SessionFlowStore implements FlowStore {
  readonly #storage: Storage;
  readonly #now: () => number;

  /** @throws PushflowError `bad_input` when no storage is given and `sessionStorage` is unavailable. */
  constructor(storage?: Storage, now: () => number = Date.now) {
    const found = storage ?? defaultStorage();
    if (!found) throw new PushflowError("bad_input", "sessionStorage is not available here: pass a store, or store: false");
    this.#storage = found;
    this.#now = now;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const item = this.#read(key);
    return item && { value: item.value, version: item.version };
  }

  async put(key: string, value: string, options: { readonly expiresAt: number; readonly expectedVersion?: number | null }) {
    const current = this.#read(key);
    if (options.expectedVersion === null && current !== undefined) return undefined;
    if (typeof options.expectedVersion === "number" && current?.version !== options.expectedVersion) return undefined;
    const item: Item = { value, version: (current?.version ?? 0) + 1, expiresAt: options.expiresAt };
    this.#storage.setItem(key, JSON.stringify(item));
    return item.version;
  }

  async delete(key: string): Promise<void> {
    this.#storage.removeItem(key);
  }

  /** Synchronously: is a live record saved under `key`? (The page decides at load whether to resume.) */
  has(key: string): boolean {
    return this.#read(key) !== undefined;
  }

  #read(key: string): Item | undefined {
    const text = this.#storage.getItem(key);
    if (text === null) return undefined;
    const item = parseItem(text);
    if (!item || item.expiresAt <= this.#now()) {
      this.#storage.removeItem(key);
      return undefined;
    }
    return item;
  }
}

function parseItem(text: string): Item | undefined {
  try {
    const data = JSON.parse(text) as Partial<Item> | null;
    if (data && typeof data.value === "string" && typeof data.version === "number" && typeof data.expiresAt === "number") {
      return { value: data.value, version: data.version, expiresAt: data.expiresAt };
    }
  } catch {
    // Unreadable: dropped like an expired one; core's parseRecord reports bad records it is given.
  }
  return undefined;
}

/** `sessionStorage`, or undefined where it is missing or refused (opaque origins, some sandboxes). */
function defaultStorage(): Storage | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}
