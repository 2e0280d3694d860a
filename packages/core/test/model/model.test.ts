import { afterAll, describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { challengeDueTimes, challengeMachine } from "../../src/machines/challenge.machine.ts";
import type { ChallengeContext, ChallengeInput } from "../../src/machines/challenge.types.ts";
import { enrollmentDueTimes, enrollmentMachine } from "../../src/machines/enrollment.machine.ts";
import type { EnrollmentContext, EnrollmentInput } from "../../src/machines/enrollment.types.ts";
import { challengeWithRuntime, enrollmentWithRuntime } from "../../src/machines/runtime.ts";
import { getModelPaths } from "../../src/testing.ts";
import { DEFAULT_PROJECTIONS } from "../../src/testing/model-paths.ts";
import { flowEvents, REQUESTED_ID } from "../../src/testing/sample-events.ts";
import { coverageRecorder, coverageUniverse, replay, type ModelSpec } from "./harness.ts";

const enrollInput: EnrollmentInput = { mfaToken: "test-mfa-token", maxRetries: 1, enrollmentWindowMs: 1_000_000 };
const challengeInput: ChallengeInput = { mfaToken: "test-mfa-token", maxRetries: 1, timeoutMs: 1_000_000, resendCooldownMs: 100_000 };

/** A saved flow's context, as a record holds it: the one a new flow starts with, waiting on a push. */
const savedEnrollment: EnrollmentContext = {
  ...createActor(enrollmentMachine, { input: enrollInput }).getSnapshot().context,
  oobCode: "test-oob-code",
  deadlineAt: 1_000_000,
  nextPollAt: 5_000,
};
const savedChallenge: ChallengeContext = {
  ...createActor(challengeMachine, { input: challengeInput }).getSnapshot().context,
  authenticatorId: REQUESTED_ID,
  oobCode: "test-oob-code",
  deadlineAt: 1_000_000,
  nextPollAt: 5_000,
  resendAvailableAt: 100_000,
};

/** A saved challenge before its first push: no oob_code yet, the deadline it started with. */
const savedBeforePush: ChallengeContext = { ...savedChallenge, authenticatorId: undefined, oobCode: undefined, nextPollAt: 0 };

const specs: ModelSpec[] = [
  {
    name: "enrollment",
    machine: enrollmentMachine,
    inputs: [
      enrollInput,
      { ...enrollInput, acknowledgeRecoveryCodes: "auto" },
      { resume: { at: "awaitingDevice", context: savedEnrollment } },
      // Saved after a poll whose answer was lost: an invalid oob_code now means the answer may have been the tokens.
      { resume: { at: "awaitingDevice", context: { ...savedEnrollment, lastWait: "network", retries: 1 } } },
      { resume: { at: "retryingAssociate", context: { ...savedEnrollment, oobCode: undefined, retries: 1, retryAt: 2_000 } } },
      { resume: { at: "associating", context: { ...savedEnrollment, oobCode: undefined } } },
    ],
    events: flowEvents,
    project: DEFAULT_PROJECTIONS["enrollment"]!,
    dueTimes: enrollmentDueTimes,
    start: ({ clock, transport, input, inspect }) =>
      createActor(enrollmentWithRuntime({ transport, clock, random: () => 0 }), { input: input as never, clock, inspect }).start(),
  },
  {
    name: "challenge",
    machine: challengeMachine,
    inputs: [
      challengeInput,
      { ...challengeInput, authenticatorId: REQUESTED_ID },
      // A cooldown shorter than the interval: the wake-up timer ends the cooldown before a poll.
      { ...challengeInput, resendCooldownMs: 1_000 },
      { resume: { at: "polling", context: savedChallenge } },
      { resume: { at: "polling", context: { ...savedChallenge, lastWait: "timeout", retries: 1 } } },
      { resume: { at: "otpEntry", context: savedChallenge } },
      { resume: { at: "recoveryEntry", context: savedChallenge } },
      { resume: { at: "retryingList", context: { ...savedBeforePush, retries: 1, retryAt: 2_000 } } },
      { resume: { at: "choosing", context: { ...savedBeforePush, choices: [{ id: REQUESTED_ID }, { id: "push|dev_0000000000000001" }] } } },
      { resume: { at: "retryingChallenge", context: { ...savedBeforePush, authenticatorId: REQUESTED_ID, retries: 1, retryAt: 2_000 } } },
      { resume: { at: "challenging", context: { ...savedBeforePush, authenticatorId: REQUESTED_ID } } },
    ],
    events: flowEvents,
    project: DEFAULT_PROJECTIONS["challenge"]!,
    dueTimes: challengeDueTimes,
    start: ({ clock, transport, input, inspect }) =>
      createActor(challengeWithRuntime({ transport, clock, random: () => 0 }), { input: input as never, clock, inspect }).start(),
  },
];

for (const spec of specs) {
  describe(`${spec.name} machine, model-based`, () => {
    const universe = coverageUniverse(spec.machine);
    const recorder = coverageRecorder(spec.machine.id);
    for (const [i, input] of spec.inputs.entries()) {
      const paths = getModelPaths(spec.machine, { input, events: spec.events, project: spec.project });
      it(`input ${i}: generates paths`, () => expect(paths.length).toBeGreaterThan(3));
      for (const path of paths) {
        it(`input ${i}: ${path.description}`, () => replay(spec, input, path.steps, recorder.inspect));
      }
    }
    afterAll(() => {
      const states = universe.states.filter((s) => recorder.states.has(s));
      const transitions = universe.transitions.filter((t) => recorder.transitions.has(t));
      console.log(`[coverage] ${spec.name}: states covered ${states.length}/${universe.states.length}, transitions covered ${transitions.length}/${universe.transitions.length}`);
      const missing = [...universe.states.filter((s) => !recorder.states.has(s)), ...universe.transitions.filter((t) => !recorder.transitions.has(t))];
      expect(missing, `${spec.name}: not covered`).toEqual([]);
    });
  });
}
