/**
 * Every generated path of both machines, replayed through the composables' store in a bare
 * `effectScope` (no DOM, no network): after each step the refs must show the step's state, its
 * outcome, and exactly the actions the machine itself accepts in that snapshot. Every state of
 * both machines is shown at least once, and disposing the scope stops the refs.
 */
import { effectScope } from "vue";
import { describe, expect, it } from "vitest";
import { challengeMachine, challengeStore, enrollmentMachine, enrollmentStore } from "@pushflow/core";
import { getModelPaths, replayChallenge, replayEnrollment, SimulatedClock, type PathSnapshot } from "@pushflow/core/testing";
import { useChallengeStore, useEnrollmentStore, type ChallengeRefs, type EnrollmentRefs } from "../src/index.ts";
import { acceptedBy, replayState, viewStates } from "../../react/test/support/oracle.ts";

type Refs = ChallengeRefs | EnrollmentRefs;
interface Follow {
  readonly refs: Refs;
  show(state: PathSnapshot): ReturnType<ReturnType<typeof replayChallenge>["show"]> | ReturnType<ReturnType<typeof replayEnrollment>["show"]>;
  stop(): void;
}

const base = { mfaToken: "test-mfa-token", maxRetries: 1 };
const suites = [
  {
    name: "useChallengeStore",
    machine: challengeMachine,
    inputs: [
      { ...base, timeoutMs: 1_000_000, resendCooldownMs: 100_000 },
      { ...base, timeoutMs: 1_000_000, resendCooldownMs: 1_000 },
    ],
    follow: (): Follow => {
      const replay = replayChallenge();
      const store = challengeStore(replay.source, { clock: new SimulatedClock() });
      const scope = effectScope();
      const refs = scope.run(() => useChallengeStore(store));
      if (!refs) throw new Error("the scope did not run");
      return { refs, show: replay.show, stop: () => scope.stop() };
    },
  },
  {
    name: "useEnrollmentStore",
    machine: enrollmentMachine,
    inputs: [base, { ...base, acknowledgeRecoveryCodes: "auto" as const }],
    follow: (): Follow => {
      const replay = replayEnrollment();
      const store = enrollmentStore(replay.source, { clock: new SimulatedClock() });
      const scope = effectScope();
      const refs = scope.run(() => useEnrollmentStore(store));
      if (!refs) throw new Error("the scope did not run");
      return { refs, show: replay.show, stop: () => scope.stop() };
    },
  },
];

for (const suite of suites) {
  describe(`${suite.name}, through every generated path`, () => {
    const shown = new Set<string>();

    for (const input of suite.inputs) {
      it(`shows each state on the paths from ${JSON.stringify(input)}`, () => {
        const paths = getModelPaths(suite.machine, { input });
        expect(paths.length).toBeGreaterThan(20);
        const seen = new Set<string>();
        for (const path of paths) {
          const flow = suite.follow();
          for (const { event, state } of path.steps) {
            const key = JSON.stringify(state);
            if (seen.has(key)) continue;
            seen.add(key);
            const snapshot = flow.show(state);
            const where = `${path.description}: after ${event.type}`;
            expect(flow.refs.view.value?.state, where).toBe(replayState(snapshot));
            expect(flow.refs.outcome.value?.outcome, where).toBe(snapshot.status === "done" ? (snapshot.output as { outcome: string }).outcome : undefined);
            expect(Object.keys(flow.refs.actions.value).sort(), where).toEqual(snapshot.status === "done" ? [] : acceptedBy(snapshot));
            expect(flow.refs.snapshot.value.view, where).toBe(flow.refs.view.value);
            shown.add(flow.refs.view.value?.state ?? "");
          }
          flow.stop();
        }
      });
    }

    it("showed every state of the machine", () => {
      expect([...shown].sort()).toEqual(viewStates(suite.machine).filter((s) => s !== "starting"));
    });

    it("stops following once the scope is disposed", () => {
      const [first, second] = getModelPaths(suite.machine, { input: suite.inputs[0] })
        .flatMap((path) => path.steps.map((step) => step.state))
        .filter((state, i, all) => all.findIndex((s) => replayState(s) === replayState(state)) === i);
      if (!first || !second) throw new Error("the paths have fewer than two states");
      const flow = suite.follow();
      flow.show(first);
      expect(flow.refs.view.value?.state).toBe(replayState(first));
      flow.stop();
      flow.show(second);
      expect(flow.refs.view.value?.state).toBe(replayState(first));
    });
  });
}
