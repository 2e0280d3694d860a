import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import { startChallenge, startEnrollment } from "../src/flow.ts";
import type { FlowOutput } from "../src/machines/outcomes.ts";
import { REASONS } from "../src/machines/outcomes.ts";
import { parseRecord, serializeRecord, type FlowRecord } from "../src/persistence.ts";
import { answers, createControlledTransport, fail, settle, type ControlledTransport, type TransportMethod } from "../src/testing.ts";

/**
 * Issue 16, point 1: the flow's deadline is absolute from its start, for every state. A wait the
 * server asks for past it (a 429 with `Retry-After: 86400`), a retry whose backoff passes it, or a
 * request that never answers ends the flow at the deadline: `rate_limited` when the server said
 * wait, `expired` otherwise.
 */

const DAY_MS = 86_400_000;
const TIMEOUT_MS = 2_000;
const PUSH_ID = "push|dev_0000000000000000";

interface Run {
  readonly clock: SimulatedClock;
  readonly transport: ControlledTransport;
  readonly done: Promise<FlowOutput>;
  /** When the outcome came, on the flow clock. */
  ended(): number | undefined;
}

function track(clock: SimulatedClock, transport: ControlledTransport, done: Promise<FlowOutput>): Run {
  let ended: number | undefined;
  void done.then(() => (ended = clock.now()));
  return { clock, transport, done, ended: () => ended };
}

const challenge = (input: { authenticatorId?: string } = {}): Run => {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  return track(clock, transport, startChallenge({ mfaToken: "m", timeoutMs: TIMEOUT_MS, ...input }, { transport, clock }).done);
};

const enrollment = (pollIntervalMs?: number): Run => {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const input = { mfaToken: "m", enrollmentWindowMs: TIMEOUT_MS, ...(pollIntervalMs ? { pollIntervalMs } : {}) };
  return track(clock, transport, startEnrollment(input, { transport, clock, warn: () => undefined }).done);
};

/** Runs the clock in 100 ms steps, as the system clock would, until the flow ends (or 1 s past `at`). */
async function runUntilDone(run: Run, at: number) {
  while (run.ended() === undefined && run.clock.now() < at + 1_000) {
    run.clock.increment(100);
    await settle(1);
  }
}

const waitADay = () => fail("rate_limited", { retryAfterMs: DAY_MS, status: 429 });

describe("a 429 with Retry-After: 86400 and a 2 s timeout ends rate_limited at 2 s", () => {
  const cases: { name: string; method: TransportMethod; start: () => Promise<Run> }[] = [
    { name: "on the list", method: "listAuthenticators", start: async () => challenge() },
    {
      name: "on the challenge",
      method: "challenge",
      start: async () => {
        const run = challenge({ authenticatorId: PUSH_ID });
        await settle();
        run.transport.respond("listAuthenticators", answers.pushAuthenticators(1));
        return run;
      },
    },
    { name: "on the associate", method: "associate", start: async () => enrollment() },
  ];
  for (const { name, method, start } of cases) {
    it(name, async () => {
      const run = await start();
      await settle();
      expect(run.transport.pending.map((c) => c.method)).toEqual([method]);
      run.transport.respond(method, waitADay());
      await runUntilDone(run, TIMEOUT_MS);
      expect(await run.done).toEqual({ outcome: "rate_limited", reason: REASONS.rateLimited });
      expect(run.ended()).toBe(TIMEOUT_MS);
      // The day-long wait was never served: no second try.
      expect(run.transport.calls.filter((c) => c.method === method)).toHaveLength(1);
    });
  }
});

describe("a retry or a request that would pass the deadline ends expired at the deadline", () => {
  it("a network error whose backoff passes the deadline: expired at 2 s, not retried", async () => {
    const run = challenge();
    await settle();
    run.clock.increment(1_800);
    // The backoff after a first failure is at least 500 ms: the retry would go at 2.3 s or later.
    run.transport.respond("listAuthenticators", fail("network"));
    await runUntilDone(run, TIMEOUT_MS);
    expect(await run.done).toEqual({ outcome: "expired", reason: REASONS.listExpired });
    expect(run.ended()).toBe(TIMEOUT_MS);
    expect(run.transport.calls).toHaveLength(1);
  });

  it("a network error on the associate retried past the deadline: expired, saying the enrollment never started", async () => {
    const run = enrollment();
    await settle();
    run.clock.increment(1_800);
    run.transport.respond("associate", fail("server_error", { status: 503 }));
    await runUntilDone(run, TIMEOUT_MS);
    expect(await run.done).toEqual({ outcome: "expired", reason: REASONS.associationExpired });
    expect(run.ended()).toBe(TIMEOUT_MS);
  });

  const hung: { name: string; start: () => Promise<Run>; reason: string }[] = [
    { name: "a list that never answers", start: async () => challenge(), reason: REASONS.listExpired },
    {
      name: "a challenge that never answers",
      start: async () => {
        const run = challenge({ authenticatorId: PUSH_ID });
        await settle();
        run.transport.respond("listAuthenticators", answers.pushAuthenticators(1));
        return run;
      },
      reason: REASONS.pushNotSentExpired,
    },
    { name: "an associate that never answers", start: async () => enrollment(), reason: REASONS.associationExpired },
    {
      name: "a poll that never answers",
      start: async () => {
        const run = enrollment(500);
        await settle();
        run.transport.respond("associate", answers.association());
        return run;
      },
      reason: REASONS.enrollmentExpired,
    },
  ];
  for (const { name, start, reason } of hung) {
    it(`${name}: the flow ends expired at the deadline, and the request is abandoned`, async () => {
      const run = await start();
      await runUntilDone(run, TIMEOUT_MS);
      expect(await run.done).toEqual({ outcome: "expired", reason });
      expect(run.ended()).toBe(TIMEOUT_MS);
      expect(run.transport.pending).toEqual([]);
    });
  }
});

describe("the deadline is the flow's, kept when it is saved and resumed", () => {
  it("a challenge saved while waiting a day to retry the list resumes with its first deadline, and ends rate_limited there", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const records: FlowRecord[] = [];
    startChallenge({ mfaToken: "m", timeoutMs: 60_000 }, { transport, clock, persist: (r) => void (r && records.push(r)) });
    await settle();
    clock.increment(1_000);
    transport.respond("listAuthenticators", waitADay());
    await settle();
    const saved = records.at(-1);
    expect(saved).toMatchObject({ at: "retryingList", expiresAt: 60_000, context: { deadlineAt: 60_000, lastWait: "rate_limited" } });

    // Another process, half a minute later.
    const later = new SimulatedClock();
    later.set(30_000);
    const resumed = startChallenge({ mfaToken: "unused" }, { transport: createControlledTransport(), clock: later, record: parseRecord(serializeRecord(saved as FlowRecord), "challenge", later.now()) });
    await settle();
    expect(resumed.view()).toMatchObject({ state: "retryingList", deadlineAt: 60_000 });
    later.increment(30_000);
    expect(await resumed.done).toEqual({ outcome: "rate_limited", reason: REASONS.rateLimited });
  });

  it("a record without a deadline (saved before it covered every state) is refused, not resumed to wait forever", () => {
    const record = { version: 2, flow: "challenge", savedAt: 0, expiresAt: 60_000, at: "retryingList", context: { settings: { mfaToken: "m", maxRetries: 5 }, intervalMs: 5_000, nextPollAt: 0, retryAt: 1_000, attempt: 0, retries: 1 } };
    expect(() => parseRecord(JSON.stringify(record), "challenge", 0)).toThrow(/context is incomplete/);
    expect(() => parseRecord(JSON.stringify({ ...record, context: { ...record.context, deadlineAt: 60_000 } }), "challenge", 0)).not.toThrow();
  });
});
