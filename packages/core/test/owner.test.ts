import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import { launchChallenge } from "../src/launch.ts";
import { MemoryFlowStore } from "../src/persistence.ts";
import { answers, createControlledTransport, settle } from "../src/testing.ts";

/** A flow saved and left waiting for its next poll, as a process killed mid-flow leaves it. */
async function savedFlow() {
  const clock = new SimulatedClock();
  const store = new MemoryFlowStore(() => clock.now());
  const transport = createControlledTransport();
  const first = launchChallenge({ transport, clock, store, credentials: { mfaToken: "m" } });
  await settle();
  transport.respond("listAuthenticators", answers.pushAuthenticators(1));
  await settle();
  transport.respond("challenge", answers.pushChallenge());
  await settle();
  const flow = await first.started;
  flow?.actor.stop(); // the process dies; its record stays
  return { clock, store };
}

describe("one owner per saved flow", () => {
  it("two processes resume the same record at once: one polls, the other ends at once, naming why, having sent nothing", async () => {
    const { clock, store } = await savedFlow();
    const [ta, tb] = [createControlledTransport(), createControlledTransport()];
    const a = launchChallenge({ transport: ta, clock, store });
    const b = launchChallenge({ transport: tb, clock, store });
    const loser = await Promise.race([a.outcome.then(() => "a"), b.outcome.then(() => "b")]);
    const lost = loser === "a" ? a : b;
    const winner = loser === "a" ? { handle: b, transport: tb } : { handle: a, transport: ta };
    expect(await lost.outcome).toMatchObject({ outcome: "failed", error: { code: "conflict" }, reason: expect.stringMatching(/taken over by another/) });
    clock.increment(5_000);
    await settle();
    expect([...ta.calls, ...tb.calls].map((c) => c.method)).toEqual(["verifyOob"]);
    winner.transport.respond("verifyOob", answers.tokens());
    expect(await winner.handle.outcome).toMatchObject({ outcome: "approved" });
    expect(store.keys()).toEqual([]);
  });

  it("a later process takes over: the earlier one stops before its next request and leaves the record alone", async () => {
    const { clock, store } = await savedFlow();
    const [ta, tb] = [createControlledTransport(), createControlledTransport()];
    const a = launchChallenge({ transport: ta, clock, store });
    await a.started;
    await settle();
    const b = launchChallenge({ transport: tb, clock, store });
    await b.started;
    await settle();
    clock.increment(5_000);
    await settle();
    expect(await a.outcome).toMatchObject({ outcome: "failed", error: { code: "conflict" } });
    expect(ta.calls).toEqual([]);
    expect(tb.calls.map((c) => c.method)).toEqual(["verifyOob"]);
    expect(store.keys()).toEqual(["pushflow:challenge"]); // b's record, not deleted by a
    b.cancel();
    expect(await b.outcome).toMatchObject({ outcome: "cancelled" });
  });

  it("two new flows on one key: the second to save ends with conflict before it challenges", async () => {
    const clock = new SimulatedClock();
    const store = new MemoryFlowStore(() => clock.now());
    const [ta, tb] = [createControlledTransport(), createControlledTransport()];
    const a = launchChallenge({ transport: ta, clock, store, credentials: { mfaToken: "m" } });
    const b = launchChallenge({ transport: tb, clock, store, credentials: { mfaToken: "m" } });
    await settle();
    ta.respond("listAuthenticators", answers.pushAuthenticators(1));
    tb.respond("listAuthenticators", answers.pushAuthenticators(1));
    await settle();
    const challenged = [ta, tb].filter((t) => t.calls.some((c) => c.method === "challenge"));
    expect(challenged).toHaveLength(1);
    const loser = challenged[0] === ta ? b : a;
    expect(await loser.outcome).toMatchObject({ outcome: "failed", error: { code: "conflict" } });
    (challenged[0] === ta ? a : b).cancel();
  });
});
