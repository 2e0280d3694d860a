import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from "xstate";
import { TestModel } from "xstate/graph";
import { challengeDueTimes } from "../machines/challenge.machine.ts";
import type { ChallengeContext } from "../machines/challenge.types.ts";
import { enrollmentDueTimes } from "../machines/enrollment.machine.ts";
import type { EnrollmentContext } from "../machines/enrollment.types.ts";
import { flowEvents } from "./sample-events.ts";

/** The parts of a snapshot a model path carries. */
export interface PathSnapshot {
  readonly value: unknown;
  readonly status: string;
  readonly context: Record<string, unknown>;
  readonly output?: unknown;
}

/** One generated path: events from the start, each with the snapshot it leads to. */
export interface ModelPath {
  readonly description: string;
  readonly steps: readonly { readonly event: EventObject; readonly state: PathSnapshot }[];
}

export interface ModelPathOptions {
  /** The machine's input (a mfaToken and options); some guards depend on it. */
  readonly input: unknown;
  /** Sample events with payloads; default: pushflow's samples for both flows. Timer events are added from the machine. */
  readonly events?: readonly EventObject[];
  /** The part of the context that tells two states apart; default: what the machine's guards read. */
  readonly project?: (snapshot: PathSnapshot) => unknown;
}

/** When each named `after` delay of a pushflow machine ends, read from its context. */
export type DueTimes = Readonly<Record<string, (context: EnrollmentContext & ChallengeContext) => number>>;

const DUE_TIMES: Record<string, DueTimes> = { enrollment: enrollmentDueTimes, challenge: challengeDueTimes };

/** The delay an `after` event is named after (xstate.after.<delay>.<state id>). */
export const timerDelay = (type: string): string | undefined => /^xstate\.after\.([^.]+)\./.exec(type)?.[1];

const pick = (s: PathSnapshot, keys: string[]) => Object.fromEntries(keys.map((k) => [k, s.context[k] ?? null]));
/** A poll's answer never came, and none since proved it was not the tokens (isAnswerLost). */
const answerLost = (s: PathSnapshot) => s.context["answerLost"] === true;

/** A retry the server asked for past the deadline: the deadline, not the retry, comes next. */
const retryPastDeadline = (s: PathSnapshot) => Number(s.context["retryAt"]) > Number(s.context["deadlineAt"]);

/** What the guards of each machine read, and which of two timers comes first: a finite graph. */
export const DEFAULT_PROJECTIONS: Record<string, (s: PathSnapshot) => unknown> = {
  enrollment: (s) => ({
    ...pick(s, ["retries", "recoveryCodesPending", "resumeAt"]),
    rateLimited: s.context["lastWait"] === "rate_limited",
    retryPastDeadline: retryPastDeadline(s),
    answerLost: answerLost(s),
  }),
  challenge: (s) => ({
    ...pick(s, ["retries", "authenticatorId", "resendReady", "resumeAt"]),
    rateLimited: s.context["lastWait"] === "rate_limited",
    retryPastDeadline: retryPastDeadline(s),
    answerLost: answerLost(s),
    codeRefused: s.context["codeError"] !== undefined,
    choices: (s.context["choices"] as unknown[] | undefined)?.length ?? 0,
    resendDue: s.context["resendReady"] !== true && Number(s.context["resendAvailableAt"]) <= Number(s.context["nextPollAt"]),
  }),
};

/**
 * Paths through a pushflow machine (`enrollmentMachine`, `challengeMachine`): the
 * shortest path to every state, extended by every transition out of it, one per (state, event,
 * next state). Drive your own screen or system along them to meet every state and outcome.
 * Bound retries in the input (`maxRetries: 1`) to keep the graph small.
 */
export function getModelPaths(machine: AnyStateMachine, options: ModelPathOptions): ModelPath[] {
  const project = options.project ?? DEFAULT_PROJECTIONS[machine.id] ?? (() => null);
  // Timers need no payload: their events are named after the delay and the state (xstate.after.<delay>.<state id>).
  const timers = machine.root.events.filter((type) => type.startsWith("xstate.after.")).map((type) => ({ type }));
  const events = [...(options.events ?? flowEvents), ...timers];
  const serializeState = (s: PathSnapshot) =>
    JSON.stringify({ v: s.value, s: s.status, p: s.status === "active" ? project(s) : (s.output as { outcome?: string } | undefined)?.outcome });
  const model = new TestModel(machine, {
    input: options.input,
    // Only the events the current state takes: an error event for a child that is not running
    // would put the snapshot in an error status that no real run can reach.
    events: (snapshot) => (snapshot.status === "active" ? events.filter((event) => snapshot.can(event)) : []),
    serializeState: (snapshot) => serializeState(snapshot),
  });
  const toState = new Map(model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => [serializeState(p.state), p.steps]));
  const adjacency = model.getAdjacencyMap();
  const candidates: { description: string; steps: { event: EventObject; state: AnyMachineSnapshot }[]; key: string }[] = [];
  for (const node of valuesOf(adjacency)) {
    const prefix = toState.get(serializeState(node.state)) ?? [];
    for (const edge of valuesOf(node.transitions)) {
      const event = JSON.stringify(edge.event, (k, v: unknown) => (k === "error" ? "Error" : v));
      // One path per (state, event, next state), and per which timer comes first: a retry past the deadline is a case of its own.
      const key = `${JSON.stringify(node.state.value)} ${retryPastDeadline(node.state)} ${event} ${JSON.stringify(edge.state.value)}`;
      candidates.push({
        description: `${stateLabel(node.state)} --${edge.event.type}--> ${stateLabel(edge.state)}`,
        steps: [...prefix, { event: edge.event, state: edge.state }],
        key,
      });
    }
  }
  const dueTimes = DUE_TIMES[machine.id] ?? {};
  const timerTypes = timers.map((t) => t.type);
  candidates.sort((a, b) => a.steps.length - b.steps.length);
  const seen = new Set<string>();
  return candidates
    .filter((c) => inTimeOrder(c.steps, timerTypes, dueTimes) && !seen.has(c.key) && seen.add(c.key))
    .map(({ description, steps }) => ({ description, steps }));
}

/**
 * The model knows no time: in a state with two timers it takes either. A real run takes the one
 * due first, so a path whose timer step another running timer beats (a retry the server asked for
 * past the deadline, a poll due after it) cannot happen and is left out.
 */
function inTimeOrder(steps: readonly { event: EventObject; state: AnyMachineSnapshot }[], timers: readonly string[], dueTimes: DueTimes): boolean {
  return steps.every((step, i) => {
    const before = steps[i - 1]?.state;
    const delay = timerDelay(step.event.type);
    if (before === undefined || delay === undefined) return true;
    return earlierTimer(before, step.event.type, timers, dueTimes) === undefined;
  });
}

/** The running timer due before `type` in `snapshot`, if any. */
export function earlierTimer(snapshot: AnyMachineSnapshot, type: string, timers: readonly string[], dueTimes: DueTimes): string | undefined {
  const due = (timer: string) => dueTimes[timerDelay(timer) ?? ""]?.(snapshot.context) ?? 0;
  const running = timers.filter((t) => snapshot.can({ type: t }));
  return running.find((timer) => due(timer) < due(type));
}

/** Object.values for xstate/graph's maps, whose keys are branded strings (Object.values types those as unknown). */
function valuesOf<K extends string, V>(record: { readonly [key in K]: V }): V[] {
  return Object.values<V>(record);
}

function stateLabel(s: PathSnapshot): string {
  return typeof s.value === "string" ? s.value : JSON.stringify(s.value).replace(/[{}"]/g, "").replace(/:/g, ".");
}
