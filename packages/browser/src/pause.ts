import type { CallOptions, Result, Tokens, Transport } from "@pushflow/core";

/**
 * Holds polls back while nobody can see the flow or the network is gone. Core has no pause event,
 * so the adapter pauses at the transport: a poll that falls due while paused waits here, unsent,
 * and goes out as soon as the page is visible and online again. The machine's clock, deadline and
 * "no poll sooner than the interval" rule are untouched: a late poll is never an early one.
 */
export interface PauseGate {
  /** True while polls are held back. */
  readonly paused: boolean;
  /** Resolves once not paused; resolves early (false) if the signal aborts. */
  wait(signal?: AbortSignal): Promise<boolean>;
  /** Re-reads the conditions (called when another tab's visibility changes). */
  update(): void;
  dispose(): void;
}

/**
 * A gate over `document.hidden` and `navigator.onLine`. `othersVisible` lets the multi-tab leader
 * keep polling while a follower tab shows the flow.
 */
export function createPauseGate(othersVisible: () => boolean = () => false): PauseGate {
  const waiters = new Set<() => void>();
  const paused = () => !isOnline() || (isHidden() && !othersVisible());
  const update = () => {
    if (paused()) return;
    for (const release of [...waiters]) release();
  };
  const doc = typeof document === "undefined" ? undefined : document;
  const win = typeof window === "undefined" ? undefined : window;
  doc?.addEventListener("visibilitychange", update);
  win?.addEventListener("online", update);

  return {
    get paused() {
      return paused();
    },
    wait(signal?: AbortSignal) {
      if (signal?.aborted) return Promise.resolve(false);
      if (!paused()) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const finish = (open: boolean) => {
          waiters.delete(release);
          signal?.removeEventListener("abort", abort);
          resolve(open);
        };
        const release = () => finish(true);
        const abort = () => finish(false);
        waiters.add(release);
        signal?.addEventListener("abort", abort, { once: true });
      });
    },
    update,
    dispose() {
      doc?.removeEventListener("visibilitychange", update);
      win?.removeEventListener("online", update);
    },
  };
}

/** The transport with `verifyOob` (the poll) held back by the gate; every other call goes at once. */
export function pausingTransport(transport: Transport, gate: PauseGate): Transport {
  return {
    ...(transport.loopback === undefined ? {} : { loopback: transport.loopback }),
    login: (request, options) => transport.login(request, options),
    associate: (request, options) => transport.associate(request, options),
    listAuthenticators: (request, options) => transport.listAuthenticators(request, options),
    challenge: (request, options) => transport.challenge(request, options),
    verifyOtp: (request, options) => transport.verifyOtp(request, options),
    verifyRecoveryCode: (request, options) => transport.verifyRecoveryCode(request, options),
    deleteAuthenticator: (request, options) => transport.deleteAuthenticator(request, options),
    async verifyOob(request, options?: CallOptions): Promise<Result<Tokens>> {
      const open = await gate.wait(options?.signal);
      // Aborted while held: the machine has moved on (cancel, deadline) and ignores this answer.
      if (!open) return { ok: false, problem: { code: "network", message: "the poll was cancelled before it was sent" } };
      return transport.verifyOob(request, options);
    },
  };
}

function isHidden(): boolean {
  return typeof document !== "undefined" && document.hidden;
}

function isOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}
