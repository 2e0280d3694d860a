import type { Transport } from "@pushflow/core";

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
  /** One call of `inner`, counted, and held back (never answered) once `mayCall` says no. */
  const track =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
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
  // Every method written out, so that a method added to Transport is a compile error here.
  const wrapped: Transport = {
    login: track(inner.login.bind(inner)),
    associate: track(inner.associate.bind(inner)),
    listAuthenticators: track(inner.listAuthenticators.bind(inner)),
    challenge: track(inner.challenge.bind(inner)),
    verifyOob: track(inner.verifyOob.bind(inner)),
    verifyOtp: track(inner.verifyOtp.bind(inner)),
    verifyRecoveryCode: track(inner.verifyRecoveryCode.bind(inner)),
    deleteAuthenticator: track(inner.deleteAuthenticator.bind(inner)),
    // `loopback` is not a call: passed on as is (core reads it to decide on the poll interval warning).
    ...(inner.loopback === undefined ? {} : { loopback: inner.loopback }),
  };
  return {
    transport: wrapped,
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
