/**
 * The screen, tested through every path of the challenge machine: core's test kit generates the
 * paths (the shortest way to every state, then every transition out of it); each snapshot on
 * each path is rendered on the server and must show the screen that state calls for.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CHALLENGE_OUTCOMES, challengeMachine, challengeStore, type ChallengeOutput } from "@pushflow/core";
import { getModelPaths, replayChallenge, SimulatedClock, type PathSnapshot } from "@pushflow/core/testing";
import { LiveChallenge } from "../src/live-challenge.tsx";

// Retries bounded, so that the graph stays small. The graph tells states apart by what the guards
// read, not by the time, so it never counts polls: a resend cooldown longer than the poll interval
// never ends on a path, one shorter ends before the first poll. Both are walked, as core's model test does.
const base = { mfaToken: "test-mfa-token", maxRetries: 1, timeoutMs: 1_000_000 };
const inputs = { "long cooldown": { ...base, resendCooldownMs: 100_000 }, "short cooldown": { ...base, resendCooldownMs: 1_000 } };
/** What each state must show: the words a person reads first. */
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
  "challenged.verifyingRecoveryCode": "Checking your recovery code",
  approved: "You're signed in",
  rejected: "Sign-in denied on your phone",
  expired: "The notification expired",
  not_enrolled: "No phone is set up for push",
  mfa_required: "Another verification is needed",
  mfa_token_invalid: "Your sign-in session expired",
  misconfigured: "Push sign-in is not available",
  rate_limited: "Too many attempts",
  locked_out: "Too many wrong codes",
  cancelled: "Sign-in cancelled",
  failed: "Something went wrong",
};

/** Values the screen must never show (the test kit's samples): tokens, mfa_tokens, oob_codes. */
const SECRETS = ["test-mfa-token", "new-mfa-token", "test-challenge-oob", "test-access-token", "test-id-token"];

/**
 * A screen on a replayed flow: each step's snapshot goes through core's store and `useChallengeStore`,
 * exactly what `useChallenge` gives an app. The clock stands at the paths' start, before any deadline.
 */
function screenOf() {
  const replay = replayChallenge();
  const store = challengeStore(replay.source, { clock: new SimulatedClock() });
  return (state: PathSnapshot) => {
    const snapshot = replay.show(state);
    const html = renderToStaticMarkup(createElement(LiveChallenge, { store }));
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");
    const output = snapshot.status === "done" ? snapshot.output : undefined;
    return { html, text, key: output?.outcome ?? store.getSnapshot().view?.state ?? "", view: store.getSnapshot().view, output };
  };
}

const rendered = new Set<string>();
/** Variants of a screen the paths must reach too (not only its state). */
const variants = new Set<string>();

describe("the challenge screen, through every generated path", () => {
  for (const [name, input] of Object.entries(inputs)) {
    it(`shows the right screen for each state on the paths (${name})`, () => {
      const paths = getModelPaths(challengeMachine, { input });
      expect(paths.length).toBeGreaterThan(50);
      // A snapshot met on many paths is rendered once: the screen depends on it alone.
      const seen = new Set<string>();
      for (const path of paths) {
        const render = screenOf();
        for (const { event, state } of path.steps) {
          const id = JSON.stringify(state);
          if (seen.has(id)) continue;
          seen.add(id);
          const { html, text, key, view, output } = render(state);
          rendered.add(key);
          const where = `${path.description}: after ${event.type} in ${key}`;
          expect(SCREENS[key], `no expected screen for ${key}`).toBeDefined();
          expect(text, where).toContain(SCREENS[key]);
          for (const secret of SECRETS) expect(html, `${where}: a secret on screen`).not.toContain(secret);

          if (key === "challenged.polling" && view) {
            // The resend button is always there, usable only once the cooldown is over.
            variants.add(view.canResend ? "resend ready" : "resend waiting");
            expect(html, where).toMatch(view.canResend ? /<button type="button">Resend notification<\/button>/ : /<button type="button" disabled="">Resend available (soon|in \d+ s)<\/button>/);
            expect(text).toContain("Use a one-time code");
            expect(text).toContain("Use a recovery code");
          }
          if (key === "choosing" && view) for (const choice of view.choices) expect(text).toContain(choice.name ?? choice.id);
          if ((key === "challenged.otpEntry" || key === "challenged.recoveryEntry") && view) {
            expect(html).toContain("<input");
            if (view.codeError) variants.add(`${key} refused`);
            if (view.codeError) expect(text).toContain(view.codeError);
            else expect(html).not.toContain('role="alert"');
          }
          if (output?.outcome === "approved") {
            // The one secret a person must see: the recovery code that replaces the used one.
            variants.add(`approved by ${output.method}${output.newRecoveryCode ? " with a new recovery code" : ""}`);
            if (output.newRecoveryCode) expect(text).toContain(output.newRecoveryCode);
            else expect(html).not.toContain("<code>");
            expect(text).toContain({ push: "approved on your phone", otp: "with a one-time code", "recovery-code": "with a recovery code" }[output.method]);
          }
        }
      }
    });
  }

  it("rendered every state of the machine and every outcome", () => {
    const expected = [...Object.keys(SCREENS)].sort();
    expect([...rendered].sort()).toEqual(expected);
    for (const outcome of CHALLENGE_OUTCOMES) expect(rendered).toContain(outcome);
    expect([...variants].sort()).toEqual([
      "approved by otp",
      "approved by push",
      "approved by recovery-code with a new recovery code",
      "challenged.otpEntry refused",
      "challenged.recoveryEntry refused",
      "resend ready",
      "resend waiting",
    ]);
  });
});
