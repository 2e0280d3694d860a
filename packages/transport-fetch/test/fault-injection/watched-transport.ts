import type { Problem, Result, Transport } from "@pushflow/core";

/** One call as the flow made it: when (flow clock), and what came back. */
export interface WatchedCall {
  readonly method: string;
  readonly at: number;
  problem?: Problem;
  answered: boolean;
}

/** The transport the flow runs on, counting what is in flight, and what each call answered. */
export interface WatchedTransport {
  readonly transport: Transport;
  readonly calls: WatchedCall[];
  inFlight(): number;
  /** Settles once no call is in flight. */
  idle(): Promise<void>;
  /** The methods of the calls in flight (one at most, unless the flow breaks the rules). */
  inFlightMethods(): string[];
  readonly maxInFlight: () => number;
}

export function watch(inner: Transport, now: () => number): WatchedTransport {
  const calls: WatchedCall[] = [];
  let inFlight = 0;
  const open: WatchedCall[] = [];
  let waiters: (() => void)[] = [];
  let maxInFlight = 0;
  const track = async <T>(method: string, send: () => Promise<Result<T>>): Promise<Result<T>> => {
    const call: WatchedCall = { method, at: now(), answered: false };
    calls.push(call);
    inFlight += 1;
    open.push(call);
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const result = await send();
      call.answered = true;
      if (!result.ok) call.problem = result.problem;
      return result;
    } finally {
      inFlight -= 1;
      open.splice(open.indexOf(call), 1);
      if (inFlight === 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    }
  };
  const transport: Transport = {
    login: (request, options) => track("login", () => inner.login(request, options)),
    associate: (request, options) => track("associate", () => inner.associate(request, options)),
    listAuthenticators: (request, options) => track("listAuthenticators", () => inner.listAuthenticators(request, options)),
    challenge: (request, options) => track("challenge", () => inner.challenge(request, options)),
    verifyOob: (request, options) => track("verifyOob", () => inner.verifyOob(request, options)),
    verifyOtp: (request, options) => track("verifyOtp", () => inner.verifyOtp(request, options)),
    verifyRecoveryCode: (request, options) => track("verifyRecoveryCode", () => inner.verifyRecoveryCode(request, options)),
    deleteAuthenticator: (request, options) => track("deleteAuthenticator", () => inner.deleteAuthenticator(request, options)),
    ...(inner.loopback === undefined ? {} : { loopback: inner.loopback }),
  };
  return { transport, calls, inFlight: () => inFlight,
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => void waiters.push(resolve))), inFlightMethods: () => open.map((c) => c.method), maxInFlight: () => maxInFlight };
}
