/**
 * The screen, tested through every path of the challenge machine: core's test kit generates the
 * paths (the shortest way to every state, then every transition out of it); each snapshot on
 * each path is rendered on the server and must show the screen that state calls for.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CHALLENGE_OUTCOMES, challengeMachine, challengeView, type ChallengeOutput, type ChallengeSnapshot } from "@pushflow/core";
import { getModelPaths, type PathSnapshot } from "@pushflow/core/testing";
import { ChallengeScreen } from "../src/challenge-screen.tsx";

// Retries bounded, so that the graph stays small. The graph tells states apart by what the guards
// read, not by the time, so it never counts polls: a resend cooldown longer than the poll interval
// never ends on a path, one shorter ends before the first poll. Both are walked, as core's model test does.
const base = { mfaToken: "test-mfa-token", maxRetries: 1, timeoutMs: 1_000_000 };
const inputs = { "long cooldown": { ...base, resendCooldownMs: 100_000 }, "short cooldown": { ...base, resendCooldownMs: 1_000 } };
const paths = Object.entries(inputs).flatMap(([name, input]) =>
  getModelPaths(challengeMachine, { input }).map((path) => ({ ...path, description: `${name}: ${path.description}` })),
);

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

/** A real snapshot from a path's plain one, so the screen gets exactly what core's view gives an app. */
function snapshotOf(state: PathSnapshot): ChallengeSnapshot {
  return challengeMachine.resolveState({
    value: state.value as never,
    context: state.context as never,
    status: state.status as never,
    output: state.output as never,
  }) as ChallengeSnapshot;
}

function render(state: PathSnapshot): { html: string; text: string; key: string } {
  const snapshot = snapshotOf(state);
  const view = challengeView(snapshot);
  const output = snapshot.status === "done" ? (snapshot.output as ChallengeOutput) : undefined;
  const html = renderToStaticMarkup(createElement(ChallengeScreen, { view, output, send: () => {} }));
  const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");
  return { html, text, key: output?.outcome ?? view.state };
}

const rendered = new Set<string>();
/** Variants of a screen the paths must reach too (not only its state). */
const variants = new Set<string>();

describe("the challenge screen, through every generated path", () => {
  it("has paths to walk", () => expect(paths.length).toBeGreaterThan(50));

  for (const path of paths) {
    it(path.description, () => {
      for (const { event, state } of path.steps) {
        const { html, text, key } = render(state);
        rendered.add(key);
        const where = `after ${event.type} in ${key}`;
        expect(SCREENS[key], `no expected screen for ${key}`).toBeDefined();
        expect(text, where).toContain(SCREENS[key]);
        for (const secret of SECRETS) expect(html, `${where}: a secret on screen`).not.toContain(secret);

        const view = challengeView(snapshotOf(state));
        if (key === "challenged.polling") {
          // The resend button is always there, usable only once the cooldown is over.
          variants.add(view.canResend ? "resend ready" : "resend waiting");
          expect(html).toMatch(view.canResend ? /<button type="button">Resend notification<\/button>/ : /<button type="button" disabled="">Resend available soon<\/button>/);
          expect(text).toContain("Use a one-time code");
          expect(text).toContain("Use a recovery code");
        }
        if (key === "choosing") for (const choice of view.choices) expect(text).toContain(choice.name ?? choice.id);
        if (key === "challenged.otpEntry" || key === "challenged.recoveryEntry") {
          expect(html).toContain("<input");
          if (view.codeError) variants.add(`${key} refused`);
          if (view.codeError) expect(text).toContain(view.codeError);
          else expect(html).not.toContain('role="alert"');
        }
        const output = state.status === "done" ? (state.output as ChallengeOutput) : undefined;
        if (output?.outcome === "approved") {
          // The one secret a person must see: the recovery code that replaces the used one.
          variants.add(`approved by ${output.method}${output.newRecoveryCode ? " with a new recovery code" : ""}`);
          if (output.newRecoveryCode) expect(text).toContain(output.newRecoveryCode);
          else expect(html).not.toContain("<code>");
          expect(text).toContain({ push: "approved on your phone", otp: "with a one-time code", "recovery-code": "with a recovery code" }[output.method]);
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
