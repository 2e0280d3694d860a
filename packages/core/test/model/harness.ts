import { expect } from "vitest";
import { createActor, SimulatedClock, type AnyActorRef, type AnyStateMachine, type EventObject, type InspectionEvent } from "xstate";
import { getStateNodes } from "xstate/graph";
import type { ErrorCode } from "../../src/errors.ts";
import { createControlledTransport, fail, type ControlledTransport, type PathSnapshot, type TransportMethod } from "../../src/testing.ts";
import { earlierTimer, timerDelay, type DueTimes } from "../../src/testing/model-paths.ts";

/** Lets answers and timer resolutions reach the actors: they only chain promises, no real timers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
import type { Result } from "../../src/transport.ts";

/** One machine under model-based test. */
export interface ModelSpec {
  readonly name: string;
  /** The machine as declared: the graph is traversed from it. */
  readonly machine: AnyStateMachine;
  /** One graph per input (some guards depend on it); coverage is their union. */
  readonly inputs: readonly unknown[];
  readonly events: readonly EventObject[];
  /** The part of the context compared at every step (and that keys the graph). */
  readonly project: (snapshot: PathSnapshot) => unknown;
  /** A real actor with the given transport and clock. */
  readonly start: (sut: { clock: SimulatedClock; transport: ControlledTransport; input: unknown; inspect: (e: InspectionEvent) => void }) => AnyActorRef;
  /** When each `after` delay of the machine ends, from the real actor's context. */
  readonly dueTimes: DueTimes;
}

export type AnySnapshot = {
  value: unknown;
  status: string;
  context: Record<string, unknown>;
  output?: { outcome?: string } | unknown;
  children: Record<string, AnyActorRef | undefined>;
};

interface Sut {
  readonly clock: SimulatedClock;
  readonly transport: ControlledTransport;
  readonly actor: AnyActorRef;
}

/** Which transport method an invoked actor calls. */
const METHOD_OF: Record<string, TransportMethod> = {
  associate: "associate",
  listAuthenticators: "listAuthenticators",
  requestChallenge: "challenge",
  verifyOob: "verifyOob",
  verifyOtp: "verifyOtp",
  verifyRecoveryCode: "verifyRecoveryCode",
};

const strip = (output: unknown): Result<unknown> => {
  const { at: _at, jitter: _jitter, ...result } = output as Result<unknown> & { at: number; jitter: number };
  return result as Result<unknown>;
};

async function advanceTo(clock: SimulatedClock, time: number) {
  clock.increment(Math.max(0, time - clock.now()));
  await settle();
}

/** Makes the real system do what one model step says happened. */
async function drive(spec: ModelSpec, sut: Sut, event: EventObject): Promise<void> {
  const { type } = event;
  const timer = /^xstate\.after\.([^.]+)\./.exec(type);
  if (timer) {
    const dueAt = spec.dueTimes[timer[1] ?? ""];
    if (!dueAt) throw new Error(`no due time for ${type}`);
    return advanceTo(sut.clock, dueAt(sut.actor.getSnapshot().context));
  }
  const request = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  if (request) {
    const method = METHOD_OF[request[2] ?? ""];
    if (!method) throw new Error(`no driver for ${type}`);
    if (request[1] === "error") sut.transport.crash(method, new Error("transport bug"));
    else sut.transport.respond(method, strip((event as EventObject & { output: unknown }).output));
    return settle();
  }
  sut.actor.send(event);
  await settle();
}

/** All state node ids and all transitions of a machine, as coverage keys. */
export function coverageUniverse(machine: AnyStateMachine) {
  const nodes: StateNodeLike[] = getStateNodes(machine.root);
  const states = nodes.map((n) => n.id);
  const transitions: string[] = [];
  for (const node of [machine.root, ...nodes]) {
    for (const [type, defs] of node.transitions) defs.forEach((_, i) => transitions.push(`${node.id}|${type}|${i}`));
    (node.always ?? []).forEach((_, i) => transitions.push(`${node.id}|always|${i}`));
  }
  return { states, transitions };
}

interface StateNodeLike {
  readonly id: string;
  readonly transitions: Map<string, readonly unknown[]>;
  readonly always?: readonly unknown[] | undefined;
}

/** Collects the states entered and transitions taken by real actors, from inspection events. */
export function coverageRecorder(prefix: string) {
  const states = new Set<string>();
  const transitions = new Set<string>();
  const inspect = (e: InspectionEvent) => {
    if (e.type !== "@xstate.microstep") return;
    const micro = e as unknown as { _transitions: { source: StateNodeLike; eventType: string }[]; snapshot: { _nodes?: StateNodeLike[] } };
    for (const t of micro._transitions) {
      if (!t.source.id.startsWith(prefix)) continue;
      // A transient state (`starting`) is never in a snapshot: it was visited when an arrow left it.
      states.add(t.source.id);
      if (t.eventType === "") transitions.add(`${t.source.id}|always|${t.source.always?.indexOf(t) ?? -1}`);
      else transitions.add(`${t.source.id}|${t.eventType}|${t.source.transitions.get(t.eventType)?.indexOf(t) ?? -1}`);
    }
    for (const node of micro.snapshot._nodes ?? []) if (node.id.startsWith(prefix)) states.add(node.id);
  };
  return { states, transitions, inspect };
}

/**
 * Replays one path on a real actor, comparing state and projected context at every step. The
 * generator leaves out paths whose timers cannot fire in that order; the real actor must agree
 * that each timer step's own timer is the one due first.
 */
export async function replay(
  spec: ModelSpec,
  input: unknown,
  steps: readonly { event: EventObject; state: PathSnapshot }[],
  inspect: (e: InspectionEvent) => void,
) {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const actor = spec.start({ clock, transport, input, inspect });
  const timers = spec.machine.root.events.filter((type) => timerDelay(type) !== undefined);
  await settle();
  for (const [index, step] of steps.entries()) {
    if (timerDelay(step.event.type) !== undefined) {
      const beaten = earlierTimer(actor.getSnapshot(), step.event.type, timers, spec.dueTimes);
      expect(beaten, `step ${index}: ${beaten} fires before ${step.event.type} in a real run`).toBeUndefined();
    }
    if (step.event.type !== "xstate.init") await drive(spec, { clock, transport, actor }, step.event);
    const real = actor.getSnapshot() as AnySnapshot;
    const where = `step ${index} (${step.event.type})`;
    expect(real, where).toBeDefined();
    expect({ where, value: real.value, status: real.status }).toEqual({ where, value: step.state.value, status: step.state.status });
    // The whole output: outcome, reason, method, tokens, a new recovery code or mfa_token.
    if (step.state.status === "active") expect({ where, context: spec.project(real!) }).toEqual({ where, context: spec.project(step.state) });
    else expect({ where, output: real.output }).toEqual({ where, output: step.state.output });
  }
  // Never two requests in flight, and nothing pending once the flow is over.
  expect(transport.maxInFlight).toBeLessThanOrEqual(1);
  if ((actor.getSnapshot() as AnySnapshot).status === "done") expect(transport.pending).toEqual([]);
  actor.stop();
}

export { createActor };
