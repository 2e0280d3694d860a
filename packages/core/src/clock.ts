/**
 * The time source of a flow. XState's `SimulatedClock` satisfies it, so tests run hours of
 * polling in milliseconds; adapters pass `systemClock`.
 */
export interface FlowClock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Wall-clock time. */
export const systemClock: FlowClock = {
  now: () => Date.now(),
  setTimeout: (fn, timeout) => globalThis.setTimeout(fn, timeout),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>),
};
