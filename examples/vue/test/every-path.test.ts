/**
 * The Vue screen through every generated path of the challenge machine: each step is replayed
 * through core's store and `useChallengeStore` in a component rendered on the server, and must
 * show the screen its state calls for, with the buttons of the actions it allows.
 */
import { createSSRApp, defineComponent, h } from "vue";
import { renderToString } from "vue/server-renderer";
import { describe, expect, it } from "vitest";
import { CHALLENGE_OUTCOMES, challengeMachine, challengeStore, type ChallengeStoreSnapshot, type ViewStore } from "@pushflow/core";
import { getModelPaths, replayChallenge, SimulatedClock } from "@pushflow/core/testing";
import { useChallengeStore } from "@pushflow/vue";
import { ChallengeScreen } from "../src/challenge-screen.ts";

const SCREENS: Record<string, string> = {
  listing: "Looking up your devices",
  retryingList: "Can't reach the server",
  choosing: "Choose a device",
  challenging: "Sending a notification",
  retryingChallenge: "Can't reach the server",
  "challenged.polling": "Check your phone",
  "challenged.resending": "Sending another notification",
  "challenged.otpEntry": "Enter the code from the Guardian app",
  "challenged.verifyingOtp": "Checking your code",
  "challenged.recoveryEntry": "Enter a recovery code",
  "challenged.verifyingRecoveryCode": "Checking your code",
};

const Live = defineComponent({
  props: { store: { type: Object as () => ViewStore<ChallengeStoreSnapshot>, required: true } },
  setup(props) {
    const { snapshot } = useChallengeStore(props.store);
    return () => h(ChallengeScreen, { snapshot: snapshot.value });
  },
});

const base = { mfaToken: "test-mfa-token", maxRetries: 1, timeoutMs: 1_000_000 };
const shown = new Set<string>();

describe("the Vue challenge screen, through every generated path", () => {
  for (const input of [{ ...base, resendCooldownMs: 100_000 }, { ...base, resendCooldownMs: 1_000 }]) {
    it(`shows each state's screen (resend cooldown ${input.resendCooldownMs} ms)`, async () => {
      const seen = new Set<string>();
      for (const path of getModelPaths(challengeMachine, { input })) {
        const replay = replayChallenge();
        const store = challengeStore(replay.source, { clock: new SimulatedClock() });
        for (const { event, state } of path.steps) {
          const id = JSON.stringify(state);
          if (seen.has(id)) continue;
          seen.add(id);
          const snapshot = replay.show(state);
          const html = await renderToString(createSSRApp(Live, { store }));
          const where = `${path.description}: after ${event.type}`;
          expect(html, where).not.toContain("test-mfa-token");
          if (snapshot.status === "done") {
            const outcome = store.getSnapshot().outcome;
            expect(html, where).toContain(outcome?.outcome === "approved" ? "You&#39;re signed in" : "Sign-in ended");
            shown.add(`outcome ${outcome?.outcome}`);
            continue;
          }
          const view = store.getSnapshot().view;
          const title = SCREENS[view?.state ?? ""];
          expect(title, `no screen for ${view?.state}`).toBeDefined();
          expect(html.replace(/&#39;/g, "'"), where).toContain(title);
          expect(html.includes(">Resend notification<"), where).toBe(view?.canResend === true);
          shown.add(view?.state ?? "");
        }
      }
    });
  }

  it("showed every state and every outcome", () => {
    expect([...shown].filter((s) => !s.startsWith("outcome")).sort()).toEqual(Object.keys(SCREENS).sort());
    expect([...shown].filter((s) => s.startsWith("outcome ")).map((s) => s.slice("outcome ".length)).sort()).toEqual([...CHALLENGE_OUTCOMES].sort());
  });
});
