import type { SimulatedClock } from "xstate";

/** SimulatedClock keeps its timers in a private map; the bench reads it to count and to jump to the next one. */
type TimerMap = Map<number, { readonly start: number; readonly timeout: number }>;

function timersOf(clock: SimulatedClock): TimerMap {
  return (clock as unknown as { readonly timeouts: TimerMap }).timeouts;
}

/** Timers still pending on the clock. */
export function pendingTimers(clock: SimulatedClock): number {
  return timersOf(clock).size;
}

/** When the earliest pending timer is due, or undefined when none is. */
export function nextDueAt(clock: SimulatedClock): number | undefined {
  let next: number | undefined;
  for (const timer of timersOf(clock).values()) {
    const due = timer.start + timer.timeout;
    if (next === undefined || due < next) next = due;
  }
  return next;
}

/** A fingerprint of the pending timers: changes whenever one is set or cleared. */
export function timerIds(clock: SimulatedClock): string {
  return [...timersOf(clock).keys()].join(",");
}

/** One turn of the event loop: every pending promise callback has run when it resolves. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
