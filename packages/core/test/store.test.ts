import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { FlowClock } from "../src/clock.ts";
import { launchChallenge, launchEnrollment } from "../src/launch.ts";
import { allowedEvents, challengeStore, enrollmentStore, keptFlows } from "../src/store.ts";
import type { ChallengeView } from "../src/views.ts";
import { answers, createControlledTransport, settle } from "../src/testing.ts";

const MFA = "SECRET-MFA-TOKEN";

/** The flow's clock, counting the timers the store sets on it. */
function countingClock(inner: SimulatedClock) {
  const counts = { set: 0, live: new Set<unknown>() };
  const clock: FlowClock = {
    now: () => inner.now(),
    setTimeout: (fn, ms) => {
      counts.set++;
      const id = inner.setTimeout(() => {
        counts.live.delete(id);
        fn();
      }, ms);
      counts.live.add(id);
      return id;
    },
    clearTimeout: (id) => {
      counts.live.delete(id);
      if (typeof id === "number") inner.clearTimeout(id);
    },
  };
  return { clock, counts };
}

async function pollingChallenge(input: { resendCooldownMs?: number; timeoutMs?: number } = {}) {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const handle = launchChallenge({ transport, clock, credentials: { mfaToken: MFA }, input });
  const counting = countingClock(clock);
  const store = challengeStore(handle, { clock: counting.clock });
  await settle();
  transport.respond("listAuthenticators", answers.pushAuthenticators(1));
  await settle();
  transport.respond("challenge", answers.pushChallenge("SECRET-OOB"));
  await settle();
  return { clock, transport, handle, store, counts: counting.counts };
}

describe("the view store", () => {
  it("keeps the snapshot's identity until the view changes", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const handle = launchChallenge({ transport, clock, credentials: { mfaToken: MFA } });
    const store = challengeStore(handle, { clock });
    const first = store.getSnapshot();
    expect(first.view).toBeUndefined();
    expect(Object.keys(first.actions)).toEqual(["cancel"]);
    await settle();
    const listing = store.getSnapshot();
    expect(listing).not.toBe(first);
    expect(listing.view?.state).toBe("listing");
    expect(store.getSnapshot()).toBe(listing);
    // An event that does not apply changes no state: the same snapshot.
    handle.send({ type: "RESEND" });
    await settle();
    expect(store.getSnapshot()).toBe(listing);
    transport.respond("listAuthenticators", answers.pushAuthenticators(2));
    await settle();
    expect(store.getSnapshot().view?.state).toBe("choosing");
    expect(store.getSnapshot().view?.choices).toHaveLength(2);
  });

  it("offers only the actions the state allows, and they send the flow's events", async () => {
    const { clock, transport, handle, store } = await pollingChallenge({ resendCooldownMs: 3_000 });
    const stop = store.subscribe(() => {});
    expect(store.getSnapshot().view?.state).toBe("challenged.polling");
    expect(Object.keys(store.getSnapshot().actions).sort()).toEqual(["cancel", "useOtp", "useRecoveryCode"]);
    clock.increment(3_000);
    await settle();
    expect(store.getSnapshot().view?.canResend).toBe(true);
    expect(Object.keys(store.getSnapshot().actions).sort()).toEqual(["cancel", "resend", "useOtp", "useRecoveryCode"]);

    store.getSnapshot().actions.useOtp?.();
    expect(store.getSnapshot().view?.state).toBe("challenged.otpEntry");
    expect(Object.keys(store.getSnapshot().actions).sort()).toEqual(["backToPush", "cancel", "submitOtp", "useRecoveryCode"]);
    store.getSnapshot().actions.submitOtp?.("123456");
    await settle();
    expect(transport.pending.map((c) => c.method)).toContain("verifyOtp");
    transport.respond("verifyOtp", answers.tokens());
    await settle();
    const done = store.getSnapshot();
    expect(done.outcome).toMatchObject({ outcome: "approved", method: "otp" });
    expect(done.actions).toEqual({});
    expect((await handle.outcome).outcome).toBe("approved");
    stop();
  });

  it("counts down the deadline and the resend once a second, only while someone listens", async () => {
    const { clock, store, counts } = await pollingChallenge({ resendCooldownMs: 3_000, timeoutMs: 60_000 });
    expect(store.getSnapshot().secondsLeft).toBe(60);
    expect(store.getSnapshot().resendInSeconds).toBe(3);
    // Nobody listens: no timer, no new snapshot.
    expect(counts.set).toBe(0);
    const before = store.getSnapshot();
    clock.increment(1_000);
    expect(store.getSnapshot()).toBe(before);
    expect(counts.set).toBe(0);

    const seen: [number | undefined, number | undefined][] = [];
    const stop = store.subscribe(() => seen.push([store.getSnapshot().secondsLeft, store.getSnapshot().resendInSeconds]));
    // Catching up on subscribe: a second went by unheard.
    expect(seen).toEqual([[59, 2]]);
    clock.increment(999);
    expect(seen).toHaveLength(1);
    clock.increment(1);
    clock.increment(1_000);
    expect(seen).toEqual([[59, 2], [58, 1], [57, 0]]);
    clock.increment(1_000);
    expect(seen.at(-1)).toEqual([56, 0]);
    expect(counts.live.size).toBe(1);

    stop();
    expect(counts.live.size).toBe(0);
    const calls = seen.length;
    const timers = counts.set;
    clock.increment(3_000);
    await settle();
    expect(seen).toHaveLength(calls);
    expect(counts.set).toBe(timers);
  });

  it("gives the outcome of a flow that ended before the store was made", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const handle = launchChallenge({ transport, clock, credentials: { mfaToken: MFA } });
    await settle();
    transport.respond("listAuthenticators", answers.pushAuthenticators(0));
    await handle.outcome;
    const store = challengeStore(handle, { clock });
    await settle();
    expect(store.getSnapshot().outcome?.outcome).toBe("not_enrolled");
    expect(store.getSnapshot().actions).toEqual({});
  });

  it("shows an enrollment's QR and its recovery codes only until they are acknowledged", async () => {
    const clock = new SimulatedClock();
    const transport = createControlledTransport();
    const handle = launchEnrollment({ transport, clock, credentials: { mfaToken: MFA } });
    const store = enrollmentStore(handle, { clock });
    const heard: unknown[] = [];
    store.subscribe(() => heard.push(store.getSnapshot()));
    await settle();
    transport.respond("associate", answers.association(["SECRET-RECOVERY-CODE"]));
    await settle();
    const shown = store.getSnapshot();
    expect(shown.view?.state).toBe("awaitingDevice");
    expect(shown.qr?.barcodeUri).toMatch(/^otpauth:/);
    expect(shown.recoveryCodes).toEqual(["SECRET-RECOVERY-CODE"]);
    expect(shown.secondsLeft).toBe(300);
    expect(Object.keys(shown.actions).sort()).toEqual(["acknowledgeRecoveryCodes", "cancel"]);
    shown.actions.acknowledgeRecoveryCodes?.();
    expect(store.getSnapshot().recoveryCodes).toBeUndefined();
    expect(Object.keys(store.getSnapshot().actions)).toEqual(["cancel"]);
    store.getSnapshot().actions.cancel?.();
    await handle.outcome;
    await settle();
    expect(store.getSnapshot()).toMatchObject({ outcome: { outcome: "cancelled" }, qr: undefined, actions: {} });
    expect(heard.length).toBeGreaterThan(3);

    store.dispose();
  });

  it("derives the allowed events from the machine, for a state relayed by a newer version too", () => {
    const base = { done: false, outcome: undefined, attempt: 0, intervalMs: 5_000, nextPollAt: undefined, deadlineAt: undefined };
    const challenge = { ...base, flow: "challenge" as const, choices: [], authenticatorId: undefined, canResend: false, resendAvailableAt: undefined, codeError: undefined };
    expect(allowedEvents({ ...challenge, state: "choosing" })).toEqual(["CANCEL", "CHOOSE_AUTHENTICATOR"]);
    expect(allowedEvents({ ...challenge, state: "challenged.recoveryEntry" })).toEqual(["CANCEL", "USE_OTP", "SUBMIT_RECOVERY_CODE", "BACK_TO_PUSH"]);
    expect(allowedEvents({ ...challenge, state: "challenged.verifyingOtp" })).toEqual(["CANCEL"]);
    expect(allowedEvents({ ...challenge, state: "challenged.polling", canResend: true })).toEqual(["CANCEL", "RESEND", "USE_OTP", "USE_RECOVERY_CODE"]);
    const enrollment = { ...base, flow: "enroll" as const, hasQr: true, expiresAt: undefined, recoveryCodesPending: true };
    expect(allowedEvents({ ...enrollment, state: "awaitingAcknowledgement" })).toEqual(["CANCEL", "ACK_RECOVERY_CODES"]);
    expect(allowedEvents({ ...enrollment, state: "awaitingDevice", recoveryCodesPending: false })).toEqual(["CANCEL"]);
    expect(allowedEvents({ ...enrollment, state: "enrolled", done: true })).toEqual([]);
    // A view from another tab running a newer pushflow, with a state this one does not know.
    const unknown: ChallengeView = JSON.parse(JSON.stringify({ ...challenge, state: "somethingNew" }));
    expect(allowedEvents(unknown)).toEqual(["CANCEL"]);
  });

  it("keeps a flow for the next UI on the same key, until the flow ends", async () => {
    const { handle, store, transport } = await pollingChallenge();
    const kept = keptFlows<ReturnType<typeof store.getSnapshot>>();
    const flow = { store, cancel: () => handle.cancel(), ended: handle.outcome };
    kept.keep("pushflow:challenge", flow);
    expect(kept.take("pushflow:other")).toBeUndefined();
    expect(kept.take("pushflow:challenge")).toBe(flow);
    expect(kept.take("pushflow:challenge")).toBeUndefined();

    kept.keep("pushflow:challenge", flow);
    handle.cancel();
    await handle.outcome;
    await settle();
    expect(kept.take("pushflow:challenge")).toBeUndefined();
    // Disposed with the flow: a late event no longer reaches it.
    const last = store.getSnapshot();
    handle.events.emit("state", { type: "state", view: { ...challengeViewOf(last), attempt: 99 } });
    expect(store.getSnapshot()).toBe(last);
    expect(transport.pending).toEqual([]);
  });
});

function challengeViewOf(snapshot: { view: ChallengeView | undefined }): ChallengeView {
  if (!snapshot.view) throw new Error("no view");
  return snapshot.view;
}
