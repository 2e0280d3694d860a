/**
 * Every generated path of both machines, replayed through the hooks' store (no DOM, no network):
 * each step is rendered on the server by a component that reads `useChallengeStore` /
 * `useEnrollmentStore`, and must show the step's state, its outcome, and exactly the actions the
 * machine itself accepts in that snapshot. Every state of both machines is rendered at least once.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { challengeMachine, challengeStore, enrollmentMachine, enrollmentStore, type ChallengeStoreSnapshot, type EnrollmentStoreSnapshot, type ViewStore } from "@pushflow/core";
import { getModelPaths, replayChallenge, replayEnrollment, SimulatedClock } from "@pushflow/core/testing";
import { useChallengeStore, useEnrollmentStore } from "../src/index.ts";
import { acceptedBy, replayState, viewStates } from "./support/oracle.ts";

/** What the screen shows: the state, the outcome, and one button per allowed action. */
function Screen({ snapshot }: { readonly snapshot: ChallengeStoreSnapshot | EnrollmentStoreSnapshot }) {
  const buttons = Object.keys(snapshot.actions).map((name) => createElement("button", { key: name, "data-action": name }, name));
  return createElement("section", { "data-state": snapshot.view?.state ?? "", "data-outcome": snapshot.outcome?.outcome ?? "" }, ...buttons);
}
function ChallengeScreen({ store }: { readonly store: ViewStore<ChallengeStoreSnapshot> }) {
  return createElement(Screen, { snapshot: useChallengeStore(store) });
}
function EnrollmentScreen({ store }: { readonly store: ViewStore<EnrollmentStoreSnapshot> }) {
  return createElement(Screen, { snapshot: useEnrollmentStore(store) });
}

const shown = (html: string) => ({
  state: /data-state="([^"]*)"/.exec(html)?.[1],
  outcome: /data-outcome="([^"]*)"/.exec(html)?.[1],
  actions: [...html.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]).sort(),
});

const base = { mfaToken: "test-mfa-token", maxRetries: 1 };
const suites = [
  {
    name: "useChallengeStore",
    machine: challengeMachine,
    inputs: [
      { ...base, timeoutMs: 1_000_000, resendCooldownMs: 100_000 },
      { ...base, timeoutMs: 1_000_000, resendCooldownMs: 1_000 },
    ],
    render: () => {
      const replay = replayChallenge();
      const store = challengeStore(replay.source, { clock: new SimulatedClock() });
      return { show: replay.show, html: () => renderToStaticMarkup(createElement(ChallengeScreen, { store })) };
    },
  },
  {
    name: "useEnrollmentStore",
    machine: enrollmentMachine,
    inputs: [base, { ...base, acknowledgeRecoveryCodes: "auto" as const }],
    render: () => {
      const replay = replayEnrollment();
      const store = enrollmentStore(replay.source, { clock: new SimulatedClock() });
      return { show: replay.show, html: () => renderToStaticMarkup(createElement(EnrollmentScreen, { store })) };
    },
  },
];

for (const suite of suites) {
  describe(`${suite.name}, through every generated path`, () => {
    const rendered = new Set<string>();

    for (const input of suite.inputs) {
      it(`renders each state on the paths from ${JSON.stringify(input)}`, () => {
        const paths = getModelPaths(suite.machine, { input });
        expect(paths.length).toBeGreaterThan(20);
        // A snapshot met on many paths is rendered once: what the screen shows depends on it alone.
        const seen = new Set<string>();
        for (const path of paths) {
          const screen = suite.render();
          for (const { event, state } of path.steps) {
            const key = JSON.stringify(state);
            if (seen.has(key)) continue;
            seen.add(key);
            const snapshot = screen.show(state);
            const html = screen.html();
            const on = shown(html);
            const where = `${path.description}: after ${event.type} in ${on.state}`;
            expect(on.state, where).toBe(replayState(snapshot));
            expect(on.outcome, where).toBe(snapshot.status === "done" ? (snapshot.output as { outcome: string }).outcome : "");
            expect(on.actions, where).toEqual(snapshot.status === "done" ? [] : acceptedBy(snapshot));
            expect(html, `${where}: a secret on screen`).not.toContain("test-mfa-token");
            rendered.add(on.state ?? "");
          }
        }
      });
    }

    it("rendered every state of the machine", () => {
      expect([...rendered].sort()).toEqual(viewStates(suite.machine).filter((s) => s !== "starting"));
    });
  });
}

