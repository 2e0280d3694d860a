import type { ErrorCode, Result, Transport } from "@pushflow/core";
import type { TRANSPORT_METHODS } from "@pushflow/core/adapter";

/** The eight methods of the core `Transport` (its calls; not `loopback`). */
export type TransportMethod = (typeof TRANSPORT_METHODS)[number];

/** Request fields that are secrets: recorded as `[redacted:N]`, N numbering distinct values. */
const SECRET_FIELDS: ReadonlySet<string> = new Set(["mfaToken", "oobCode", "otp", "recoveryCode", "password", "accessToken"]);

/** One transport call as a test sees it. */
export interface CallRecord {
  readonly method: TransportMethod;
  /**
   * The request without secrets: secret fields read `[redacted:N]`, where the same secret
   * always gets the same N within one transport (so a test can tell two oob_codes apart).
   */
  readonly request: Readonly<Record<string, string>>;
  /** When the call was made, on the transport's clock. */
  readonly at: number;
  /** `ok` or the problem code; undefined while the call is in flight. */
  answer: "ok" | ErrorCode | undefined;
  answeredAt: number | undefined;
}

/** Records calls, numbering secrets instead of keeping them. */
export class CallLog {
  readonly calls: CallRecord[] = [];
  private readonly refs = new Map<string, number>();

  record(method: TransportMethod, request: object, at: number): CallRecord {
    const safe: Record<string, string> = {};
    for (const [key, value] of Object.entries(request)) {
      if (value === undefined) continue;
      const text = typeof value === "string" ? value : JSON.stringify(value);
      safe[key] = SECRET_FIELDS.has(key) ? `[redacted:${this.ref(text)}]` : text;
    }
    const record: CallRecord = { method, request: safe, at, answer: undefined, answeredAt: undefined };
    this.calls.push(record);
    return record;
  }

  answered<T>(record: CallRecord, result: Result<T>, at: number): Result<T> {
    record.answer = result.ok ? "ok" : result.problem.code;
    record.answeredAt = at;
    return result;
  }

  clear(): void {
    this.calls.length = 0;
  }

  private ref(secret: string): number {
    let n = this.refs.get(secret);
    if (n === undefined) {
      n = this.refs.size + 1;
      this.refs.set(secret, n);
    }
    return n;
  }
}

/** What both transports of this package add to the core `Transport`. */
export interface RecordingTransport extends Transport {
  /** Every call, in call order. */
  readonly calls: readonly CallRecord[];
  /** The calls of one method. */
  callsTo(method: TransportMethod): readonly CallRecord[];
  clearCalls(): void;
}

/**
 * Waits `ms` on the clock (a microtask when 0). Resolves false when the signal aborts first.
 */
export function wait(
  clock: { setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown; clearTimeout(id: unknown): void },
  ms: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve().then(() => signal?.aborted !== true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(id);
      resolve(false);
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(signal?.aborted !== true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
