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
        encryptionKey: new Uint8Array(32).fill(1),
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
    expect((await b.send(`/flows/${answer.flowId}/advance`, {})).answer.status).toBe("gone");
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
    const stranger = browser([instance("b")]);
    expect((await stranger.send(`/flows/${started.answer.flowId}/advance`, {})).status).toBe(403);
    expect((await mine.send(`/flows/${started.answer.flowId}/advance`, { event: { type: "NOPE" } })).status).toBe(400);
    expect((await mine.send("/flows", { kind: "other" })).status).toBe(400);
    expect((await mine.send(`/flows/${started.answer.flowId}/advance`, { event: { type: "CANCEL" } })).answer).toMatchObject({ outcome: "cancelled" });
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
