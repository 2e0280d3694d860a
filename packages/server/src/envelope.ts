import { PushflowError, type FlowKind, type FlowOutput, type FlowRecord, type Outcome } from "@pushflow/core";
import { parseRecord } from "@pushflow/core/adapter";
import type { ServerView } from "./types.ts";

/** Version of the stored entry's format. */
export const ENTRY_FORMAT = 1;

/**
 * What the store holds under a flow's key. The fields around `data` say how the flow stands
 * without decrypting it and hold no secret; `data` holds the record (mfa_token, oob_code) and
 * the view, sealed when the server has a key.
 */
export interface FlowEntry {
  readonly format: typeof ENTRY_FORMAT;
  readonly kind: FlowKind;
  readonly createdAt: number;
  /** When the store drops it: the flow's deadline plus the grace period. */
  readonly expiresAt: number;
  /** When the flow's earliest timer is due; absent when only a user's event can move it. */
  readonly nextDueAt?: number;
  /** An instance is running a step until `until`; nobody else may. Stores without native leases only (Redis keeps it apart). */
  readonly lease?: { readonly owner: string; readonly until: number };
  /** SHA-256 (base64url) of the secret that binds the flow to the browser that started it. */
  readonly binding?: string;
  /** A running flow: `{ record, view }` as JSON, sealed. */
  readonly data?: string;
  /** A flow that ended: its outcome's name and reason. */
  readonly reported?: { readonly outcome: Outcome; readonly reason: string; readonly at: number };
  /** The whole outcome with its tokens (`OutcomeData`), sealed: answered `done` until `answerUntil`. */
  readonly outcome?: string;
  readonly answerUntil?: number;
}

/** What `data` holds. */
export interface FlowData {
  readonly record: FlowRecord;
  readonly view: ServerView;
}

/** What `outcome` holds. */
export interface OutcomeData {
  readonly output: FlowOutput;
  readonly view?: ServerView;
  readonly recoveryCodes?: readonly string[];
}

export function serializeEntry(entry: FlowEntry): string {
  return JSON.stringify(entry);
}

/** Reads a stored entry; throws PushflowError (`invalid_record`) when it is not one. */
export function parseEntry(text: string): FlowEntry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid("the saved flow is not valid JSON");
  }
  if (data === null || typeof data !== "object") throw invalid("the saved flow is not an object");
  const e = data as Record<string, unknown>;
  if (e["format"] !== ENTRY_FORMAT) throw invalid(`the saved flow has format ${JSON.stringify(e["format"])}, this server reads ${ENTRY_FORMAT}`);
  if (e["kind"] !== "enroll" && e["kind"] !== "challenge") throw invalid("the saved flow has no kind");
  if (typeof e["createdAt"] !== "number" || typeof e["expiresAt"] !== "number") throw invalid("the saved flow has no valid times");
  if (e["data"] === undefined && e["reported"] === undefined) throw invalid("the saved flow has neither data nor outcome");
  return data as FlowEntry;
}

/**
 * Checks the record inside `data` with core's `parseRecord` (version, kind, resume point, the
 * context that point needs: the oob_code and deadline while waiting), as of when it was saved:
 * past its deadline a flow is restored all the same, and its own deadline timer ends it `expired`.
 */
export function checkRecord(value: unknown, kind: FlowKind): FlowRecord {
  if (value === null || typeof value !== "object") throw invalid("the saved flow has no record");
  const savedAt = (value as Record<string, unknown>)["savedAt"];
  if (typeof savedAt !== "number") throw invalid("the saved flow has no valid times");
  return parseRecord(value, kind, savedAt);
}

function invalid(message: string): PushflowError {
  return new PushflowError("invalid_record", message);
}
