import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { ErrorCode } from "../src/errors.ts";
import { startEnrollment } from "../src/flow.ts";
import { REASONS } from "../src/machines/outcomes.ts";
import { answers, createControlledTransport, fail, settle } from "../src/testing.ts";
import type { Result } from "../src/transport.ts";
import { challengeWaitingForPoll } from "./helpers.ts";

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

  it("enrollment: after a timeout, the outcome says the enrollment may have been confirmed", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const flow = startEnrollment({ mfaToken: "m" }, { transport, clock });
    await settle();
    transport.respond("associate", answers.association());
    await settle();
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
    const transport = createControlledTransport();
    const flow = startEnrollment({ mfaToken: "m" }, { transport, clock });
    await settle();
    transport.respond("associate", answers.association());
    await settle();
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
