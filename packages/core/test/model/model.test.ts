import { afterAll, describe, expect, it } from "vitest";
import { createActor, setup, type AnyActorRef } from "xstate";
import { runtimeActors } from "../../src/machines/actors.ts";
import { challengeMachine } from "../../src/machines/challenge.machine.ts";
import { enrollmentMachine } from "../../src/machines/enrollment.machine.ts";
import { pollMachine } from "../../src/machines/poll.machine.ts";
import { challengeWithRuntime, enrollmentWithRuntime } from "../../src/machines/runtime.ts";
import { DEFAULT_PROJECTIONS, flowEvents, getModelPaths, pollEvents, REQUESTED_ID } from "../../src/testing.ts";
import { coverageRecorder, coverageUniverse, replay, type AnySnapshot, type ModelSpec } from "./harness.ts";


const specs: ModelSpec[] = [
  {
    name: "enrollment",
    machine: enrollmentMachine,
    inputs: [{ mfaToken: "test-mfa-token", maxRetries: 1, enrollmentWindowMs: 1_000_000 }],
    events: flowEvents,
    project: DEFAULT_PROJECTIONS["enrollment"]!,
    start: ({ clock, transport, input, inspect }) =>
      createActor(enrollmentWithRuntime({ transport, clock, random: () => 0 }), { input: input as never, clock, inspect }).start(),
    observe: (actor) => actor.getSnapshot() as AnySnapshot,
  },
  {
    name: "challenge",
    machine: challengeMachine,
    inputs: [
      { mfaToken: "test-mfa-token", maxRetries: 1, timeoutMs: 1_000_000, resendCooldownMs: 100_000 },
      { mfaToken: "test-mfa-token", maxRetries: 1, timeoutMs: 1_000_000, resendCooldownMs: 100_000, authenticatorId: REQUESTED_ID },
    ],
    events: flowEvents,
    project: DEFAULT_PROJECTIONS["challenge"]!,
    start: ({ clock, transport, input, inspect }) =>
      createActor(challengeWithRuntime({ transport, clock, random: () => 0 }), { input: input as never, clock, inspect }).start(),
    observe: (actor) => actor.getSnapshot() as AnySnapshot,
  },
  {
    name: "poll",
    machine: pollMachine,
    inputs: [{ mfaToken: "test-mfa-token", oobCode: "test-oob-code", intervalMs: 5000, nextPollAt: 5000, maxRetries: 1, attempt: 0 }],
    events: pollEvents,
    project: DEFAULT_PROJECTIONS["poll"]!,
    // The loop reports to its parent: run it under a minimal host, as the flows do.
    start: ({ clock, transport, input, inspect }) => {
      const actors = runtimeActors({ transport, clock, random: () => 0 });
      const host = setup({ actors: { poll: pollMachine.provide({ actors: { verifyOob: actors.verifyOob, timer: actors.timer } }) } }).createMachine({
        invoke: { id: "poll", src: "poll", input: input as never },
      });
      return createActor(host, { clock, inspect }).start();
    },
    observe: (actor: AnyActorRef) => (actor.getSnapshot() as AnySnapshot).children["poll"]?.getSnapshot() as AnySnapshot | undefined,
  },
];

for (const spec of specs) {
  describe(`${spec.name} machine, model-based`, () => {
    const universe = coverageUniverse(spec.machine);
    const recorder = coverageRecorder(spec.machine.id);
    for (const [i, input] of spec.inputs.entries()) {
      const paths = getModelPaths(spec.machine, { input, events: spec.events, project: spec.project });
      it(`input ${i}: generates paths`, () => expect(paths.length).toBeGreaterThan(10));
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
