import type { Transport } from "@pushflow/core";
import { TRANSPORT_METHODS } from "@pushflow/core/adapter";

/** A transport that counts its calls, so a step can wait until none is in flight. */
export interface TrackedTransport {
  readonly transport: Transport;
  /** Calls sent during this step. */
  readonly sent: number;
  readonly inFlight: number;
  /** A call was held back because `mayCall` said no: the step must stop and write nothing. */
  readonly refused: boolean;
  /** Resolves once no call is in flight. */
  idle(): Promise<void>;
}

/** `mayCall` is asked before each call: a step whose lease may have lapsed sends nothing more. */
export function trackTransport(inner: Transport, mayCall: () => boolean = () => true): TrackedTransport {
  let sent = 0;
  let inFlight = 0;
  let refused = false;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  // `loopback` is not a call: passed on as is (core reads it to decide on the poll interval warning).
  const wrapped: Record<string, unknown> = inner.loopback === undefined ? {} : { loopback: inner.loopback };
  for (const method of TRANSPORT_METHODS) {
    const call = inner[method].bind(inner) as (...args: unknown[]) => Promise<unknown>;
    wrapped[method] = async (...args: unknown[]) => {
      if (refused || !mayCall()) {
        refused = true;
        wake();
        // Never answered: the flow waits while the step is stopped.
        return new Promise<never>(() => {});
      }
      sent++;
      inFlight++;
      try {
        return await call(...args);
      } finally {
        inFlight--;
        if (inFlight === 0) wake();
      }
    };
  }
  return {
    transport: wrapped as unknown as Transport,
    get sent() {
      return sent;
    },
    get inFlight() {
      return inFlight;
    },
    get refused() {
      return refused;
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
