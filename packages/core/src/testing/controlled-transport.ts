import { TRANSPORT_METHODS, type CallOptions, type Result, type Transport } from "../transport.ts";

export type TransportMethod = (typeof TRANSPORT_METHODS)[number];

/** A call the transport received and has not answered yet. */
export interface PendingCall {
  readonly method: TransportMethod;
  readonly request: unknown;
  readonly signal: AbortSignal | undefined;
}

/** A transport driven by the test: each call stays pending until `respond` answers it. */
export interface ControlledTransport extends Transport {
  /** Unanswered calls, oldest first (aborted calls are dropped). */
  readonly pending: readonly PendingCall[];
  /** Every call received, in order. */
  readonly calls: readonly { readonly method: TransportMethod; readonly request: unknown }[];
  /** The most calls that were ever in flight at once. */
  readonly maxInFlight: number;
  /** Answers the oldest pending call of `method`; throws when there is none. */
  respond(method: TransportMethod, result: Result<unknown>): void;
  /** Makes the oldest pending call of `method` throw (a transport bug; machines end in `failed`). */
  crash(method: TransportMethod, error: unknown): void;
}

interface Slot extends PendingCall {
  resolve(result: Result<unknown>): void;
  reject(error: unknown): void;
}

export function createControlledTransport(): ControlledTransport {
  const slots: Slot[] = [];
  const calls: { method: TransportMethod; request: unknown }[] = [];
  let maxInFlight = 0;

  const take = (method: TransportMethod): Slot => {
    const index = slots.findIndex((s) => s.method === method);
    if (index < 0) throw new Error(`no pending ${method} call (pending: ${slots.map((s) => s.method).join(", ") || "none"})`);
    return slots.splice(index, 1)[0]!;
  };

  const call = (method: TransportMethod) => (request: unknown, options?: CallOptions) => {
    calls.push({ method, request });
    return new Promise<Result<unknown>>((resolve, reject) => {
      const slot: Slot = { method, request, signal: options?.signal, resolve, reject };
      slots.push(slot);
      maxInFlight = Math.max(maxInFlight, slots.length);
      options?.signal?.addEventListener(
        "abort",
        () => {
          const i = slots.indexOf(slot);
          if (i >= 0) slots.splice(i, 1);
          resolve({ ok: false, problem: { code: "network", message: "aborted" } });
        },
        { once: true },
      );
    });
  };

  const transport = {
    ...Object.fromEntries(TRANSPORT_METHODS.map((method) => [method, call(method)])),
    get pending() {
      return slots.map(({ method, request, signal }) => ({ method, request, signal }));
    },
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    respond: (method: TransportMethod, result: Result<unknown>) => take(method).resolve(result),
    crash: (method: TransportMethod, error: unknown) => take(method).reject(error),
  };
  return transport as unknown as ControlledTransport;
}

/** Lets promise callbacks run (answers, timers resolved by a simulated clock). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

