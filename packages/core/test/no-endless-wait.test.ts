import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import { startChallenge, startEnrollment } from "../src/flow.ts";
import { REASONS } from "../src/machines/outcomes.ts";
import { answers, createControlledTransport, settle } from "../src/testing.ts";

/** Every state that waits on the user has a deadline, and the outcome tells the truth. */
describe("no state waits forever", () => {
  it("choosing: the user has the challenge timeout to choose, then the flow ends expired, saying so", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const flow = startChallenge({ mfaToken: "m", timeoutMs: 60_000 }, { transport, clock });
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(2));
    await settle();
    expect(flow.view()).toMatchObject({ state: "choosing", deadlineAt: 60_000 });
    clock.increment(60_000);
    expect(await flow.done).toEqual({ outcome: "expired", reason: REASONS.choiceExpired });
    expect(transport.calls.map((c) => c.method)).toEqual(["listAuthenticators"]);
  });

  it("a push chosen late keeps the flow's deadline: it counts from the start, not from the push", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const flow = startChallenge({ mfaToken: "m", timeoutMs: 60_000 }, { transport, clock });
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(2));
    await settle();
    clock.increment(50_000);
    flow.send({ type: "CHOOSE_AUTHENTICATOR", id: flow.view().choices[1]?.id ?? "" });
    await settle();
    transport.respond("challenge", answers.pushChallenge());
    await settle();
    expect(flow.view()).toMatchObject({ state: "challenged.polling", deadlineAt: 60_000 });
    clock.increment(10_000);
    expect(await flow.done).toEqual({ outcome: "expired", reason: REASONS.challengeExpired });
  });

  async function confirmedWithCodes(acknowledgeRecoveryCodes?: "manual" | "auto") {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const flow = startEnrollment({ mfaToken: "m", ...(acknowledgeRecoveryCodes ? { acknowledgeRecoveryCodes } : {}) }, { transport, clock });
    await settle();
    transport.respond("associate", answers.association(["CODE0CODE0CODE0CODE0CODE"]));
    await settle();
    clock.increment(5_000);
    await settle();
    transport.respond("verifyOob", answers.tokens());
    await settle();
    return { clock, flow };
  }

  it("awaitingAcknowledgement: cancelled after the device confirmed, the outcome is enrolled, not cancelled", async () => {
    const { flow } = await confirmedWithCodes();
    expect(flow.view().state).toBe("awaitingAcknowledgement");
    flow.cancel();
    expect(await flow.done).toMatchObject({ outcome: "enrolled", reason: REASONS.enrolledUnacknowledged, tokens: { accessToken: "test-access-token" } });
  });

  it("awaitingAcknowledgement: past the enrollment window the flow ends enrolled, saying the codes were not acknowledged", async () => {
    const { clock, flow } = await confirmedWithCodes();
    clock.increment(5 * 60_000);
    expect(await flow.done).toMatchObject({ outcome: "enrolled", reason: REASONS.enrolledUnacknowledged });
  });

  it("acknowledged, it ends enrolled with the plain reason", async () => {
    const { flow } = await confirmedWithCodes();
    flow.send({ type: "ACK_RECOVERY_CODES" });
    expect(await flow.done).toMatchObject({ outcome: "enrolled", reason: REASONS.enrolled });
  });

  it("acknowledgeRecoveryCodes: auto ends enrolled as the device confirms: the app printed the codes from their event", async () => {
    const { flow } = await confirmedWithCodes("auto");
    expect(await flow.done).toMatchObject({ outcome: "enrolled", reason: REASONS.enrolled });
  });

  it("refuses an acknowledgeRecoveryCodes that is neither manual nor auto", () => {
    expect(() => startEnrollment({ mfaToken: "m", acknowledgeRecoveryCodes: "yes" as "auto" }, { transport: createControlledTransport() })).toThrow(
      /acknowledgeRecoveryCodes must be "manual" or "auto"/,
    );
  });
});
