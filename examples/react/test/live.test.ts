/**
 * The same screen on a running flow: @pushflow/browser's `challenge` over a scripted transport
 * and a simulated clock, rendered through core's store and `useChallengeStore` at each step.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { challenge } from "@pushflow/browser";
import { challengeStore, type ChallengeStoreSnapshot, type ViewStore } from "@pushflow/core";
import { settle, SimulatedClock } from "@pushflow/core/testing";
import { createScriptedTransport } from "@pushflow/transport-mock";
import { ChallengePage, LiveChallenge } from "../src/live-challenge.tsx";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ").trim();
const screen = (store: ViewStore<ChallengeStoreSnapshot>) => text(renderToStaticMarkup(createElement(LiveChallenge, { store })));

function start(script: Parameters<typeof createScriptedTransport>[0]) {
  const clock = new SimulatedClock();
  const transport = createScriptedTransport(script, { clock });
  // No sessionStorage, no tab coordination, no visibility pause: this runs in Node.
  const handle = challenge({ transport, clock, mfaToken: "Fe26.2*mock*mfa-token-0", store: false, shareAcrossTabs: false, pauseWhenHidden: false });
  return { clock, handle, flow: challengeStore(handle, { clock }) };
}

describe("the screen on a running flow", () => {
  it("waits for the phone, then shows the approval", async () => {
    const { clock, handle, flow } = start({ listAuthenticators: "ok", challenge: "ok", verifyOob: "pending, approve" });
    // On the server `useChallenge` starts nothing: the page shows the sign-in.
    expect(text(renderToStaticMarkup(createElement(ChallengePage, { options: { domain: "tenant.auth0.com", clientId: "c", mfaToken: "t" } })))).toBe("Signing in…");
    expect(screen(flow)).toBe("Signing in…");
    await settle();
    expect(screen(flow)).toContain("Check your phone Approve the notification we sent to Pushflow Virtual Device.");
    expect(screen(flow)).toContain("Resend available in 12 s");

    clock.increment(5_000); // first poll: pending
    await settle();
    expect(screen(flow)).toContain("Check your phone");
    clock.increment(5_000); // second poll: approved
    await settle();
    expect((await handle.outcome).outcome).toBe("approved");
    expect(screen(flow)).toBe("You're signed in Signed in approved on your phone. Taking you to the app…");
  });

  it("falls back to a one-time code: a wrong one is refused on screen, the right one signs in", async () => {
    const { flow } = start({ listAuthenticators: "ok", challenge: "ok", verifyOob: "pending×10", verifyOtp: "wrong-code, ok" });
    await settle();
    flow.getSnapshot().actions.useOtp?.();
    expect(screen(flow)).toContain("Enter the code from the Guardian app");
    flow.getSnapshot().actions.submitOtp?.("000000");
    await settle();
    expect(screen(flow)).toContain("That code is not valid.");
    flow.getSnapshot().actions.submitOtp?.("123456");
    await settle();
    expect(screen(flow)).toBe("You're signed in Signed in with a one-time code. Taking you to the app…");
  });

  it("shows the new recovery code once a recovery code was used, and never a token", async () => {
    const { handle, flow } = start({ listAuthenticators: "ok", challenge: "ok", verifyOob: "pending×10", verifyRecoveryCode: "ok" });
    await settle();
    flow.getSnapshot().actions.useRecoveryCode?.();
    flow.getSnapshot().actions.submitRecoveryCode?.("ABCDEFGHJKLMNPQRSTUVWXYZ");
    await settle();
    const done = await handle.outcome;
    const newCode = done.outcome === "approved" ? done.newRecoveryCode : undefined;
    expect(newCode).toMatch(/^NEWRECOVERY/);
    const shown = screen(flow);
    expect(shown).toContain(newCode);
    expect(shown).not.toContain("mock-access-token");
    expect(shown).not.toContain("mfa-token");
  });

  it("ends on the outcome screen when the user has no push device", async () => {
    const { flow } = start({ listAuthenticators: "empty" });
    await settle();
    expect(screen(flow)).toContain("No phone is set up for push");
  });
});
