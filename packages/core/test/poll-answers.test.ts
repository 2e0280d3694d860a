import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { ErrorCode } from "../src/errors.ts";
import { startChallenge } from "../src/flow.ts";
import { REASONS } from "../src/machines/outcomes.ts";
import { answers, createControlledTransport, fail, settle } from "../src/testing.ts";
import type { Result } from "../src/transport.ts";
import { challengeWaitingForPoll, enrollmentWaitingForPoll } from "./helpers.ts";

/** What transport-fetch and transport-mock make of Auth0's answer to a used (or unknown) oob_code. */
const invalidOobCode = () =>
  fail("invalid_request", { status: 403, error: "invalid_grant", message: "verify oob failed: POST /oauth/token → 403 invalid_grant: Invalid oob_code." });

const polls = (transport: { calls: readonly { method: string }[] }) => transport.calls.filter((c) => c.method === "verifyOob").length;

/** Lets the clock reach `ms` after the start, in one step, and the flow react. */
async function advanceTo(clock: SimulatedClock, ms: number) {
  clock.increment(ms - clock.now());
  await settle();
}

describe("a lost approval (issue 16): the poll after a lost answer is told the oob_code is invalid", () => {
  it.each<ErrorCode>(["timeout", "network", "server_error"])("challenge: after a %s, the outcome says what happened and what to do", async (lost) => {
    const clock = new SimulatedClock();
    const { transport, flow } = await challengeWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    // Auth0 issued the tokens, but the answer never reached us.
    transport.respond("verifyOob", fail(lost));
    await settle();
    clock.increment(60_000);
    await settle();
    expect(polls(transport)).toBe(2);
    transport.respond("verifyOob", invalidOobCode());
    const output = await flow.done;
    expect(output).toMatchObject({ outcome: "failed", error: { code: "invalid_request", status: 403, error: "invalid_grant" } });
    expect(output.reason).toBe(`${REASONS.pushAnswerLost} (verify oob failed: POST /oauth/token → 403 invalid_grant: Invalid oob_code.)`);
    expect(output.reason).toMatch(/may have been answered while the connection dropped.*Sign in again/);
  });

  it("challenge: an invalid oob_code with no lost answer before keeps the server's words", async () => {
    const clock = new SimulatedClock();
    const { transport, flow } = await challengeWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", answers.pending());
    await settle();
    await advanceTo(clock, 10_000);
    transport.respond("verifyOob", invalidOobCode());
    expect(await flow.done).toMatchObject({ outcome: "failed", reason: "verify oob failed: POST /oauth/token → 403 invalid_grant: Invalid oob_code." });
  });

  it("challenge: a lost answer of the previous push does not count once a new push is sent", async () => {
    const clock = new SimulatedClock();
    const { transport, flow } = await challengeWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", fail("timeout"));
    await settle();
    await advanceTo(clock, 10_000);
    transport.respond("verifyOob", fail("timeout"));
    await settle();
    // The resend cooldown (12 s) is over: a new push, with a new oob_code.
    await advanceTo(clock, 12_500);
    expect(flow.view()).toMatchObject({ canResend: true });
    flow.send({ type: "RESEND" });
    await settle();
    transport.respond("challenge", answers.pushChallenge("second-oob"));
    await settle();
    await advanceTo(clock, 60_000);
    transport.respond("verifyOob", invalidOobCode());
    const output = await flow.done;
    expect(output.outcome).toBe("failed");
    expect(output.reason).not.toContain(REASONS.pushAnswerLost);
  });

  // Answers that turn the poll away (too fast, rate limited) say nothing of the push: the lost answer may still have been the tokens.
  it.each<[string, Result<never>]>([
    ["slow_down", answers.slowDown()],
    ["a 429 (rate_limited)", fail("rate_limited", { status: 429, retryAfterMs: 10_000 })],
    ["a 429 authorization_pending", fail("authorization_pending", { status: 429, retryAfterMs: 10_000 })],
  ])("challenge: after a lost answer then %s, an invalid oob_code still says the approval may have been lost", async (_, between) => {
    const clock = new SimulatedClock();
    const { transport, flow } = await challengeWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", fail("timeout"));
    await settle();
    clock.increment(60_000);
    await settle();
    transport.respond("verifyOob", between);
    await settle();
    clock.increment(60_000);
    await settle();
    expect(polls(transport)).toBe(3);
    transport.respond("verifyOob", invalidOobCode());
    const output = await flow.done;
    expect(output).toMatchObject({ outcome: "failed", error: { code: "invalid_request" } });
    expect(output.reason.startsWith(REASONS.pushAnswerLost)).toBe(true);
  });

  it("challenge: a pending answer after the lost one proves that one was not the tokens: an invalid oob_code then keeps the server's words", async () => {
    const clock = new SimulatedClock();
    const { transport, flow } = await challengeWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", fail("network"));
    await settle();
    clock.increment(60_000);
    await settle();
    // The server still waits for the push on this oob_code: no poll was answered with its tokens.
    transport.respond("verifyOob", answers.pending());
    await settle();
    clock.increment(60_000);
    await settle();
    expect(polls(transport)).toBe(3);
    transport.respond("verifyOob", invalidOobCode());
    expect(await flow.done).toMatchObject({ outcome: "failed", reason: "verify oob failed: POST /oauth/token → 403 invalid_grant: Invalid oob_code." });
  });

  it("challenge resumed after a lost answer (lastWait saved, as @pushflow/server marks an abandoned step): slow_down keeps the marker", async () => {
    const clock = new SimulatedClock();
    const first = await challengeWaitingForPoll(clock);
    await advanceTo(clock, 1_000);
    const saved = first.records.at(-1);
    if (!saved) throw new Error("the challenge saved no record");
    first.flow.cancel();
    await first.flow.done;
    const transport = createControlledTransport();
    const record = { ...saved, context: Object.assign({}, saved.context, { lastWait: "network", retries: 1 }) };
    const flow = startChallenge({ mfaToken: "" }, { transport, clock, record });
    await settle();
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", answers.slowDown());
    await settle();
    clock.increment(60_000);
    await settle();
    expect(polls(transport)).toBe(2);
    transport.respond("verifyOob", invalidOobCode());
    const output = await flow.done;
    expect(output.reason.startsWith(REASONS.pushAnswerLost)).toBe(true);
  });

  it("enrollment: after a lost answer then slow_down, an invalid oob_code still says the enrollment may have been confirmed", async () => {
    const clock = new SimulatedClock();
    const { transport, flow } = await enrollmentWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", fail("server_error", { status: 503 }));
    await settle();
    await advanceTo(clock, 60_000);
    transport.respond("verifyOob", answers.slowDown());
    await settle();
    await advanceTo(clock, 120_000);
    expect(polls(transport)).toBe(3);
    transport.respond("verifyOob", invalidOobCode());
    const output = await flow.done;
    expect(output.reason.startsWith(REASONS.enrollmentAnswerLost)).toBe(true);
  });

  it("enrollment: after a timeout, the outcome says the enrollment may have been confirmed", async () => {
    const clock = new SimulatedClock();
    const { transport, flow } = await enrollmentWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", fail("timeout"));
    await settle();
    await advanceTo(clock, 60_000);
    transport.respond("verifyOob", invalidOobCode());
    const output = await flow.done;
    expect(output).toMatchObject({ outcome: "failed", error: { code: "invalid_request" } });
    expect(output.reason.startsWith(REASONS.enrollmentAnswerLost)).toBe(true);
    expect(output.reason).toMatch(/Sign in again/);
  });
});

describe("a 429 is a rate limit whatever its body (issue 16): its wait is honoured", () => {
  // transport-fetch reads a 429 authorization_pending as rate_limited; another transport may pass it on as is.
  const cases: [string, Result<never>][] = [
    ["rate_limited (transport-fetch's reading of a 429 authorization_pending)", fail("rate_limited", { status: 429, error: "authorization_pending", retryAfterMs: 30_000 })],
    ["authorization_pending with a wait", fail("authorization_pending", { status: 429, retryAfterMs: 30_000 })],
    ["server_error with a wait (503)", fail("server_error", { status: 503, retryAfterMs: 30_000 })],
  ];

  it.each(cases)("challenge, %s + Retry-After 30: the next poll no sooner than 30 s later", async (_, answer) => {
    const clock = new SimulatedClock();
    const { transport, flow } = await challengeWaitingForPoll(clock);
    const nextPollAt: number[] = [];
    flow.events.on("poll", (e) => nextPollAt.push(e.nextPollAt));
    await advanceTo(clock, 5_000);
    expect(polls(transport)).toBe(1);
    transport.respond("verifyOob", answer);
    await settle();
    expect(nextPollAt).toEqual([35_000]);
    // The resend cooldown ends at 17 s on the way: it wakes the flow, and sends nothing.
    await advanceTo(clock, 34_999);
    expect(polls(transport)).toBe(1);
    await advanceTo(clock, 35_000);
    expect(polls(transport)).toBe(2);
    transport.respond("verifyOob", answers.tokens());
    expect((await flow.done).outcome).toBe("approved");
  });

  it("enrollment, 429 authorization_pending + Retry-After 30: the next poll no sooner than 30 s later", async () => {
    const clock = new SimulatedClock();
    const { transport, flow } = await enrollmentWaitingForPoll(clock);
    await advanceTo(clock, 5_000);
    transport.respond("verifyOob", fail("authorization_pending", { status: 429, retryAfterMs: 30_000 }));
    await settle();
    await advanceTo(clock, 34_999);
    expect(polls(transport)).toBe(1);
    await advanceTo(clock, 35_000);
    expect(polls(transport)).toBe(2);
    flow.cancel();
    await flow.done;
  });
});
