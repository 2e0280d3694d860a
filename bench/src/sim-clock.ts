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

/**
 * A simulated clock for the scale run, with the interface of XState's SimulatedClock that the
 * flows and the baseline use (now, setTimeout, clearTimeout, increment). SimulatedClock sorts
 * every pending timer again whenever a callback sets or clears one while it fires timers: with
 * 10,000 flows that is quadratic, and it measured the clock instead of the flows. This one keeps
 * the timers in a binary heap ordered by due time (then by creation), so firing n timers costs
 * O(n log n) whatever the callbacks do. A cleared timer lets go of its callback at once, and the
 * heap drops cleared entries once they are half of it: what it holds must not count as the flows'.
 */
export class HeapClock {
  #now = 0;
  #nextId = 0;
  readonly #heap: { due: number; id: number; fn: () => void }[] = [];
  /** Timers not yet fired or cleared, by id: clearing one drops its callback at once. */
  readonly #live = new Map<number, { fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id = this.#nextId++;
    const entry = { due: this.#now + Math.max(0, timeout), id, fn: () => fn() };
    this.#live.set(id, entry);
    this.#push(entry);
    return id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id !== "number") return;
    const entry = this.#live.get(id);
    if (entry) entry.fn = () => {};
    this.#live.delete(id);
    if (this.#heap.length > 64 && this.#live.size < this.#heap.length / 2) this.#compact();
  }

  /** Moves time forward, firing every timer due by then in due order (each at its own time). */
  increment(ms: number): void {
    const until = this.#now + ms;
    for (let top = this.#heap[0]; top !== undefined && top.due <= until; top = this.#heap[0]) {
      this.#pop();
      if (!this.#live.delete(top.id)) continue;
      this.#now = Math.max(this.#now, top.due);
      top.fn();
    }
    this.#now = until;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.#live.size;
  }

  /** Keeps the live entries only; a sorted array is a valid heap. */
  #compact(): void {
    const live = this.#heap.filter((item) => this.#live.has(item.id)).sort((a, b) => (this.#before(a, b) ? -1 : 1));
    this.#heap.length = 0;
    this.#heap.push(...live);
  }

  #before(a: { due: number; id: number }, b: { due: number; id: number }): boolean {
    return a.due < b.due || (a.due === b.due && a.id < b.id);
  }

  #push(item: { due: number; id: number; fn: () => void }): void {
    const heap = this.#heap;
    heap.push(item);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      const [p, c] = [heap[parent], heap[i]];
      if (!p || !c || !this.#before(c, p)) break;
      heap[parent] = c;
      heap[i] = p;
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let best = i;
      const at = (k: number) => heap[k];
      const bestItem = () => at(best);
      const li = at(l);
      const ri = at(r);
      const b0 = bestItem();
      if (li && b0 && this.#before(li, b0)) best = l;
      const b1 = bestItem();
      if (ri && b1 && this.#before(ri, b1)) best = r;
      if (best === i) return;
      const x = heap[i];
      const y = heap[best];
      if (!x || !y) return;
      heap[i] = y;
      heap[best] = x;
      i = best;
    }
  }
}
