/**
 * Server mode through faults (issue 17), against a real redis-server, the emulator as Auth0 on
 * the real clock, and the example's HTTP routes. Each fault prints: flows, right outcomes,
 * duplicate polls, early polls, lost outcomes. Scaled down by default; `PUSHFLOW_SERVER_FAULTS=full`
 * runs 2,000 flows on 4 instances, with `kill -9` and a Redis restart in the same run.
 */
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlowServer, type LeaseStore } from "@pushflow/server";
import { RedisFlowStore } from "@pushflow/server/redis";
import { REDIS_URL_VARIABLE, skipRedis, startRedis, type TestRedis } from "../../../packages/server/test/redis-server.ts";
import { createApp } from "../src/app.ts";
import {
  browser,
  CLIENT,
  explainLosses,
  gaveUpOf,
  INTERVAL_MS,
  LOST_WORDS,
  pollFigures,
  print,
  sleep,
  startAuth0,
  startChild,
  type Auth0,
  type ChildInstance,
  type Endpoint,
  type Figures,
  type GaveUp,
} from "./fault-harness.ts";

const FULL = process.env["PUSHFLOW_SERVER_FAULTS"] === "full";
/** The flows of the kill and restart run: 2,000 in the full run unless PUSHFLOW_SERVER_FAULTS_FLOWS says otherwise. */
const RUN_FLOWS = Number(process.env["PUSHFLOW_SERVER_FAULTS_FLOWS"] ?? (FULL ? 2_000 : 24));
const KEY = new Uint8Array(32).fill(3);
const KEYS = [{ id: "k1", key: KEY }];
const KEYS_ENV = `k1:${Buffer.from(KEY).toString("base64")}`;
/**
 * Every instance: a step starts calls for leaseMs - requestTimeoutMs (1 s) after its claim, each
 * ends within requestTimeoutMs (transport-fetch's timeout), and the lease lasts one interval more.
 */
const LEASE_MS = 3_000;
const REQUEST_TIMEOUT_MS = 2_000;
/** Between two calls of one browser. */
const BROWSER_PERIOD_MS = 1_000;

interface Flow {
  readonly username: string;
  readonly browser: ReturnType<typeof browser>;
  flowId: string;
  /** The first `done` outcome and reason, or "gone". */
  outcome?: string;
  reason?: string;
}

/** A deterministic sample stream. */
function lcg(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

describe.skipIf(skipRedis)("server mode through faults", () => {
  let auth0: Auth0;
  let users = 0;

  beforeAll(async () => {
    auth0 = await startAuth0();
  });
  afterAll(async () => {
    await auth0?.close();
  });

  /** Users whose phone approves the push `answerAfterMs` after it came. */
  async function makeFlows(count: number, answerAfterMs: () => number): Promise<Flow[]> {
    const flows = Array.from({ length: count }, () => ({ username: `fault-${users++}@example.com`, browser: browser(), flowId: "" }));
    await auth0.users(flows.map((f) => ({ username: f.username, answerAfterMs: answerAfterMs() })));
    return flows;
  }

  /** One browser call: records a final answer; a 5xx or a dropped connection is asked again next round. */
  async function advance(flow: Flow, endpoint: Endpoint): Promise<number> {
    try {
      const { status, body } = await flow.browser.post(endpoint, `/flows/${flow.flowId}/advance`, {});
      if (status === 200 && body["status"] === "done" && flow.outcome === undefined) {
        flow.outcome = String(body["outcome"]);
        flow.reason = String(body["reason"]);
      }
      if (status === 200 && body["status"] === "gone" && flow.outcome === undefined) flow.outcome = "gone";
      return status;
    } catch {
      return 0;
    }
  }

  /** Sign-ins that failed in transit to the emulator (a loaded machine) and were tried again, as a user would. */
  let loginRetries = 0;

  async function start(flows: readonly Flow[], endpoint: (i: number) => Endpoint) {
    await pool(flows, 25, async (flow) => {
      const signIn = () => flow.browser.post(endpoint(flows.indexOf(flow)), "/flows", { kind: "challenge", username: flow.username, password: "pw" });
      let { status, body } = await signIn();
      for (let tries = 0; tries < 3 && body["status"] === "done" && /login failed: .*(no answer within|→ 502|network error)/.test(String(body["reason"])); tries++) {
        loginRetries++;
        ({ status, body } = await signIn());
      }
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body["status"], JSON.stringify(body)).toBe("pending");
      flow.flowId = String(body["flowId"]);
    });
  }

  async function figures(fault: string, flows: readonly Flow[], codes: readonly string[], extra?: string, gaveUp?: GaveUp): Promise<Figures> {
    const right = flows.filter((f) => f.outcome === "approved").length;
    const lostTold = flows.filter((f) => f.outcome === "failed" && LOST_WORDS.test(f.reason ?? "")).length;
    const polls = pollFigures(await auth0.polls(codes), gaveUp);
    return { fault, flows: flows.length, right, lostTold, lostSilent: flows.length - right - lostTold, ...polls, ...(extra ? { extra } : {}) };
  }

  /** The oob_codes handed out since `before` (this fault's pushes). */
  const pushedCodes = async () => new Set(await auth0.pushedCodes());
  const codesSince = async (before: ReadonlySet<string>) => (await auth0.pushedCodes()).filter((code) => !before.has(code));

  function inProcess(redis: TestRedis, name: string, extra: { keys?: typeof KEYS; store?: LeaseStore; onSignedIn?: (flowId: string) => void } = {}) {
    const keys = extra.keys ?? KEYS;
    const app = createApp({
      instance: name,
      log: () => {},
      ...(extra.onSignedIn ? { onSignedIn: (_output: unknown, flowId: string) => extra.onSignedIn?.(flowId) } : {}),
      flows: createFlowServer({
        store: extra.store ?? new RedisFlowStore(redis.connect()),
        domain: auth0.url,
        ...CLIENT,
        encryptionKeys: keys,
        unsealedForDevelopment: keys.length === 0,
        leaseMs: LEASE_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        instanceId: name,
        warn: () => {},
      }),
    });
    const endpoint: Endpoint = async (path, init) => app.request(path, init);
    return endpoint;
  }

  // It restarts its own redis-server (with AOF): not with PUSHFLOW_TEST_REDIS_URL.
  it.skipIf(process.env[REDIS_URL_VARIABLE] !== undefined)(
    `${RUN_FLOWS} flows on ${FULL ? 4 : 2} instances: kill -9 of one after approvals came in, then a Redis restart (AOF)`,
    { timeout: FULL ? 600_000 : 120_000 },
    async () => {
      const began = Date.now();
      const redis = await startRedis({ appendonly: true });
      const count = RUN_FLOWS;
      const children: ChildInstance[] = [];
      try {
        const env = { AUTH0_CLIENT_ID: CLIENT.clientId, AUTH0_CLIENT_SECRET: CLIENT.clientSecret, REDIS_URL: redis.url, PUSHFLOW_ENCRYPTION_KEYS: KEYS_ENV, PUSHFLOW_LEASE_MS: String(LEASE_MS), PUSHFLOW_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) };
        // Each instance reaches Auth0 through a proxy of its own, so every poll is known by its sender.
        for (const name of FULL ? ["a", "b", "c", "d"] : ["a", "b"]) children.push(await startChild(name, { ...env, AUTH0_DOMAIN: await auth0.proxyFor(name) }));
        const victim = children[children.length - 1] as ChildInstance;
        const random = lcg(17);
        const flows = await makeFlows(count, () => 1_000 + Math.floor(random() * 2_000));
        const before = await pushedCodes();
        let turn = 0;
        const live = () => children.filter((c) => c.alive);
        await start(flows, () => (live()[turn++ % live().length] as ChildInstance).endpoint);

        // Kill the victim as the emulator answers its (or anyone's) Nth approved poll, before the answer is passed on.
        const killAfter = Math.max(2, Math.floor(count / 8));
        await auth0.killOnApprovedPoll(victim.pid, killAfter);
        let restarted = false;
        let restartedWithLive = 0;
        /** When Redis was stopped, after the kill, and how long until it answered again (ms). */
        let restartAfterKill = 0;
        let restartTook = 0;
        let unavailable = 0;
        const deadline = Date.now() + (FULL ? 400_000 : 60_000);
        while (flows.some((f) => f.outcome === undefined) && Date.now() < deadline) {
          const round = Date.now();
          // Until it dies, the victim takes every call: its polls are the ones that redeem approvals.
          const target = () => (victim.alive ? victim : (live()[turn++ % live().length] as ChildInstance)).endpoint;
          const restart = auth0.killedAt > 0 && !restarted && Date.now() > auth0.killedAt + 1_000;
          if (restart) {
            restarted = true;
            restartedWithLive = flows.filter((f) => f.outcome === undefined).length;
            restartAfterKill = Date.now() - auth0.killedAt;
          }
          const restarting = Date.now();
          await Promise.all([
            restart ? redis.restart?.().then(() => (restartTook = Date.now() - restarting)) : undefined,
            pool(
              flows.filter((f) => f.outcome === undefined),
              FULL ? 200 : 50,
              async (flow) => {
                const status = await advance(flow, target());
                if (status === 503 || status === 0) unavailable++;
              },
            ),
          ]);
          await sleep(Math.max(0, BROWSER_PERIOD_MS - (Date.now() - round)));
        }

        const reader = redis.connect();
        const keys = await reader.keys("pushflow:flow:*");
        const notOutcomes = (await Promise.all(keys.map((k) => reader.hget(k, "d")))).filter((v) => !v?.includes('"reported"')).length;
        const codes = await codesSince(before);
        const log = await auth0.polls(codes);
        const losses = explainLosses(log, flows, victim.name, gaveUpOf(children));
        const result = await figures(
          `kill -9 + Redis restart (AOF), ${children.length} instances`,
          flows,
          codes,
          `instance killed at approved poll ${killAfter}, Redis restarted ${(restartAfterKill / 1000).toFixed(1)} s later (down ${restartTook} ms) with ${restartedWithLive} flows in flight, ` +
            `${unavailable} calls answered 503 or refused meanwhile, ` +
            `approvals lost with the killed instance ${losses.withKilled}, in transit ${losses.inTransit}, otherwise ${losses.unexplained.length}, ` +
            `keys left besides outcomes in their window: ${notOutcomes}, sign-ins retried after a login failed in transit: ${loginRetries}, ${((Date.now() - began) / 1000).toFixed(1)} s`,
          gaveUpOf(children),
        );
        print(result);
        const trace = process.env["PUSHFLOW_SERVER_FAULTS_TRACE"];
        if (trace) writeFileSync(trace, JSON.stringify({ killedAt: auth0.killedAt, victim: victim.name, log, gaveUp: Object.fromEntries(children.map((c) => [c.name, [...c.gaveUp]])), flows: flows.map(({ username, flowId, outcome, reason }) => ({ username, flowId, outcome, reason })) }));
        expect(victim.alive).toBe(false);
        expect(restarted).toBe(true);
        expect(flows.filter((f) => f.outcome === undefined || f.outcome === "gone" || (f.outcome !== "approved" && !LOST_WORDS.test(f.reason ?? ""))).map((f) => `${f.outcome}: ${f.reason}`)).toEqual([]);
        expect(result.lostSilent).toBe(0);
        expect(result.lostTold).toBeGreaterThanOrEqual(1);
        // Every approval lost was redeemed by the killed instance or answered to an instance that never read the answer: none the server held and dropped.
        expect(losses.unexplained).toEqual([]);
        expect(result.duplicatePolls).toBe(0);
        expect(result.earlyPolls).toBe(0);
        expect(notOutcomes).toBe(0);
      } finally {
        await Promise.all(children.map((c) => c.stop()));
        await redis.stop();
      }
    },
  );

  describe("in-process instances on one Redis", () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    /** Every browser asks every second, on the instances in turn, until each flow has its outcome. */
    async function runToEnd(flows: readonly Flow[], endpoints: readonly Endpoint[], seconds = 30) {
      let turn = 0;
      const deadline = Date.now() + seconds * 1_000;
      while (flows.some((f) => f.outcome === undefined) && Date.now() < deadline) {
        const round = Date.now();
        await pool(flows.filter((f) => f.outcome === undefined), 50, (flow) => advance(flow, endpoints[turn++ % endpoints.length] as Endpoint));
        await sleep(Math.max(0, BROWSER_PERIOD_MS - (Date.now() - round)));
      }
    }

    it("writes paused (CLIENT PAUSE … WRITE) for longer than a lease: no poll twice, no outcome lost", { timeout: 90_000 }, async () => {
      const count = FULL ? 200 : 12;
      const a = inProcess(redis, "a");
      const b = inProcess(redis, "b");
      const flows = await makeFlows(count, () => 1_000);
      const before = await pushedCodes();
      await start(flows, (i) => (i % 2 ? a : b));
      await sleep(INTERVAL_MS + 300);
      // Every poll is due: both instances load, claim while Redis holds writes, and get the claims
      // back after the whole lease (leaseMs, plus one 5 s interval) has run out.
      const admin = redis.connect();
      await admin.call("CLIENT", "PAUSE", String(LEASE_MS + INTERVAL_MS + 1_000), "WRITE");
      await Promise.all(flows.flatMap((flow) => [advance(flow, a), sleep(100).then(() => advance(flow, b))]));
      await runToEnd(flows, [a, b]);
      const result = await figures(`writes paused ${(LEASE_MS + INTERVAL_MS + 1_000) / 1000} s, lease ${LEASE_MS / 1000} s + one interval`, flows, await codesSince(before));
      print(result);
      expect(result.right).toBe(count);
      expect(result.duplicatePolls).toBe(0);
      expect(result.slowDowns).toBe(0);
      expect(result.earlyPolls).toBe(0);
    });

    it("two instances with different keys: the one without the flow's key leaves it untouched and answers 503", { timeout: 90_000 }, async () => {
      const count = FULL ? 50 : 6;
      const one = inProcess(redis, "k1");
      const two = inProcess(redis, "k2", { keys: [{ id: "k2", key: new Uint8Array(32).fill(4) }] });
      const none = inProcess(redis, "none", { keys: [] });
      const flows = await makeFlows(count, () => 1_000);
      const before = await pushedCodes();
      await start(flows, () => one);
      await sleep(INTERVAL_MS + 300);
      const reader = redis.connect();
      let refused = 0;
      let untouched = 0;
      for (const flow of flows) {
        const stored = await reader.hgetall(`pushflow:flow:${flow.flowId}`);
        for (const stranger of [two, none]) {
          const response = await stranger(`/flows/${flow.flowId}/advance`, { method: "POST", headers: { cookie: flow.browser.cookie() }, body: "{}" });
          if (response.status === 503 && response.headers.get("retry-after") !== null) refused++;
        }
        if (JSON.stringify(await reader.hgetall(`pushflow:flow:${flow.flowId}`)) === JSON.stringify(stored)) untouched++;
      }
      await runToEnd(flows, [one]);
      const result = await figures("two keys (k1, k2) and one instance without a key", flows, await codesSince(before), `answered 503 with Retry-After ${refused}/${count * 2}, records untouched ${untouched}/${count}`);
      print(result);
      expect(refused).toBe(count * 2);
      expect(untouched).toBe(count);
      expect(result.right).toBe(count);
      expect(result.duplicatePolls + result.earlyPolls).toBe(0);
    });

    it("a stolen flow id: the stranger's cookie gets nothing, the outcome goes to its browser", { timeout: 90_000 }, async () => {
      const count = FULL ? 50 : 6;
      let caller = "";
      const signedIn: { flowId: string; caller: string }[] = [];
      const onSignedIn = (flowId: string) => void signedIn.push({ flowId, caller });
      const a = inProcess(redis, "a", { onSignedIn });
      const b = inProcess(redis, "b", { onSignedIn });
      const flows = await makeFlows(count, () => 1_000);
      const before = await pushedCodes();
      await start(flows, (i) => (i % 2 ? a : b));
      const stranger = browser();
      let strangerAnswers = 0;
      const deadline = Date.now() + 30_000;
      while (flows.some((f) => f.outcome === undefined) && Date.now() < deadline) {
        // One at a time, so `caller` names whose request onSignedIn ran in.
        for (const flow of flows.filter((f) => f.outcome === undefined)) {
          caller = "stranger";
          const stolen = await stranger.post(a, `/flows/${flow.flowId}/advance`, {}, `pushflow_flow=${flow.flowId}`);
          if (stolen.body["status"] !== "gone") strangerAnswers++;
          caller = "owner";
          await advance(flow, b);
        }
        await sleep(BROWSER_PERIOD_MS);
      }
      const result = await figures("a stolen flow id", flows, await codesSince(before), `answers to the stranger other than gone: ${strangerAnswers}, sign-ins in the stranger's request: ${signedIn.filter((s) => s.caller === "stranger").length}`);
      print(result);
      expect(strangerAnswers).toBe(0);
      expect(signedIn.filter((s) => s.caller === "stranger")).toEqual([]);
      expect(new Set(signedIn.map((s) => s.flowId)).size).toBe(count);
      expect(result.right).toBe(count);
    });

    it("a failing delete: the outcome is committed first and answered to every caller within its window", { timeout: 90_000 }, async () => {
      const count = FULL ? 50 : 6;
      const inner = new RedisFlowStore(redis.connect());
      let deletes = 0;
      const failing: LeaseStore = {
        leases: "native",
        read: (key) => inner.read(key),
        claim: (key, options) => inner.claim(key, options),
        release: (key, token) => inner.release(key, token),
        get: (key) => inner.get(key),
        put: (key, value, options) => inner.put(key, value, options),
        delete: async () => {
          deletes++;
          throw new Error("test: DEL failed");
        },
      };
      const a = inProcess(redis, "a", { store: failing });
      const flows = await makeFlows(count, () => 1_000);
      const before = await pushedCodes();
      await start(flows, () => a);
      await runToEnd(flows, [a]);
      let again = 0;
      for (const flow of flows) if ((await flow.browser.post(a, `/flows/${flow.flowId}/advance`, {})).body["outcome"] === "approved") again++;
      const result = await figures("a failing delete", flows, await codesSince(before), `asked again after the outcome: done ${again}/${count}, deletes tried ${deletes}`);
      print(result);
      expect(result.right).toBe(count);
      expect(again).toBe(count);
    });
  });
});
