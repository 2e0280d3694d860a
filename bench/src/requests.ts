import { DEFAULTS } from "@pushflow/core";
import { createAdapter } from "@pushflow/core/adapter";
import { startEmulator } from "@pushflow/emulator";
import { createFetchTransport, type FetchFunction } from "@pushflow/transport-fetch";
import { SimulatedClock } from "xstate";
import { nextDueAt, timerIds, turn } from "./sim-clock.ts";

/** One push challenge against the emulator, with the device approving `approvalAfterMs` after the push. */
export interface RequestRun {
  readonly approvalAfterMs: number;
  readonly intervalMs: number;
  readonly outcome: string;
  /** Every request the emulator logged for the flow (the mfa_token was minted: no login). */
  readonly requests: number;
  readonly byRoute: Readonly<Record<string, number>>;
  /** 1 + ⌈approval / interval⌉: the push, then one poll per interval until the one that sees the approval. */
  readonly minimum: number;
  /** Flow clock time from the device's approval to the outcome. */
  readonly approvalToOutcomeMs: number;
  readonly slowDown: number;
  readonly status429: number;
  /** Wall time the run took (the clocks are simulated). */
  readonly realMs: number;
}

export const APPROVAL_TIMES_MS: readonly number[] = [2_000, 7_500, 12_500, 20_000, 33_000];

const CLIENT_ID = "pushflow-demo";

/**
 * fetch, counting requests in flight until their body is read: the clock only moves when no
 * request is in flight, so every answer lands at the simulated time its request left.
 */
function countingFetch() {
  let inFlight = 0;
  const fetchFn: FetchFunction = async (input, init) => {
    inFlight++;
    try {
      const response = await fetch(input, init);
      const body = [101, 204, 205, 304].includes(response.status) ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      inFlight--;
    }
  };
  return { fetch: fetchFn, inFlight: () => inFlight };
}

/** Until nothing is in flight and no timer was set or cleared for a few loop turns. */
async function quiet(clock: SimulatedClock, inFlight: () => number): Promise<void> {
  let ids = timerIds(clock);
  for (let stable = 0; stable < 3; ) {
    if (inFlight() > 0) {
      stable = 0;
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    await turn();
    const now = timerIds(clock);
    stable = inFlight() === 0 && now === ids ? stable + 1 : 0;
    ids = now;
  }
}

/** Moves the shared clock from timer to timer, letting real HTTP finish in between, until `done`. */
async function drive(clock: SimulatedClock, inFlight: () => number, done: () => boolean, limitMs: number): Promise<void> {
  const endAt = clock.now() + limitMs;
  for (;;) {
    await quiet(clock, inFlight);
    if (done()) return;
    const next = nextDueAt(clock);
    if (next === undefined || next > endAt) throw new Error("the flow waits on no timer and has no outcome");
    clock.set(Math.max(next, clock.now()));
  }
}

/** Push challenges over real HTTP (transport-fetch) against the emulator with Auth0's default limits. */
export async function runRequestBench(approvalTimesMs: readonly number[] = APPROVAL_TIMES_MS): Promise<RequestRun[]> {
  const clock = new SimulatedClock();
  // Near the wall clock, so that the emulator's tokens carry plausible times.
  clock.set(Date.now());
  const emulator = await startEmulator({ clock });
  const counting = countingFetch();
  const adapter = createAdapter({
    createTransport: (options) => createFetchTransport({ ...options, fetch: counting.fetch, now: () => clock.now() }),
  });
  const runs: RequestRun[] = [];
  try {
    for (const [i, approvalAfterMs] of approvalTimesMs.entries()) {
      // A user per run: Auth0 limits pushes per user, and runs follow each other within a minute.
      const username = `bench-${i}@example.com`;
      emulator.tenant.addUser({ username, password: `bench-password-${i}` });
      const device = emulator.device(username);
      device.enroll(username);
      device.setPolicy({ answer: "approve", answerAfterMs: approvalAfterMs });
      const mfaToken = emulator.tenant.mintMfaToken(username, CLIENT_ID);
      emulator.requests.clear();

      const started = performance.now();
      const pushAt = clock.now();
      let doneAt: number | undefined;
      const handle = adapter.challenge({ domain: emulator.url, clientId: CLIENT_ID, mfaToken, clock });
      const outcome = handle.outcome.then((o) => {
        doneAt = clock.now();
        return o;
      });
      await drive(clock, counting.inFlight, () => doneAt !== undefined, DEFAULTS.challengeTimeoutMs + DEFAULTS.pollIntervalMs);
      const result = await outcome;

      const summary = emulator.requests.summary();
      runs.push({
        approvalAfterMs,
        intervalMs: DEFAULTS.pollIntervalMs,
        outcome: result.outcome,
        requests: summary.total,
        byRoute: summary.byRoute,
        minimum: 1 + Math.ceil(approvalAfterMs / DEFAULTS.pollIntervalMs),
        approvalToOutcomeMs: (doneAt ?? Number.NaN) - (pushAt + approvalAfterMs),
        slowDown: emulator.requests.count({ route: "POST /oauth/token", grantType: "mfa-oob", status: 429 }),
        status429: emulator.requests.count({ status: 429 }),
        realMs: performance.now() - started,
      });
    }
  } finally {
    await emulator.close();
  }
  return runs;
}
