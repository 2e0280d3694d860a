import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { FlowOutput } from "@pushflow/core";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import { createFlowServer } from "@pushflow/server";
import { RedisFlowStore } from "@pushflow/server/redis";
import { skipRedis, startRedis, type TestRedis } from "../../../packages/server/test/redis-server.ts";
import { createApp, type BrowserAnswer } from "../src/app.ts";
import { roundRobin } from "../src/balancer.ts";

describe.skipIf(skipRedis)("server example: two instances, one Redis, a plain page", () => {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  let redis: TestRedis;
  let emulator: RunningEmulator;
  const signedIn: FlowOutput[] = [];
  const servers: ServerType[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ clock, devicePolicy: { scanAfterMs: 4_000, answer: "approve", answerAfterMs: 4_000 } });
  });
  afterAll(async () => {
    servers.forEach((s) => s.close());
    await emulator?.close();
    await redis?.stop();
  });

  /** One instance as its own process would run it: its own Redis connection, the shared key. */
  const instance = (name: string) =>
    createApp({
      instance: name,
      onSignedIn: (output) => void signedIn.push(output),
      flows: createFlowServer({
        store: new RedisFlowStore(redis.connect(), { now: () => clock.now() }),
        domain: emulator.url,
        clientId: "pushflow-confidential",
        clientSecret: "pushflow-demo-secret",
        clock,
        encryptionKeys: [{ id: "k1", key: new Uint8Array(32).fill(1) }],
        keyPrefix: "pushflow:example:",
      }),
    });

  /** A browser: keeps the flow cookie, and sends each request to the next instance. */
  function browser(apps: ReturnType<typeof instance>[]) {
    let cookie = "";
    let turn = 0;
    const bodies: string[] = [];
    const send = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const app = apps[turn++ % apps.length]!;
      const response = await app.request(path, { method: "POST", headers: { "content-type": "application/json", cookie, ...headers }, body: JSON.stringify(body) });
      const set = response.headers.get("set-cookie");
      if (set) cookie = set.split(";")[0]!;
      const text = await response.text();
      bodies.push(text);
      return { status: response.status, answer: JSON.parse(text) as BrowserAnswer & { error?: string }, instance: response.headers.get("x-instance") };
    };
    return { send, bodies, cookie: () => cookie };
  }

  it("serves the page", async () => {
    const response = await instance("a").request("/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Sign in with push");
  });

  it("signs in with a push across instances; the browser never sees a token", async () => {
    const b = browser([instance("a"), instance("b")]);
    const started = await b.send("/flows", { kind: "challenge", username: "grace@example.com", password: "grace-password-1" });
    expect(started.answer).toMatchObject({ status: "pending", view: { state: "challenged.polling" } });
    const seen = new Set<string>();
    let answer = started.answer;
    for (let i = 0; i < 10 && answer.status === "pending"; i++) {
      clock.increment(2_500);
      const next = await b.send(`/flows/${answer.flowId}/advance`, {});
      seen.add(next.instance ?? "");
      answer = next.answer;
    }
    expect(answer).toMatchObject({ status: "done", outcome: "approved", signedIn: true });
    expect(seen).toEqual(new Set(["a", "b"]));
    expect(signedIn.at(-1)).toMatchObject({ outcome: "approved", tokens: { accessToken: expect.any(String) } });
    expect(b.bodies.join("\n")).not.toMatch(/access_?token|id_?token|eyJ/i);
    // A lost response costs nothing: asking again within the answer window gets the outcome again.
    expect((await b.send(`/flows/${answer.flowId}/advance`, {})).answer).toMatchObject({ status: "done", outcome: "approved" });
  });

  it("enrolls: the QR in every answer, the recovery code in the first only", async () => {
    const b = browser([instance("a"), instance("b")]);
    const started = await b.send("/flows", { kind: "enroll", username: "ada@example.com", password: "ada-password-1" });
    expect(started.answer.recoveryCodes).toHaveLength(1);
    expect(started.answer.view?.qrSvg).toMatch(/^<svg/);
    clock.increment(1_000);
    const again = await b.send(`/flows/${started.answer.flowId}/advance`, {});
    expect(again.answer.recoveryCodes).toBeUndefined();
    expect(again.answer.view?.qrSvg).toMatch(/^<svg/);
    let answer = again.answer;
    for (let i = 0; i < 10 && answer.status === "pending"; i++) {
      clock.increment(2_500);
      answer = (await b.send(`/flows/${answer.flowId}/advance`, {})).answer;
    }
    expect(answer).toMatchObject({ status: "done", outcome: "enrolled", signedIn: true });
  });

  it("lets only the browser that started a flow advance it, and refuses bad events", async () => {
    const mine = browser([instance("a")]);
    const started = await mine.send("/flows", { kind: "challenge", username: "grace@example.com", password: "grace-password-1" });
    const flowId = started.answer.flowId;
    // The cookie holds the binding, not the flow id (which every URL shows).
    expect(mine.cookie()).toMatch(/^pushflow_binding=/);
    expect(mine.cookie()).not.toContain(flowId);
    const stranger = browser([instance("b")]);
    expect((await stranger.send(`/flows/${flowId}/advance`, {})).answer).toEqual({ status: "gone", flowId });
    // The old attack: a cookie naming the flow id.
    const forged = await stranger.send(`/flows/${flowId}/advance`, {}, { cookie: `pushflow_flow=${flowId}; pushflow_binding=${flowId}` });
    expect(forged.answer).toEqual({ status: "gone", flowId });
    expect((await mine.send(`/flows/${flowId}/advance`, { event: { type: "NOPE" } })).status).toBe(400);
    expect((await mine.send("/flows", { kind: "other" })).status).toBe(400);
    expect((await mine.send(`/flows/${flowId}/advance`, { event: { type: "CANCEL" } })).answer).toMatchObject({ outcome: "cancelled" });
  });

  it("refuses invalid JSON and large bodies, before reading them whole", async () => {
    const app = instance("a");
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      app.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const bad = await post("/flows/AAAAAAAAAAAAAAAAAAAAAA/advance", "{not json");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "the body is not a JSON object" });
    expect((await post("/flows", "[1]")).status).toBe(400);
    const big = "x".repeat(5_000);
    expect((await post("/flows", JSON.stringify({ kind: "challenge", username: big, password: big }))).status).toBe(413);
    expect((await post("/flows/AAAAAAAAAAAAAAAAAAAAAA/advance", JSON.stringify({ pad: big }))).status).toBe(413);
  });

  it("answers a JSON 503 with Retry-After, in bounded time, while Redis does not answer", async () => {
    // A client as the example makes it, against a port where no Redis listens.
    const { Redis } = await import("ioredis");
    const dead = new Redis("redis://127.0.0.1:1", { commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => 200 });
    dead.on("error", () => {});
    const logged: string[] = [];
    const app = createApp({
      log: (m) => void logged.push(m),
      flows: createFlowServer({ store: new RedisFlowStore(dead), domain: emulator.url, clientId: "pushflow-confidential", clientSecret: "pushflow-demo-secret", encryptionKeys: [{ id: "k1", key: new Uint8Array(32) }] }),
    });
    const started = performance.now();
    const response = await app.request("/flows/AAAAAAAAAAAAAAAAAAAAAA/advance", { method: "POST", body: "{}" });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/unavailable/) });
    expect(logged.join("\n")).toMatch(/server_error: the flow store failed/);
    expect(logged.join("\n")).not.toMatch(/\n\s+at /);
    dead.disconnect();
  });

  it("balances requests round robin over live instances", async () => {
    const urls = await Promise.all(
      ["a", "b"].map(
        (name) =>
          new Promise<string>((resolve) => {
            const server = serve({ fetch: instance(name).fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
            servers.push(server);
          }),
      ),
    );
    const front = roundRobin(urls);
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await front(new Request("http://front/"))).headers.get("x-instance"));
    expect(names).toEqual(["a", "b", "a", "b"]);
    const down = roundRobin(["http://127.0.0.1:1"]);
    expect((await down(new Request("http://front/flows", { method: "POST", body: "{}" }))).status).toBe(502);
  });
});
