import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { ResumeEmitted } from "../src/machines/events.types.ts";
import { startChallenge, startEnrollment } from "../src/flow.ts";
import { parseRecord, serializeRecord, type FlowKind, type FlowRecord } from "../src/persistence.ts";
import { answers, createControlledTransport, settle } from "../src/testing.ts";
import { challengeWaitingForPoll } from "./helpers.ts";

/**
 * What a resume does for each request that can be in flight when the process dies, the page
 * reloads or a tab takes over (docs/concepts/persistence.md): the record of the state that sent
 * it landed before it went out, so the resumed flow knows, and never repeats a push or an
 * enrollment without saying so.
 */

/** Saves that land only when the test says: the store is slow, or the process dies first. */
function slowStore() {
  const landed: FlowRecord[] = [];
  const waiting: (() => void)[] = [];
  return {
    landed,
    persist: (record: FlowRecord | null) =>
      new Promise<void>((resolve) =>
        waiting.push(() => {
          if (record) landed.push(record);
          resolve();
        }),
      ),
    /** Lets every save made so far land. */
    async flush() {
      await settle();
      while (waiting.length > 0) {
        waiting.shift()?.();
        await settle();
      }
    },
  };
}

const last = (records: FlowRecord[], kind: FlowKind, now: number) => {
  const record = records.at(-1);
  if (!record) throw new Error("nothing was saved");
  return parseRecord(serializeRecord(record), kind, now);
};

async function resumeChallenge(records: FlowRecord[], clock: SimulatedClock) {
  const transport = createControlledTransport();
  const resumes: ResumeEmitted[] = [];
  const flow = startChallenge({ mfaToken: "unused" }, { transport, clock, record: last(records, "challenge", clock.now()) });
  flow.events.on("resume", (event) => resumes.push(event));
  await settle();
  return { transport, flow, resumes };
}

describe("a request goes out only once the record of the state that sends it has landed", () => {
  it("a poll waits for its save", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const store = slowStore();
    const flow = startChallenge({ mfaToken: "m" }, { transport, clock, persist: store.persist });
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(1));
    await store.flush();
    transport.respond("challenge", answers.pushChallenge());
    await store.flush();
    clock.increment(5_000);
    await settle();
    expect(transport.pending).toEqual([]); // the poll's record has not landed yet
    await store.flush();
    expect(transport.pending.map((c) => c.method)).toEqual(["verifyOob"]);
    flow.cancel();
  });
});

describe("resuming with each request in flight", () => {
  it("list: a new flow saves nothing before its first push, so it starts again from the list", async () => {
    const records: FlowRecord[] = [];
    const transport = createControlledTransport();
    const flow = startChallenge({ mfaToken: "m" }, { transport, clock: new SimulatedClock(), persist: (r) => void (r && records.push(r)) });
    await settle();
    expect(transport.pending.map((c) => c.method)).toEqual(["listAuthenticators"]);
    expect(records).toEqual([]);
    flow.actor.stop();
  });

  it("challenge: requested again after a resume, with a resume event that says a second push goes out", async () => {
    const clock = new SimulatedClock();
    const records: FlowRecord[] = [];
    const transport = createControlledTransport();
    const flow = startChallenge({ mfaToken: "m" }, { transport, clock, persist: (r) => void (r && records.push(r)) });
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(1));
    await settle();
    expect(transport.pending.map((c) => c.method)).toEqual(["challenge"]);
    expect(records.at(-1)?.at).toBe("challenging");
    flow.actor.stop(); // the push may have reached the phone; its oob_code is lost

    const resumed = await resumeChallenge(records, clock);
    expect(resumed.resumes).toEqual([{ type: "resume", at: "challenging", repeats: "challenge" }]);
    expect(resumed.transport.calls.map((c) => c.method)).toEqual(["challenge"]);
    resumed.transport.respond("challenge", answers.pushChallenge("second-oob"));
    await settle();
    expect(resumed.flow.view().state).toBe("challenged.polling");
    resumed.flow.cancel();
  });

  it("poll: the resumed flow polls the same oob_code one interval after the poll in flight, and says where it resumed", async () => {
    const clock = new SimulatedClock();
    const { transport, flow, records } = await challengeWaitingForPoll(clock, "first-oob");
    clock.increment(5_000);
    await settle();
    expect(transport.pending.map((c) => c.method)).toEqual(["verifyOob"]);
    flow.actor.stop();

    const resumed = await resumeChallenge(records, clock);
    expect(resumed.resumes).toEqual([{ type: "resume", at: "polling" }]);
    clock.increment(4_999);
    await settle();
    expect(resumed.transport.calls).toEqual([]);
    clock.increment(1);
    await settle();
    expect(resumed.transport.calls).toEqual([{ method: "verifyOob", request: { mfaToken: "m", oobCode: "first-oob" } }]);
    resumed.flow.cancel();
  });

  for (const [screen, event, method, submit] of [
    ["otpEntry", "USE_OTP", "verifyOtp", { type: "SUBMIT_OTP", otp: "123456" }],
    ["recoveryEntry", "USE_RECOVERY_CODE", "verifyRecoveryCode", { type: "SUBMIT_RECOVERY_CODE", code: "ABCDEFGHJKLMNPQRSTUVWXYZ" }],
  ] as const) {
    it(`${method}: the resumed flow is back on ${screen}, sends nothing, and takes the code again`, async () => {
      const clock = new SimulatedClock();
      const { transport, flow, records } = await challengeWaitingForPoll(clock);
      flow.send({ type: event });
      flow.send(submit);
      await settle();
      expect(transport.pending.map((c) => c.method)).toEqual([method]);
      flow.actor.stop();

      const resumed = await resumeChallenge(records, clock);
      expect(resumed.resumes).toEqual([{ type: "resume", at: screen }]);
      expect(resumed.flow.view().state).toBe(`challenged.${screen}`);
      expect(resumed.transport.calls).toEqual([]);
      resumed.flow.send(submit);
      await settle();
      expect(resumed.transport.calls.map((c) => c.method)).toEqual([method]);
      resumed.flow.cancel();
    });
  }

  it("associate: requested again after a resume, with a resume event that says a new QR replaces the first", async () => {
    const clock = new SimulatedClock();
    const records: FlowRecord[] = [];
    const transport = createControlledTransport();
    const flow = startEnrollment({ mfaToken: "m" }, { transport, clock, persist: (r) => void (r && records.push(r)) });
    await settle();
    expect(transport.pending.map((c) => c.method)).toEqual(["associate"]);
    expect(records.at(-1)?.at).toBe("associating");
    flow.actor.stop();

    const later = createControlledTransport();
    const resumes: ResumeEmitted[] = [];
    const resumed = startEnrollment({ mfaToken: "unused" }, { transport: later, clock, record: last(records, "enroll", clock.now()) });
    resumed.events.on("resume", (e) => resumes.push(e));
    await settle();
    expect(resumes).toEqual([{ type: "resume", at: "associating", repeats: "associate" }]);
    expect(later.calls.map((c) => c.method)).toEqual(["associate"]);
    resumed.cancel();
  });
});
