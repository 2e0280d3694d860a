import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFetchTransport, type FetchFunction } from "../src/index.ts";
import { expectNoSecret, problemOf, SECRETS, transportFor, valueOf } from "./helpers.ts";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const poll = { mfaToken: SECRETS.mfaToken, oobCode: SECRETS.oobCode };
const TOKENS = { access_token: "at", expires_in: 600, token_type: "Bearer" };

describe("timeouts", () => {
  it("a server that never answers ends in timeout, within timeoutMs", async () => {
    server.otherwise({ mode: "hang" });
    const started = Date.now();
    const problem = problemOf(await transportFor(server, { timeoutMs: 150 }).verifyOob(poll));
    const elapsed = Date.now() - started;
    expect(problem.code).toBe("timeout");
    expect(problem.message).toBe("verify oob failed: POST /oauth/token → no answer within 150 ms");
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_000);
  });

  it("a body that stalls after the headers ends in timeout too (the budget covers the body)", async () => {
    server.otherwise({ headers: { "content-type": "application/json" }, body: TOKENS, mode: "stall-body" });
    const started = Date.now();
    const problem = problemOf(await transportFor(server, { timeoutMs: 200 }).verifyOob(poll));
    expect(problem).toMatchObject({ code: "timeout", status: 200 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("the default timeout is 10 s (a quick answer is unaffected)", async () => {
    server.otherwise({ body: TOKENS });
    const transport = createFetchTransport({ domain: server.url, clientId: "c" });
    expect(valueOf(await transport.verifyOob(poll)).accessToken).toBe("at");
  });
});

describe("broken connections", () => {
  it("a dropped connection is network", async () => {
    server.otherwise({ mode: "drop" });
    const problem = problemOf(await transportFor(server).verifyOob(poll));
    expect(problem.code).toBe("network");
    expect(problem.message).toMatch(/^verify oob failed: POST \/oauth\/token → network error \(\w+\)$/);
    expect(problem.status).toBeUndefined();
  });

  it("a connection dropped in the middle of the body is network, with the status", async () => {
    server.otherwise({ headers: { "content-type": "application/json" }, body: { ...TOKENS, pad: "x".repeat(10_000) }, mode: "drop-mid-body" });
    const problem = problemOf(await transportFor(server).verifyOob(poll));
    expect(problem).toMatchObject({ code: "network", status: 200 });
    expect(problem.message).toContain("the body broke off");
  });

  it("a refused connection is network", async () => {
    const closed = await startLoopbackServer();
    await closed.close();
    const problem = problemOf(await createFetchTransport({ domain: closed.url, clientId: "c" }).verifyOob(poll));
    expect(problem.code).toBe("network");
    expect(problem.message).toContain("ECONNREFUSED");
  });
});

describe("abort", () => {
  it("an already aborted signal sends nothing", async () => {
    server.otherwise({ body: TOKENS });
    const result = await transportFor(server).verifyOob(poll, { signal: AbortSignal.abort() });
    expect(result).toEqual({ ok: false, problem: { code: "network", message: "aborted" } });
    expect(server.requests).toHaveLength(0);
  });

  it("aborting while waiting for the answer ends the call at once", async () => {
    server.otherwise({ mode: "hang" });
    const controller = new AbortController();
    const started = Date.now();
    const pending = transportFor(server, { timeoutMs: 5_000 }).verifyOob(poll, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    expect(problemOf(await pending)).toEqual({ code: "network", message: "aborted" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("aborting with a custom reason is still aborted", async () => {
    server.otherwise({ mode: "hang" });
    const controller = new AbortController();
    const pending = transportFor(server).associate({ mfaToken: SECRETS.mfaToken }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user left")), 20);
    expect(problemOf(await pending)).toMatchObject({ code: "network", message: "aborted" });
  });

  it("aborting while the body streams ends the call at once", async () => {
    server.otherwise({ headers: { "content-type": "application/json" }, body: TOKENS, mode: "stall-body" });
    const controller = new AbortController();
    const started = Date.now();
    const pending = transportFor(server, { timeoutMs: 5_000 }).verifyOob(poll, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(problemOf(await pending)).toMatchObject({ code: "network", message: "aborted" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("an injected fetch (ky's fetch option)", () => {
  it("is used for every request", async () => {
    const seen: string[] = [];
    const fetch: FetchFunction = async (input, init) => {
      const request = new Request(input, init);
      seen.push(`${request.method} ${request.url}`);
      return new Response(JSON.stringify([]), { status: 200, headers: { "content-type": "application/json" } });
    };
    const transport = createFetchTransport({ domain: "tenant.auth0.com", clientId: "c", fetch });
    expect(valueOf(await transport.listAuthenticators({ mfaToken: SECRETS.mfaToken }))).toEqual([]);
    expect(seen).toEqual(["GET https://tenant.auth0.com/mfa/authenticators"]);
  });

  it("a fetch that rejects, even with a non-Error or a secret in its message, is network without the message", async () => {
    const rejectsError: FetchFunction = () => Promise.reject(new Error(`boom ${SECRETS.mfaToken}`));
    const rejectsString: FetchFunction = () => Promise.reject("nope");
    for (const fetch of [rejectsError, rejectsString]) {
      const transport = createFetchTransport({ domain: "tenant.auth0.com", clientId: "c", fetch });
      const problem = problemOf(await transport.associate({ mfaToken: SECRETS.mfaToken }));
      expect(problem.code).toBe("network");
      expectNoSecret(problem);
      expect(problem.message).not.toContain("boom");
    }
  });

  it("a fetch that throws synchronously still resolves", async () => {
    const fetch: FetchFunction = () => {
      throw new TypeError("sync");
    };
    const transport = createFetchTransport({ domain: "tenant.auth0.com", clientId: "c", fetch });
    expect(problemOf(await transport.verifyOtp({ mfaToken: SECRETS.mfaToken, otp: SECRETS.otp })).code).toBe("network");
  });
});
