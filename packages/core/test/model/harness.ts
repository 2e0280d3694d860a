import { expect } from "vitest";
import { createActor, SimulatedClock, type AnyActorRef, type AnyStateMachine, type EventObject, type InspectionEvent } from "xstate";
import { getStateNodes } from "xstate/graph";
import type { ErrorCode } from "../../src/errors.ts";
import { createControlledTransport, fail, type ControlledTransport, type PathSnapshot, type TransportMethod } from "../../src/testing.ts";

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
  /** The snapshot compared with the model's (the root, or a child for the poll loop). */
  readonly observe: (actor: AnyActorRef) => AnySnapshot | undefined;
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
  verifyOtp: "verifyOtp",
  verifyRecoveryCode: "verifyRecoveryCode",
  verifyOob: "verifyOob",
};
const TIMERS = new Set(["retryTimer", "deadline", "resendCooldown", "pollTimer"]);

const strip = (output: unknown): Result<unknown> => {
  const { at: _at, jitter: _jitter, ...result } = output as Result<unknown> & { at: number; jitter: number };
  return result as Result<unknown>;
};

async function advanceTo(clock: SimulatedClock, time: number) {
  clock.increment(Math.max(0, time - clock.now()));
  await settle();
}

/** The snapshot of the actor (root or a child of it) that owns the invoked actor `id`. */
function ownerOf(actor: AnyActorRef, id: string): AnyActorRef | undefined {
  const snapshot = actor.getSnapshot() as AnySnapshot;
  if (snapshot.children[id]) return actor;
  const poll = snapshot.children["poll"];
  return poll && (poll.getSnapshot() as AnySnapshot).children[id] ? poll : undefined;
}

function childInput(actor: AnyActorRef, id: string): { until: number } {
  const owner = ownerOf(actor, id);
  if (!owner) throw new Error(`the real actor has no running '${id}'`);
  return ((owner.getSnapshot() as AnySnapshot).children[id]!.getSnapshot() as { input: { until: number } }).input;
}

/** Makes the real system do what one model step says happened. */
async function drive(sut: Sut, event: EventObject): Promise<void> {
  const { type } = event;
  const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  if (match) {
    const [, kind, id] = match as unknown as [string, "done" | "error", string];
    if (TIMERS.has(id)) return advanceTo(sut.clock, childInput(sut.actor, id).until);
    if (id === "poll") return drivePollToEnd(sut, (event as unknown as { output: { ok: boolean; problem?: { code: ErrorCode; mfaToken?: string } } }).output);
    const method = METHOD_OF[id];
    if (!method) throw new Error(`no driver for ${type}`);
    if (kind === "error") sut.transport.crash(method, new Error("transport bug"));
    else sut.transport.respond(method, strip((event as unknown as { output: unknown }).output));
    return settle();
  }
  if (type === "POLL.SENT") return pollUntilRequesting(sut);
  if (type === "POLL.ANSWERED") {
    await pollUntilRequesting(sut);
    sut.transport.respond("verifyOob", fail((event as unknown as { code: ErrorCode }).code));
    return settle();
  }
  sut.actor.send(event);
  await settle();
}

function pollChild(sut: Sut): AnySnapshot | undefined {
  const ref = (sut.actor.getSnapshot() as AnySnapshot).children["poll"];
  return ref?.getSnapshot() as AnySnapshot | undefined;
}

async function pollUntilRequesting(sut: Sut) {
  const poll = pollChild(sut);
  if (!poll) throw new Error("the real actor has no poll loop");
  if (poll.value === "waiting") await advanceTo(sut.clock, poll.context["nextPollAt"] as number);
}

/** Answers the poll loop the same way until it ends with the given output. */
async function drivePollToEnd(sut: Sut, output: { ok: boolean; problem?: { code: ErrorCode; mfaToken?: string } }) {
  for (let round = 0; round < 20 && pollChild(sut)?.status === "active"; round++) {
    await pollUntilRequesting(sut);
    if (output.ok) sut.transport.respond("verifyOob", { ok: true, value: { accessToken: "a", tokenType: "Bearer", expiresIn: 600 } });
    else if (output.problem?.code === "internal") sut.transport.crash("verifyOob", new Error("transport bug"));
    else sut.transport.respond("verifyOob", fail(output.problem!.code, output.problem!.mfaToken ? { mfaToken: output.problem!.mfaToken } : {}));
    await settle();
  }
}

/** All state node ids and all transitions of a machine, as coverage keys. */
export function coverageUniverse(machine: AnyStateMachine) {
  const nodes = getStateNodes(machine.root) as unknown as StateNodeLike[];
  const states = nodes.map((n) => n.id);
  const transitions: string[] = [];
  for (const node of [machine.root as unknown as StateNodeLike, ...nodes]) {
    for (const [type, defs] of node.transitions) defs.forEach((_, i) => transitions.push(`${node.id}|${type}|${i}`));
  }
  return { states, transitions };
}

interface StateNodeLike {
  id: string;
  transitions: Map<string, unknown[]>;
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
      const index = t.source.transitions.get(t.eventType)?.indexOf(t) ?? -1;
      transitions.add(`${t.source.id}|${t.eventType}|${index}`);
    }
    for (const node of micro.snapshot._nodes ?? []) if (node.id.startsWith(prefix)) states.add(node.id);
  };
  return { states, transitions, inspect };
}

/** Replays one path on a real actor, comparing state and projected context at every step. */
export async function replay(spec: ModelSpec, input: unknown, steps: readonly { event: EventObject; state: PathSnapshot }[], inspect: (e: InspectionEvent) => void) {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const actor = spec.start({ clock, transport, input, inspect });
  await settle();
  for (const [index, step] of steps.entries()) {
    if (step.event.type !== "xstate.init") await drive({ clock, transport, actor }, step.event);
    const real = spec.observe(actor);
    const where = `step ${index} (${step.event.type})`;
    expect(real, where).toBeDefined();
    expect({ where, value: real!.value, status: real!.status }).toEqual({ where, value: step.state.value, status: step.state.status });
    if (step.state.status === "active") expect({ where, context: spec.project(real!) }).toEqual({ where, context: spec.project(step.state) });
    else expect((real!.output as { outcome?: string } | undefined)?.outcome, where).toBe((step.state.output as { outcome?: string } | undefined)?.outcome);
  }
  // Never two requests in flight, and nothing pending once the flow is over.
  expect(transport.maxInFlight).toBeLessThanOrEqual(1);
  if (spec.observe(actor)?.status === "done") expect(transport.pending).toEqual([]);
  actor.stop();
}

export { createActor };
