/**
 * The back-end at scale: 1,000 concurrent push challenges through two instances that share one
 * real Redis, behind a round-robin load balancer, against the emulator over HTTP. All time is
 * one SimulatedClock (flows, emulator, Redis expiries), moved in steps like a browser polling
 * every 2.5 s. One instance is killed mid-run; its flows must go on elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { ChallengeOutput, Transport } from "@pushflow/core";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import { createFetchTransport, type FetchFunction } from "@pushflow/transport-fetch";
import { createFlowServer, type FlowAccess, type FlowAnswer, type FlowServer, type LeaseStore } from "../src/index.ts";
import { RedisFlowStore } from "../src/redis.ts";
import { skipRedis, startRedis, type TestRedis } from "./redis-server.ts";

const FLOWS = Number(process.env["PUSHFLOW_SCALE_FLOWS"] ?? 1_000);
const INTERVAL_MS = 5_000;
const BROWSER_PERIOD_MS = 2_500;
const TIMEOUT_MS = 30_000;
const LEASE_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5_000;
const KILL_AT_MS = 5_000;
/** The killed instance dies as it sends its 25th poll of the kill round. */
const KILL_ON_POLL = 25;
const PREFIX = "pushflow:scale:";
const CLIENT = { clientId: "bff", clientSecret: "bff-secret" };
/** As in production: the flows at rest are sealed (AES-GCM). */
const KEY = crypto.getRandomValues(new Uint8Array(32));

type Plan = "approve" | "reject" | "expire" | "otp";
interface Flow {
  readonly username: string;
  readonly plan: Plan;
  /** Sim ms after the start when the device answers, or when the user types the code. */
  readonly at: number;
  flowId: string;
  binding: string;
  mfaToken: string;
  dones: ChallengeOutput[];
  otpSent: boolean;
  lostCalls: number;
}

/** A deterministic sample stream (tests must replay). */
function lcg(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

function planOf(i: number): Plan {
  const slot = i % 20;
  return slot < 8 ? "approve" : slot < 13 ? "reject" : slot < 16 ? "expire" : "otp";
}

/** One back-end instance: its own Redis connection, transport and kill switch. */
interface Instance {
  readonly name: string;
  readonly server: FlowServer;
  readonly alive: boolean;
  /** Settles when the instance dies: calls in flight to it are lost then. */
  readonly died: Promise<void>;
  kill(): void;
  armKill(afterPolls: number): void;
}

describe.skipIf(skipRedis)("server at scale: two instances, one Redis, the emulator", () => {
  let redis: TestRedis;
  let emulator: RunningEmulator;
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const t0 = clock.now();
  const challengeAt = new Map<string, number>();

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({
      clock,
      seed: false,
      clients: [CLIENT],
      // One poll per interval per oob_code: a duplicate or early poll would be answered slow_down.
      limits: { pollBurst: 1, pollRefillMs: INTERVAL_MS, pushBurst: 5 },
    });
  });
  afterAll(async () => {
    await emulator?.close();
    await redis?.stop();
  });

  function instance(name: string): Instance {
    let alive = true;
    let markDied: () => void = () => {};
    const died = new Promise<void>((resolve) => (markDied = resolve));
    let armedAfter = Number.POSITIVE_INFINITY;
    let pollsSinceArmed = 0;
    const hang = () => new Promise<never>(() => {});
    const kill = () => {
      if (!alive) return;
      alive = false;
      markDied();
    };
    // A dead process sends nothing more and reads no answer.
    const fetchFn: FetchFunction = async (input, init) => {
      if (!alive) return hang();
      // Token requests: in the kill round (before any code is typed) they are all polls.
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith("/oauth/token") && ++pollsSinceArmed >= armedAfter) kill();
      if (!alive) return hang();
      const response = await fetch(input, init);
      return alive ? response : hang();
    };
    const http = createFetchTransport({ domain: emulator.url, ...CLIENT, fetch: fetchFn, now: () => clock.now(), timeoutMs: REQUEST_TIMEOUT_MS });
    // Test-only peek at the oob_code: when each push went out, to check the first poll's timing.
    const transport: Transport = {
      ...http,
      challenge: async (request, options) => {
        const answer = await http.challenge(request, options);
        if (answer.ok && answer.value.oobCode) challengeAt.set(answer.value.oobCode, clock.now());
        return answer;
      },
    };
    const redisStore = new RedisFlowStore(redis.connect(), { now: () => clock.now() });
    const store: LeaseStore = {
      leases: "native",
      read: async (key) => (alive ? redisStore.read(key) : hang()),
      claim: async (key, options) => {
        if (!alive) return hang();
        const claimed = await redisStore.claim(key, options);
        return alive ? claimed : hang();
      },
      release: async (key, token) => (alive ? redisStore.release(key, token) : hang()),
      get: async (key) => (alive ? redisStore.get(key) : hang()),
      put: async (key, value, options) => {
        if (!alive) return hang();
        const version = await redisStore.put(key, value, options);
        return alive ? version : hang();
      },
      delete: async (key) => (alive ? redisStore.delete(key) : hang()),
    };
    const self: Instance = {
      name,
      server: createFlowServer({ store, transport, clock, keyPrefix: PREFIX, leaseMs: LEASE_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, instanceId: name, encryptionKeys: [{ id: "k1", key: KEY }], warn: () => {} }),
      get alive() {
        return alive;
      },
      died,
      kill,
      armKill: (afterPolls) => {
        pollsSinceArmed = 0;
        armedAfter = afterPolls;
      },
    };
    return self;
  }

  it(`runs ${FLOWS} concurrent challenges to the right outcome, with no duplicate or early poll and no key left`, { timeout: 240_000 }, async () => {
    const started = performance.now();
    const random = lcg(20_261_128);
    const flows: Flow[] = Array.from({ length: FLOWS }, (_, i) => ({
      username: `user-${i}@example.com`,
      plan: planOf(i),
      at: 6_000 + Math.floor(random() * 10_000),
      flowId: "",
      binding: "",
      mfaToken: "",
      dones: [],
      otpSent: false,
      lostCalls: 0,
    }));
    for (const flow of flows) {
      emulator.tenant.addUser({ username: flow.username, password: "pw" });
      const device = emulator.device(flow.username);
      device.enroll(flow.username);
      if (flow.plan === "approve" || flow.plan === "reject") device.setPolicy({ answer: flow.plan, answerAfterMs: flow.at });
    }

    const instances = [instance("a"), instance("b")];
    const victim = instances[1]!;
    let turn = 0;
    let calls = 0;
    let lost = 0;
    /** The load balancer: round robin over the live instances; a call to one that dies is lost. */
    const call = async (flow: Flow, run: (server: FlowServer, access: FlowAccess) => Promise<FlowAnswer>): Promise<FlowAnswer | undefined> => {
      const live = instances.filter((i) => i.alive);
      const target = live[turn++ % live.length]!;
      calls++;
      const answer = await Promise.race([run(target.server, { binding: flow.binding }), target.died.then(() => undefined)]);
      if (answer === undefined) {
        lost++;
        flow.lostCalls++;
      }
      if (answer?.status === "done") flow.dones.push(answer.outcome as ChallengeOutput);
      if (answer?.status === "gone" && flow.dones.length === 0) throw new Error(`flow ${flow.username} was lost`);
      return answer;
    };
    const pool = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) => {
      let next = 0;
      await Promise.all(Array.from({ length: limit }, async () => {
        while (next < items.length) await work(items[next++]!);
      }));
    };

    // Every flow starts at t0: list authenticators, push, save.
    await pool(flows, 100, async (flow) => {
      flow.mfaToken = emulator.tenant.mintMfaToken(flow.username, CLIENT.clientId);
      const answer = await instances[turn++ % 2]!.server.start("challenge", { mfaToken: flow.mfaToken, timeoutMs: TIMEOUT_MS });
      expect(answer.status).toBe("pending");
      flow.flowId = answer.flowId;
      flow.binding = answer.status === "pending" ? (answer.binding ?? "") : "";
    });

    // What Redis holds: sealed flows, no client secret, no mfa_token in clear.
    const reader = redis.connect();
    const byId = new Map(flows.map((f) => [f.flowId, f]));
    const stored = await Promise.all((await reader.keys(`${PREFIX}*`)).map(async (key) => ({ flow: byId.get(key.slice(PREFIX.length)), value: (await reader.hget(key, "d")) ?? "" })));
    expect(stored).toHaveLength(FLOWS);
    const clear = stored.filter(({ flow, value }) => !value.includes('"data":"aes-gcm:') || value.includes(CLIENT.clientSecret) || value.includes(flow!.mfaToken));
    expect(clear).toEqual([]);

    let rounds = 0;
    let abandoned = 0;
    while (flows.some((f) => f.dones.length === 0)) {
      if (++rounds > 40) throw new Error("flows did not end");
      clock.increment(BROWSER_PERIOD_MS);
      const now = clock.now() - t0;
      if (now === KILL_AT_MS) victim.armKill(KILL_ON_POLL);
      const live = flows.filter((f) => f.dones.length === 0);
      await pool(live, 200, async (flow) => {
        if (flow.plan === "otp" && now >= flow.at && !flow.otpSent) {
          const switched = await call(flow, (s, access) => s.advance(flow.flowId, { type: "USE_OTP" }, access));
          if (switched?.status !== "pending") return;
          const otp = emulator.device(flow.username).totp();
          const answer = await call(flow, (s, access) => s.advance(flow.flowId, { type: "SUBMIT_OTP", otp }, access));
          if (answer?.status === "done" || answer?.status === "pending") flow.otpSent = true;
          return;
        }
        // Every fourth user has the page open twice: two calls at once, on both instances.
        const twice = flows.indexOf(flow) % 4 === 0;
        await Promise.all([call(flow, (s, access) => s.advance(flow.flowId, undefined, access)), twice ? call(flow, (s, access) => s.advance(flow.flowId, undefined, access)) : undefined]);
      });
      // The flows the dead instance had claimed: their steps were abandoned mid-way.
      if (now === KILL_AT_MS) {
        const owners = await Promise.all((await reader.keys(`${PREFIX}*`)).map((key) => reader.hget(key, "lo")));
        abandoned = owners.filter((o) => o === victim.name).length;
      }
    }
    const seconds = (performance.now() - started) / 1000;

    // Each flow: one outcome, the right one.
    const expected: Record<Plan, Partial<ChallengeOutput>> = {
      approve: { outcome: "approved", method: "push" } as Partial<ChallengeOutput>,
      reject: { outcome: "rejected" },
      expire: { outcome: "expired" },
      otp: { outcome: "approved", method: "otp" } as Partial<ChallengeOutput>,
    };
    // Every caller that got `done` (two tabs may) got the same outcome, the right one.
    const right = (f: Flow, d: ChallengeOutput) => Object.entries(expected[f.plan]).every(([k, v]) => (d as Record<string, unknown>)[k] === v);
    const wrong = flows.filter((f) => f.dones.length === 0 || !f.dones.every((d) => right(f, d)));
    expect(wrong.map((f) => ({ plan: f.plan, dones: f.dones.map((d) => d.outcome) }))).toEqual([]);

    // The emulator's view of the polls: per oob_code, never two within one interval, never one
    // sooner than one interval after the push.
    const polls = emulator.requests.entries.filter((e) => e.grantType === "mfa-oob");
    const byCode = new Map<string, number[]>();
    for (const p of polls) byCode.set(p.oobCode ?? "", [...(byCode.get(p.oobCode ?? "") ?? []), p.at]);
    let duplicates = 0;
    let early = 0;
    for (const [code, times] of byCode) {
      times.sort((x, y) => x - y);
      if (times[0]! - challengeAt.get(code)! < INTERVAL_MS) early++;
      for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < INTERVAL_MS) duplicates++;
    }
    const slowDowns = polls.filter((p) => p.status === 429).length;
    expect(byCode.size).toBeGreaterThan(FLOWS / 2);
    expect(duplicates).toBe(0);
    expect(early).toBe(0);
    expect(slowDowns).toBe(0);

    // The killed instance died mid-run with steps in hand, and still no flow was lost.
    expect(victim.alive).toBe(false);
    expect(lost).toBeGreaterThan(0);
    expect(abandoned).toBeGreaterThan(0);

    // No key outlives its flow: what is left are the committed outcomes, for their answer window.
    const keys = await reader.keys(`${PREFIX}*`);
    const left = await Promise.all(keys.map(async (key) => ({ value: (await reader.hget(key, "d")) ?? "", ttl: await reader.pttl(key) })));
    expect(left.filter(({ value, ttl }) => !value.includes('"reported"') || ttl > 60_000)).toEqual([]);

    const count = (plan: Plan) => flows.filter((f) => f.plan === plan).length;
    console.log(
      `server scale: ${FLOWS} flows, 2 instances (1 killed at ${KILL_AT_MS / 1000} s: ${lost} calls lost, ${abandoned} flows abandoned mid-step and taken over), ` +
        `${calls} advance calls, ${polls.length} polls, duplicate polls: ${duplicates}, early polls: ${early}, slow_down: ${slowDowns}, ` +
        `outcomes right: ${FLOWS - wrong.length}/${FLOWS} (approved push ${count("approve")}, approved otp ${count("otp")}, ` +
        `rejected ${count("reject")}, expired ${count("expire")}), redis keys left besides outcomes in their answer window: 0, ${rounds} rounds, ${seconds.toFixed(1)} s`,
    );
  });
});
