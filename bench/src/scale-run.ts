import {
  DEFAULTS,
  type Authenticator,
  type ChallengeAnswer,
  type ChallengeHandle,
  type Result,
  type Tokens,
  type Transport,
} from "@pushflow/core";
import { createAdapter } from "@pushflow/core/adapter";
import { createScriptedTransport, type ScriptedTransport } from "@pushflow/transport-mock";
import { minimalChallenge, type MinimalOutcome } from "./baseline-loop.ts";
import { HeapClock, turn } from "./sim-clock.ts";
import { cpuSince, median } from "./stats.ts";
import { startXStateFloor, xstateFloorMachine, xstateFloorOutcome, type XStateFloorActor, type XStateFloorMachine } from "./xstate-floor.ts";

export type ScaleSubject = "pushflow" | "baseline" | "xstate-floor";

export const SCALE_SUBJECTS: readonly ScaleSubject[] = ["baseline", "xstate-floor", "pushflow"];

export function isScaleSubject(name: string): name is ScaleSubject {
  return (SCALE_SUBJECTS as readonly string[]).includes(name);
}

export interface ScaleOptions {
  readonly subject: ScaleSubject;
  readonly flows: number;
  /** Poll ticks measured while the flows wait. */
  readonly ticks: number;
  /** Flows run to the end first, so that the measured ones run compiled code. */
  readonly warmup: number;
}

/** What one worker process measured (a JSON line on its stdout). */
export interface ScaleReport {
  readonly subject: ScaleSubject;
  readonly flows: number;
  /** Heap with every flow waiting for its next poll, minus the heap before, per flow. */
  readonly heapPerFlowBytes: number;
  /** Heap after every flow reached an outcome and was dropped, minus the heap before, per flow. */
  readonly heapGrowthPerFlowBytes: number;
  readonly heapBeforeBytes: number;
  readonly heapWaitingBytes: number;
  readonly heapAfterBytes: number;
  /** CPU per flow for one clock advance that makes every flow poll once (each measured tick). */
  readonly tickCpuUs: readonly number[];
  /** CPU per call of the transport alone, the same calls (one measure per tick). */
  readonly transportCpuUs: readonly number[];
  /** Median of tickCpuUs − median of transportCpuUs. */
  readonly netTickCpuUs: number;
  /**
   * CPU per flow (user + system) from just before the first flow is created until the last one
   * made its first transport call: what starting a flow costs until its first request is issued.
   */
  readonly startCpuUs: number;
  /** The same window in wall time, per flow. */
  readonly startWallUs: number;
  /** Wall time per flow until every flow sent its push and waits for its first poll (longer window). */
  readonly startToPollWallUs: number;
  /**
   * Timers pending on the clock each time every flow waits for its next poll: once after the
   * start, then after each measured tick (a timer left behind by a poll shows up as growth).
   */
  readonly timersWhileWaiting: readonly number[];
  readonly timersAfter: number;
  /** Listeners left on the app-facing emitters (`handle.events`) and on the flows' own emitters. */
  readonly listenersAfter: { readonly app: number; readonly internal: number };
  readonly outcomes: Readonly<Record<string, number>>;
  /** Wall time of each phase of the worker, for keeping `pnpm bench` within its time budget. */
  readonly phaseMs: Readonly<Record<string, number>>;
}

const MFA_TOKEN = "bench-mfa-token";
const OOB_CODE = "bench-oob-code";
const INTERVAL_MS = DEFAULTS.pollIntervalMs;

// Fresh answer objects per call, as a real transport makes; the same secrets for every flow so the
// transport's call log numbers two secrets in all, not two per flow.
const listAnswer = (): Result<readonly Authenticator[]> => ({
  ok: true,
  value: [{ id: "push|dev_bench00000000000", authenticatorType: "oob", oobChannel: "auth0", active: true, name: "Bench phone" }],
});
const challengeAnswer = (): Result<ChallengeAnswer> => ({ ok: true, value: { challengeType: "oob", oobCode: OOB_CODE } });
const pendingAnswer = (): Result<Tokens> => ({
  ok: false,
  problem: { code: "authorization_pending", message: "Authorization pending: please repeat the request in a few seconds.", status: 400 },
});
const approvedAnswer = (): Result<Tokens> => ({ ok: true, value: { accessToken: "bench-access-token", tokenType: "Bearer", expiresIn: 600 } });

/** The flows under test, started and ended the same way whatever runs them. */
interface Population {
  start(count: number): void;
  outcomes(): Promise<string[]>;
  listeners(): Promise<{ app: number; internal: number }>;
  drop(): void;
}

interface Listened {
  eventNames(): (string | symbol)[];
  listenerCount(name: string | symbol): number;
}

function listenerTotal(emitter: Listened): number {
  return emitter.eventNames().reduce((sum, name) => sum + emitter.listenerCount(name), 0);
}

function pushflowPopulation(transport: Transport, clock: HeapClock): Population {
  const adapter = createAdapter({
    createTransport: () => {
      throw new Error("the bench passes its own transport");
    },
  });
  let handles: ChallengeHandle[] = [];
  return {
    start(count) {
      for (let i = 0; i < count; i++) handles.push(adapter.challenge({ transport, clock, mfaToken: MFA_TOKEN }));
    },
    outcomes: () => Promise.all(handles.map(async (h) => (await h.outcome).outcome)),
    async listeners() {
      let app = 0;
      let internal = 0;
      for (const handle of handles) {
        app += listenerTotal(handle.events as unknown as Listened);
        const flow = await handle.started;
        if (flow) internal += listenerTotal(flow.events as unknown as Listened);
      }
      return { app, internal };
    },
    drop() {
      handles = [];
    },
  };
}

function baselinePopulation(transport: Transport, clock: HeapClock): Population {
  let runs: Promise<MinimalOutcome>[] = [];
  return {
    start(count) {
      for (let i = 0; i < count; i++) runs.push(minimalChallenge(transport, clock, MFA_TOKEN, INTERVAL_MS));
    },
    outcomes: () => Promise.all(runs.map(async (r) => (await r).outcome)),
    listeners: () => Promise.resolve({ app: 0, internal: 0 }),
    drop() {
      runs = [];
    },
  };
}

/** The floor machine bound to a transport: built once, shared by the warm-up and the measured flows (as core's are). */
const floorMachines = new WeakMap<Transport, XStateFloorMachine>();

function xstateFloorPopulation(transport: Transport, clock: HeapClock): Population {
  let machine = floorMachines.get(transport);
  if (machine === undefined) floorMachines.set(transport, (machine = xstateFloorMachine(transport, INTERVAL_MS)));
  const bound = machine;
  let actors: XStateFloorActor[] = [];
  return {
    start(count) {
      for (let i = 0; i < count; i++) actors.push(startXStateFloor(bound, clock, MFA_TOKEN));
    },
    // Subscribes only now (after the heap was read): a waiting flow is its actor and nothing else.
    outcomes: () => Promise.all(actors.map(async (a) => (await xstateFloorOutcome(a)).outcome)),
    listeners: () => Promise.resolve({ app: 0, internal: 0 }),
    drop() {
      actors = [];
    },
  };
}

const POPULATIONS: Record<ScaleSubject, (transport: Transport, clock: HeapClock) => Population> = {
  pushflow: pushflowPopulation,
  baseline: baselinePopulation,
  "xstate-floor": xstateFloorPopulation,
};

async function heapNow(): Promise<number> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("run the scale worker with node --expose-gc");
  for (let i = 0; i < 2; i++) {
    await turn();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Waits until the transport answered `count` calls of `method` since its log was cleared. */
async function answered(transport: ScriptedTransport, method: "challenge" | "verifyOob", count: number): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await turn();
    if (transport.callsTo(method).filter((c) => c.answer !== undefined).length >= count) {
      await turn();
      return;
    }
  }
  throw new Error(`only ${transport.callsTo(method).length} of ${count} ${method} calls were answered`);
}

/** CPU per call of the transport alone: `count` concurrent polls, as the flows make them. */
async function transportCpu(transport: ScriptedTransport, count: number): Promise<number> {
  transport.append("verifyOob", { answer: pendingAnswer, times: count });
  transport.clearCalls();
  const since = process.cpuUsage();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) calls.push(transport.verifyOob({ mfaToken: MFA_TOKEN, oobCode: OOB_CODE }));
  await Promise.all(calls);
  await turn();
  const used = cpuSince(since);
  transport.clearCalls();
  return used / count;
}

/** Every flow polls once: the clock moves one interval and every flow gets `pending`. */
async function tick(transport: ScriptedTransport, clock: HeapClock, count: number): Promise<number> {
  transport.append("verifyOob", { answer: pendingAnswer, times: count });
  transport.clearCalls();
  const since = process.cpuUsage();
  clock.increment(INTERVAL_MS);
  await answered(transport, "verifyOob", count);
  const used = cpuSince(since);
  transport.clearCalls();
  return used / count;
}

/** CPU and wall time since the probe was armed, read when the last flow made its first request. */
interface FirstRequest {
  readonly cpuUs: number;
  readonly wallMs: number;
}

/**
 * The transport the flows get: the scripted one, with its first-request methods counted. A flow
 * starts with `listAuthenticators`, or with `challenge` if it sends the push without listing,
 * and calls each at most once before it polls: so when one of them has been called `count` times
 * since `arm(count)`, the last of `count` flows has just issued its first request. Only those two
 * are wrapped; the polls call the scripted transport's own `verifyOob`, as the transport-alone
 * measure does.
 */
function startProbe(transport: ScriptedTransport) {
  let target = 0;
  let counts = { listAuthenticators: 0, challenge: 0 };
  let armedCpu = process.cpuUsage();
  let armedWall = 0;
  let reached: FirstRequest | undefined;
  const count = (method: keyof typeof counts) => {
    // The clocks are read before the scripted transport handles this call: its cost is the transport's.
    if (++counts[method] === target && reached === undefined) reached = { cpuUs: cpuSince(armedCpu), wallMs: performance.now() - armedWall };
  };
  const probed: Transport = {
    ...transport,
    listAuthenticators: (request, options) => {
      count("listAuthenticators");
      return transport.listAuthenticators(request, options);
    },
    challenge: (request, options) => {
      count("challenge");
      return transport.challenge(request, options);
    },
  };
  return {
    transport: probed,
    /** Starts the clocks; the next `flows` flows started are the ones waited for. */
    arm(flows: number) {
      target = flows;
      counts = { listAuthenticators: 0, challenge: 0 };
      reached = undefined;
      armedCpu = process.cpuUsage();
      armedWall = performance.now();
    },
    reached: () => reached,
  };
}

type StartProbe = ReturnType<typeof startProbe>;

/** What starting the flows cost, per flow. */
interface StartCost {
  readonly cpuUs: number;
  readonly wallUs: number;
  readonly toPollWallUs: number;
}

/**
 * Starts `count` flows and waits until each has sent its push and waits for its first poll. The
 * flows must have been made with `probe.transport`.
 */
async function startFlows(population: Population, transport: ScriptedTransport, probe: StartProbe, count: number): Promise<StartCost> {
  transport.append("listAuthenticators", { answer: listAnswer, times: count });
  transport.append("challenge", { answer: challengeAnswer, times: count });
  transport.clearCalls();
  probe.arm(count);
  const started = performance.now();
  population.start(count);
  await answered(transport, "challenge", count);
  const toPollMs = performance.now() - started;
  const first = probe.reached();
  if (first === undefined) throw new Error(`the ${count} flows did not each make a first request`);
  transport.clearCalls();
  return { cpuUs: first.cpuUs / count, wallUs: (first.wallMs * 1000) / count, toPollWallUs: (toPollMs * 1000) / count };
}

/** Every flow gets tokens at its next poll; resolves with the outcomes, counted. */
async function approveAll(population: Population, transport: ScriptedTransport, clock: HeapClock, count: number) {
  transport.append("verifyOob", { answer: approvedAnswer, times: count });
  clock.increment(INTERVAL_MS);
  const outcomes: Record<string, number> = {};
  for (const outcome of await population.outcomes()) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  await turn();
  transport.clearCalls();
  return outcomes;
}

export async function runScale(options: ScaleOptions): Promise<ScaleReport> {
  const clock = new HeapClock();
  const transport = createScriptedTransport({}, { clock });
  const phaseMs: Record<string, number> = {};
  let phaseStart = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phaseMs[name] = Math.round(now - phaseStart);
    phaseStart = now;
  };
  const make = POPULATIONS[options.subject];
  // One probed transport for the warm-up and the measured flows, so core's machines bound to it are built once.
  const probe = startProbe(transport);

  // Warm-up: the same lifecycle on fewer flows, then dropped.
  const warm = make(probe.transport, clock);
  await startFlows(warm, transport, probe, options.warmup);
  for (let i = 0; i < 2; i++) await tick(transport, clock, options.warmup);
  await transportCpu(transport, options.warmup);
  await approveAll(warm, transport, clock, options.warmup);
  warm.drop();
  phase("warmup");

  const heapBeforeBytes = await heapNow();
  phase("heapBefore");
  const population = make(probe.transport, clock);
  const start = await startFlows(population, transport, probe, options.flows);
  phase("start");
  const heapWaitingBytes = await heapNow();
  phase("heapWaiting");
  const timersWhileWaiting = [clock.pending];

  const tickCpuUs: number[] = [];
  const transportCpuUs: number[] = [];
  for (let i = 0; i < options.ticks; i++) {
    tickCpuUs.push(await tick(transport, clock, options.flows));
    // Every flow got its answer and waits for its next poll again (`tick` waits for that).
    timersWhileWaiting.push(clock.pending);
    transportCpuUs.push(await transportCpu(transport, options.flows));
  }
  phase("ticks");

  const outcomes = await approveAll(population, transport, clock, options.flows);
  phase("approve");
  const timersAfter = clock.pending;
  const listenersAfter = await population.listeners();
  population.drop();
  phase("count");
  const heapAfterBytes = await heapNow();
  phase("heapAfter");

  return {
    subject: options.subject,
    flows: options.flows,
    heapPerFlowBytes: (heapWaitingBytes - heapBeforeBytes) / options.flows,
    heapGrowthPerFlowBytes: (heapAfterBytes - heapBeforeBytes) / options.flows,
    heapBeforeBytes,
    heapWaitingBytes,
    heapAfterBytes,
    tickCpuUs,
    transportCpuUs,
    netTickCpuUs: median(tickCpuUs) - median(transportCpuUs),
    startCpuUs: start.cpuUs,
    startWallUs: start.wallUs,
    startToPollWallUs: start.toPollWallUs,
    timersWhileWaiting,
    timersAfter,
    listenersAfter,
    outcomes,
    phaseMs,
  };
}
