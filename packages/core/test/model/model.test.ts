import { afterAll, describe, expect, it } from "vitest";
import { createActor, setup, type AnyActorRef } from "xstate";
import { runtimeActors } from "../../src/machines/actors.ts";
import { challengeMachine } from "../../src/machines/challenge.machine.ts";
import { enrollmentMachine } from "../../src/machines/enrollment.machine.ts";
import { pollMachine } from "../../src/machines/poll.machine.ts";
import { challengeWithRuntime, enrollmentWithRuntime } from "../../src/machines/runtime.ts";
import { coverageRecorder, coverageUniverse, modelPaths, replay, type AnySnapshot, type ModelSpec } from "./harness.ts";
import { flowEvents, pollEvents, REQUESTED_ID } from "./samples.ts";

const pick = (s: AnySnapshot, keys: string[]) => Object.fromEntries(keys.map((k) => [k, s.context[k] ?? null]));

const specs: ModelSpec[] = [
  {
    name: "enrollment",
    machine: enrollmentMachine,
    inputs: [{ mfaToken: "test-mfa-token", maxRetries: 1, enrollmentWindowMs: 1_000_000 }],
    events: flowEvents,
    project: (s) => ({ ...pick(s, ["retries", "recoveryCodesPending"]), rateLimited: s.context["lastWait"] === "rate_limited" }),
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
    // What the guards read, and nothing that only words a reason: a finite graph.
    project: (s) => ({
      ...pick(s, ["retries", "authenticatorId", "resendReady"]),
      rateLimited: s.context["lastWait"] === "rate_limited",
      codeRefused: s.context["codeError"] !== undefined,
      choices: (s.context["choices"] as unknown[]).length,
    }),
    start: ({ clock, transport, input, inspect }) =>
      createActor(challengeWithRuntime({ transport, clock, random: () => 0 }), { input: input as never, clock, inspect }).start(),
    observe: (actor) => actor.getSnapshot() as AnySnapshot,
  },
  {
    name: "poll",
    machine: pollMachine,
    inputs: [{ mfaToken: "test-mfa-token", oobCode: "test-oob-code", intervalMs: 5000, nextPollAt: 5000, maxRetries: 1, attempt: 0 }],
    events: pollEvents,
    project: (s) => pick(s, ["retries"]),
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
      const paths = modelPaths(spec, input);
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
