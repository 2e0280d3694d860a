import { describe, expect, it } from "vitest";
import { enroll, start, USER } from "./helpers.ts";

const base = "/__emulator";

describe("fault injection", () => {
  it("answers a 5xx instead of the route, changing nothing", async () => {
    const { emulator, post, login, associate } = await start();
    const token = await login();
    const added = await post(`${base}/faults`, { route: "POST /mfa/associate", status: 503, times: 1 });
    expect(added.status).toBe(201);
    const a = await associate(token);
    expect(a.status).toBe(503);
    expect(a.body).toEqual({ error: "server_error", error_description: "Internal server error" });
    expect(emulator.tenant.enrollments()).toEqual([]);
    expect((await associate(token)).status).toBe(200);
  });

  it("answers 502 as a gateway's HTML page", async () => {
    const { post, get } = await start();
    await post(`${base}/faults`, { route: "/mfa/authenticators", status: 502 });
    const a = await get("/mfa/authenticators", { authorization: "Bearer x" });
    expect(a.status).toBe(502);
    expect(a.headers.get("content-type")).toContain("text/html");
    expect(a.text).toContain("Bad Gateway");
  });

  it("drops the connection", async () => {
    const { emulator, post, login } = await start();
    const token = await login();
    await post(`${base}/faults`, { route: "POST /oauth/token", grant_type: "mfa-oob", drop: true, times: 1 });
    const attempt = fetch(`${emulator.url}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "http://auth0.com/oauth/grant-type/mfa-oob", client_id: "app", mfa_token: token, oob_code: "x" }),
    });
    await expect(attempt).rejects.toThrow();
    expect(emulator.requests.entries.at(-1)).toMatchObject({ grantType: "mfa-oob", fault: "fault-1", status: 0 });
  });

  it("sends a malformed body", async () => {
    const { post, login, form } = await start();
    await post(`${base}/faults`, { route: "*", malformed: true });
    const a = await form("/oauth/token", { grant_type: "password", client_id: "app", ...USER });
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toContain("application/json");
    expect(() => JSON.parse(a.text)).toThrow();
    await expect(login()).rejects.toThrow();
  });

  it("delays a route (a tiny real delay)", async () => {
    const { post, get } = await start();
    await post(`${base}/faults`, { route: "GET /mfa/authenticators", delay_ms: 150 });
    const started = performance.now();
    const a = await get("/mfa/authenticators", { authorization: "Bearer x" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(a.status).toBe(401);
  });

  it("loses the answer after the tenant acted (when: after)", async () => {
    const { emulator, login, challenge } = await start({ faults: [{ route: "/mfa/challenge", status: 500, when: "after", times: 1 }] });
    const { pushId } = enroll(emulator);
    const token = await login();
    expect((await challenge(token, pushId)).status).toBe(500);
    // The push went out although the client never saw its oob_code.
    expect(emulator.tenant.pushes(USER.username)).toHaveLength(1);
    expect((await challenge(token, pushId)).status).toBe(200);
  });

  it("lists, refuses and removes faults", async () => {
    const { post, get, send } = await start();
    expect((await post(`${base}/faults`, { route: "*" })).status).toBe(400);
    expect((await post(`${base}/faults`, { route: "*", status: 42 })).status).toBe(400);
    expect((await post(`${base}/faults`, { route: "*", drop: true, when: "later" })).status).toBe(400);
    const added = await post(`${base}/faults`, { route: "*", status: 500 });
    expect((await get(`${base}/faults`)).list).toHaveLength(1);
    expect((await send("DELETE", `${base}/faults/${String(added.body.id)}`)).status).toBe(204);
    expect((await send("DELETE", `${base}/faults/nope`)).status).toBe(404);
    await post(`${base}/faults`, { route: "*", status: 500 });
    expect((await send("DELETE", `${base}/faults`)).status).toBe(204);
    expect((await get(`${base}/faults`)).list).toEqual([]);
    // The control API itself is never faulted.
    await post(`${base}/faults`, { route: "*", status: 500 });
    expect((await get(base)).status).toBe(200);
  });
});
