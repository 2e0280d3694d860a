import type { FlowClock } from "@pushflow/core";

interface Timer {
  readonly at: number;
  readonly fn: () => void;
}

/**
 * The clock of one step. It tells the time of the server's clock but never fires a timer by
 * itself: the step fires the timers that are due, one at a time, and leaves the others pending.
 * So a restored flow sends the poll that is due and nothing else, and the step knows when the
 * flow is idle (nothing due) and when it wants to run next (`nextAt`).
 */
export class StepClock implements FlowClock {
  readonly #base: FlowClock;
  readonly #timers = new Map<number, Timer>();
  #lastId = 0;

  constructor(base: FlowClock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown {
    const id = ++this.#lastId;
    this.#timers.set(id, { at: this.now() + Math.max(0, timeout), fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id === "number") this.#timers.delete(id);
  }

  /** Fires the earliest timer that is due now; false when none is. */
  fireDue(): boolean {
    const now = this.now();
    let earliest: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      if (entry[1].at <= now && (earliest === undefined || entry[1].at < earliest[1].at)) earliest = entry;
    }
    if (earliest === undefined) return false;
    this.#timers.delete(earliest[0]);
    earliest[1].fn();
    return true;
  }

  /** When the earliest pending timer is due, if any. */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const timer of this.#timers.values()) if (next === undefined || timer.at < next) next = timer.at;
    return next;
  }
}
