import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { FlowClock } from "../src/clock.ts";
import { startChallenge, startEnrollment } from "../src/flow.ts";
import { parseRecord, serializeRecord } from "../src/persistence.ts";
import { answers, createControlledTransport, settle } from "../src/testing.ts";
import { challengeWaitingForPoll } from "./helpers.ts";

/** A SimulatedClock that counts the timers set and not yet fired or cleared. */
function countingClock() {
  const clock = new SimulatedClock();
  const live = new Set<unknown>();
  const counted: FlowClock & { readonly clock: SimulatedClock; readonly live: Set<unknown> } = {
    clock,
    live,
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      const id = clock.setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      live.add(id);
      return id;
    },
    clearTimeout: (id) => {
      live.delete(id);
      clock.clearTimeout(id as number);
    },
  };
  return counted;
}

async function pushSent() {
  const clock = countingClock();
  return { clock, ...(await challengeWaitingForPoll(clock)) };
}

const children = (flow: { actor: { getSnapshot(): { children: object } } }) => Object.keys(flow.actor.getSnapshot().children);

describe("a waiting flow", () => {
  it("is one actor with at most two clock timers; a request is its only child, while in flight", async () => {
    const { clock, transport, flow } = await pushSent();
    // Waiting: the deadline and one wake-up timer (next poll, or the end of the resend cooldown).
    expect(children(flow)).toEqual([]);
    expect(clock.live.size).toBe(2);
    for (let poll = 0; poll < 4; poll++) {
      clock.clock.increment(5_000);
      await settle();
      expect(children(flow)).toEqual(["verifyOob"]);
      expect(clock.live.size).toBeLessThanOrEqual(2);
      transport.respond("verifyOob", answers.pending());
      await settle();
      expect(children(flow)).toEqual([]);
      expect(clock.live.size).toBeLessThanOrEqual(2);
    }
    // The resend cooldown (12 s) ended on the way without a timer of its own.
    expect(flow.view()).toMatchObject({ canResend: true, attempt: 4 });
    flow.cancel();
    await flow.done;
    expect(clock.live.size).toBe(0);
  });

  it("an enrollment waits with the deadline and the next poll, and nothing else", async () => {
    const clock = countingClock();
    const transport = createControlledTransport();
    const flow = startEnrollment({ mfaToken: "m" }, { transport, clock });
    await settle();
    transport.respond("associate", answers.association());
    await settle();
    expect(children(flow)).toEqual([]);
    expect(clock.live.size).toBe(2);
    clock.clock.increment(5_000);
    await settle();
    expect(children(flow)).toEqual(["verifyOob"]);
    expect(clock.live.size).toBe(1);
    flow.cancel();
    await flow.done;
    expect(clock.live.size).toBe(0);
  });
});

describe("a resumed flow keeps its absolute times", () => {
  it("killed with a poll in flight: polls again one interval after that poll was sent, not at once", async () => {
    const { clock, transport, flow, records } = await pushSent();
    clock.clock.increment(5_000); // the first poll goes out at 5 s and gets no answer
    await settle();
    expect(transport.pending.map((c) => c.method)).toEqual(["verifyOob"]);
    const saved = serializeRecord(records.at(-1) ?? records[0]!);
    flow.actor.stop(); // the process dies

    clock.clock.increment(1_000); // restarted at 6 s
    const later = createControlledTransport();
    const resumed = startChallenge({ mfaToken: "unused" }, { transport: later, clock, record: parseRecord(saved, "challenge", clock.now()) });
    await settle();
    clock.clock.increment(3_999); // 9.999 s: still within one interval of the poll sent at 5 s
    await settle();
    expect(later.calls).toEqual([]);
    clock.clock.increment(1); // 10 s
    await settle();
    expect(later.calls.map((c) => c.method)).toEqual(["verifyOob"]);
    resumed.cancel();
  });

  it("resumed while waiting: waits only what is left of the interval, and keeps the deadline", async () => {
    const { clock, flow, records } = await pushSent();
    const deadlineAt = flow.view().deadlineAt;
    const saved = serializeRecord(records.at(-1)!);
    flow.actor.stop();
    clock.clock.increment(2_000); // the page reloads 2 s into a 5 s wait
    const later = createControlledTransport();
    const resumed = startChallenge({ mfaToken: "unused" }, { transport: later, clock, record: parseRecord(saved, "challenge", clock.now()) });
    await settle();
    expect(resumed.view()).toMatchObject({ state: "challenged.polling", deadlineAt });
    clock.clock.increment(2_999);
    await settle();
    expect(later.calls).toEqual([]);
    clock.clock.increment(1);
    await settle();
    expect(later.calls.map((c) => c.method)).toEqual(["verifyOob"]);
    later.respond("verifyOob", answers.tokens());
    expect(await resumed.done).toMatchObject({ outcome: "approved", method: "push" });
  });
});
