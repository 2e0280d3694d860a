import { PushflowError } from "./errors.ts";

/** The kinds of flow. */
export type FlowKind = "enroll" | "challenge";

/**
 * Version of the saved record format; a record of another version is refused. Version 1 held
 * XState's persisted snapshot; version 2 holds the machine's context and the state it goes on from.
 */
export const RECORD_VERSION = 2;

/** The states a saved flow goes on from, by kind. */
export const RESUME_POINTS = {
  enroll: ["associating", "retryingAssociate", "awaitingDevice"],
  challenge: ["retryingList", "choosing", "challenging", "retryingChallenge", "polling", "otpEntry", "recoveryEntry"],
} as const;

/** The resume points where a push or an enrollment is under way: the record holds its oob_code. */
const WAITING_POINTS: readonly string[] = ["awaitingDevice", "polling", "otpEntry", "recoveryEntry"];

/**
 * A saved flow (DESIGN.md, Persistence). `context` is the machine's context: it holds the
 * mfa_token and oob_code needed to go on polling, never the client secret or recovery codes.
 */
export interface FlowRecord {
  readonly version: typeof RECORD_VERSION;
  readonly flow: FlowKind;
  /** On the flow clock, ms. */
  readonly savedAt: number;
  /** Past this (flow clock), the record is useless and is refused. */
  readonly expiresAt: number;
  /** The state the flow goes on from (one of RESUME_POINTS for its kind). */
  readonly at: string;
  readonly context: unknown;
}

/** One stored value with the version a compare-and-set checks. */
export interface StoredEntry {
  readonly value: string;
  readonly version: number;
}

/**
 * Where records live between page loads, process restarts or back-end instances. `put` with an
 * `expectedVersion` writes only if the stored version still matches (`null`: only if absent),
 * and answers the new version, or `undefined` when another writer came first.
 */
export interface FlowStore {
  get(key: string): Promise<StoredEntry | undefined>;
  put(
    key: string,
    value: string,
    options: { readonly expiresAt: number; readonly expectedVersion?: number | null },
  ): Promise<number | undefined>;
  delete(key: string): Promise<void>;
}

/** The record as text, for a store. */
export function serializeRecord(record: FlowRecord): string {
  return JSON.stringify(record);
}

/**
 * Reads and checks a record: JSON, version, flow kind, expiry and the snapshot's shape. Throws
 * `PushflowError` (`invalid_record`) with the reason; nothing is restored from a bad record.
 */
export function parseRecord(text: string | unknown, expected: FlowKind, now: number): FlowRecord {
  let data: unknown = text;
  if (typeof text === "string") {
    try {
      data = JSON.parse(text);
    } catch {
      throw invalid("the saved flow is not valid JSON");
    }
  }
  if (data === null || typeof data !== "object") throw invalid("the saved flow is not an object");
  const r = data as Record<string, unknown>;
  if (r["version"] !== RECORD_VERSION) {
    const version = JSON.stringify(r["version"]);
    throw invalid(`the saved flow has format version ${version}, this pushflow reads version ${RECORD_VERSION} (records of pushflow 1 cannot be resumed)`);
  }
  if (r["flow"] !== expected) throw invalid(`the saved flow is a ${String(r["flow"])} flow, not a ${expected} flow`);
  if (typeof r["savedAt"] !== "number" || typeof r["expiresAt"] !== "number") throw invalid("the saved flow has no valid times");
  if (r["expiresAt"] <= now) throw invalid("the saved flow has expired");
  const at = r["at"];
  if (typeof at !== "string" || !RESUME_POINTS[expected].some((point) => point === at)) throw invalid("the saved flow has no state to go on from");
  const context = r["context"];
  if (!isSavedContext(context, WAITING_POINTS.includes(at))) throw invalid("the saved flow's context is incomplete");
  return { version: RECORD_VERSION, flow: expected, savedAt: r["savedAt"], expiresAt: r["expiresAt"], at, context };
}

/**
 * The fields a resumed state needs: a mfa_token, the schedule, the flow's deadline (set as it
 * started, at every point: a record without one would never end), and while waiting the oob_code.
 */
function isSavedContext(value: unknown, waiting: boolean): boolean {
  if (value === null || typeof value !== "object") return false;
  const c = value as Record<string, unknown>;
  if (!Number.isFinite(c["deadlineAt"])) return false;
  if (waiting && typeof c["oobCode"] !== "string") return false;
  const settings = c["settings"];
  if (settings === null || typeof settings !== "object") return false;
  const s = settings as Record<string, unknown>;
  return (
    typeof s["mfaToken"] === "string" &&
    Number.isInteger(s["maxRetries"]) &&
    Number.isFinite(c["intervalMs"]) &&
    Number.isFinite(c["nextPollAt"]) &&
    Number.isFinite(c["retryAt"]) &&
    Number.isInteger(c["attempt"]) &&
    Number.isInteger(c["retries"])
  );
}

function invalid(message: string): PushflowError {
  return new PushflowError("invalid_record", `${message}: it was discarded; start a new flow`);
}

/** A FlowStore in memory, with expiry on the given clock. For tests and single-process apps. */
export class MemoryFlowStore implements FlowStore {
  readonly #entries = new Map<string, { value: string; version: number; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const entry = this.#live(key);
    return entry && { value: entry.value, version: entry.version };
  }

  async put(key: string, value: string, options: { expiresAt: number; expectedVersion?: number | null }): Promise<number | undefined> {
    const current = this.#live(key);
    if (options.expectedVersion === null && current !== undefined) return undefined;
    if (typeof options.expectedVersion === "number" && current?.version !== options.expectedVersion) return undefined;
    const version = (current?.version ?? 0) + 1;
    this.#entries.set(key, { value, version, expiresAt: options.expiresAt });
    return version;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Keys still held (expired ones are dropped first). */
  keys(): string[] {
    for (const key of [...this.#entries.keys()]) this.#live(key);
    return [...this.#entries.keys()];
  }

  #live(key: string) {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
