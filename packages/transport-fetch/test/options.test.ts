import { isPushflowError, PushflowError } from "@pushflow/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapter } from "@pushflow/core/adapter";
import { createFetchTransport, isLoopbackHost } from "../src/index.ts";
import { SECRETS, valueOf } from "./helpers.ts";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
  server.otherwise({ body: [] });
});
afterAll(() => server.close());

function thrown(run: () => unknown): PushflowError {
  try {
    run();
  } catch (error) {
    if (isPushflowError(error)) return error as PushflowError;
    throw error;
  }
  throw new Error("expected a PushflowError");
}

describe("https only, except loopback", () => {
  it("refuses http://example.com with insecure_url and a clear message", () => {
    const error = thrown(() => createFetchTransport({ domain: "http://example.com", clientId: "c" }));
    expect(error).toBeInstanceOf(PushflowError);
    expect(error.code).toBe("insecure_url");
    expect(error.message).toBe(
      "refusing plain http to example.com: use https (http is allowed only for localhost, 127.0.0.0/8 and [::1])",
    );
  });

  it.each(["http://128.0.0.1", "http://localhost.example.com", "http://127.0.0.1.nip.io", "http://10.0.0.1:8080", "http://[::2]", "http://0.0.0.0"])(
    "refuses %s",
    (domain) => {
      expect(thrown(() => createFetchTransport({ domain, clientId: "c" })).code).toBe("insecure_url");
    },
  );

  it("allows http://127.0.0.1:<port> and talks to it", async () => {
    const transport = createFetchTransport({ domain: `http://127.0.0.1:${server.port}`, clientId: "c" });
    expect(valueOf(await transport.listAuthenticators({ mfaToken: SECRETS.mfaToken }))).toEqual([]);
  });

  it("allows http://localhost:<port> and talks to it", async () => {
    const transport = createFetchTransport({ domain: `http://localhost:${server.port}`, clientId: "c" });
    expect(valueOf(await transport.listAuthenticators({ mfaToken: SECRETS.mfaToken }))).toEqual([]);
  });

  it.each(["http://localhost", "http://LOCALHOST:3000", "http://127.255.0.1", "http://127.1", "http://[::1]:8080", "https://example.com"])(
    "allows %s",
    (domain) => {
      expect(() => createFetchTransport({ domain, clientId: "c" })).not.toThrow();
    },
  );

  it("a bare host means https", async () => {
    const urls: string[] = [];
    const transport = createFetchTransport({
      domain: "tenant.eu.auth0.com",
      clientId: "c",
      fetch: async (input) => {
        urls.push(input instanceof Request ? input.url : String(input));
        return new Response("[]", { headers: { "content-type": "application/json" } });
      },
    });
    valueOf(await transport.listAuthenticators({ mfaToken: SECRETS.mfaToken }));
    expect(urls).toEqual(["https://tenant.eu.auth0.com/mfa/authenticators"]);
  });

  it("isLoopbackHost", () => {
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("127.200.3.4")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("127.0.0.256")).toBe(false);
    expect(isLoopbackHost("1.127.0.0")).toBe(false);
    expect(isLoopbackHost("example.com")).toBe(false);
  });
});

describe("bad options are bad_input", () => {
  const bad: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["an empty domain", { domain: "", clientId: "c" }],
    ["a domain that is not a host", { domain: "not a host", clientId: "c" }],
    ["an ftp URL", { domain: "ftp://tenant.auth0.com", clientId: "c" }],
    ["a URL without a host", { domain: "https://", clientId: "c" }],
    ["credentials in the URL", { domain: "https://user:pw@tenant.auth0.com", clientId: "c" }],
    ["a query in the URL", { domain: "https://tenant.auth0.com/?x=1", clientId: "c" }],
    ["an empty clientId", { domain: "tenant.auth0.com", clientId: "" }],
    ["a blank clientId", { domain: "tenant.auth0.com", clientId: "  " }],
    ["an empty clientSecret", { domain: "tenant.auth0.com", clientId: "c", clientSecret: "" }],
    ["a zero timeout", { domain: "tenant.auth0.com", clientId: "c", timeoutMs: 0 }],
    ["a NaN timeout", { domain: "tenant.auth0.com", clientId: "c", timeoutMs: Number.NaN }],
    ["a timeout setTimeout cannot hold", { domain: "tenant.auth0.com", clientId: "c", timeoutMs: 2 ** 31 }],
    ["a fetch that is not a function", { domain: "tenant.auth0.com", clientId: "c", fetch: "fetch" }],
  ];

  it.each(bad)("%s", (_name, options) => {
    const error = thrown(() => createFetchTransport(options as unknown as Parameters<typeof createFetchTransport>[0]));
    expect(error.code).toBe("bad_input");
    expect(error.message).not.toContain("pw");
  });
});

describe("the warning about a poll interval below 5 s", () => {
  // It is advice for a real tenant; a loopback server (the emulator) is never one.
  const { challenge } = createAdapter({ createTransport: createFetchTransport });
  const offline: typeof fetch = async () => {
    throw new TypeError("fetch failed (no network in this test)");
  };

  it.each([
    ["tenant.example.com", true],
    ["https://tenant.example.com", true],
    ["http://127.0.0.1:4455", false],
    ["http://localhost:4455", false],
    ["http://[::1]:4455", false],
  ])("%s: warned %s, for a 1 s interval", async (domain, warned) => {
    const transport = createFetchTransport({ domain, clientId: "c", fetch: offline });
    expect(transport.loopback).toBe(!warned);
    const warnings: string[] = [];
    const flow = challenge({ transport, mfaToken: SECRETS.mfaToken, pollIntervalMs: 1_000, warn: (m) => void warnings.push(m) });
    await flow.started;
    flow.cancel();
    expect((await flow.outcome).outcome).toBe("cancelled");
    expect(warnings.filter((m) => m.includes("below Auth0's 5 s"))).toHaveLength(warned ? 1 : 0);
  });
});
