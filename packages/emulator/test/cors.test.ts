import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli-main.ts";
import { DEFAULT_ALLOWED_ORIGINS, createEmulator } from "../src/index.ts";
import { start, USER } from "./helpers.ts";

const APP = "http://localhost:5173";
const OTHER = "http://evil.example:8080";

/** A browser's preflight for a JSON POST with a bearer. */
const preflight = (url: string, path: string, origin: string, method = "POST") =>
  fetch(`${url}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": "content-type,authorization,auth0-client" },
  });

describe("CORS (Allowed Web Origins)", () => {
  it("answers the preflight of an allowed origin on the Auth0 routes, by default Vite's dev server", async () => {
    const { url, emulator } = await start();
    expect(DEFAULT_ALLOWED_ORIGINS).toContain(APP);
    for (const [path, method] of [["/oauth/token", "POST"], ["/mfa/challenge", "POST"], ["/mfa/authenticators", "GET"], ["/mfa/authenticators/x", "DELETE"]] as const) {
      const a = await preflight(url, path, APP, method);
      expect(a.status).toBe(204);
      expect(a.headers.get("access-control-allow-origin")).toBe(APP);
      expect(a.headers.get("access-control-allow-credentials")).toBe("true");
      expect(a.headers.get("access-control-allow-methods")).toContain(method);
      expect(a.headers.get("access-control-allow-headers")).toBe("content-type,authorization,auth0-client");
      expect(a.headers.get("vary")).toContain("Origin");
    }
    expect(emulator.requests.entries).toHaveLength(0); // preflights are neither logged nor faulted
  });

  it("sets the CORS headers on answers to an allowed origin, errors and rate limits included", async () => {
    const { url, emulator } = await start();
    const login = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { origin: APP },
      body: new URLSearchParams({ grant_type: "password", client_id: "app", ...USER }),
    });
    expect(login.status).toBe(403);
    expect(login.headers.get("access-control-allow-origin")).toBe(APP);
    expect(login.headers.get("access-control-expose-headers")).toContain("Retry-After");
    emulator.faults.add({ route: "/mfa/challenge", status: 429, times: 1 });
    const limited = await fetch(`${url}/mfa/challenge`, { method: "POST", headers: { origin: APP, "content-type": "application/json" }, body: "{}" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("answers no preflight and sets no header for another origin, or without an Origin", async () => {
    const { url } = await start();
    const a = await preflight(url, "/oauth/token", OTHER);
    expect(a.status).toBe(404);
    expect(a.headers.get("access-control-allow-origin")).toBeNull();
    const post = await fetch(`${url}/oauth/token`, { method: "POST", headers: { origin: OTHER }, body: new URLSearchParams({ grant_type: "password", client_id: "app", ...USER }) });
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    const plain = await fetch(`${url}/.well-known/jwks.json`);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("never on the /__emulator control routes, even for an allowed origin", async () => {
    const { url } = await start({ allowedOrigins: ["*"] });
    for (const path of ["/__emulator", "/__emulator/users", "/__emulator/devices/ada@example.com/approve"]) {
      const a = await preflight(url, path, APP);
      expect(a.status).not.toBe(204);
      expect(a.headers.get("access-control-allow-origin")).toBeNull();
    }
    const get = await fetch(`${url}/__emulator`, { headers: { origin: APP } });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("takes its own list (replacing the default), '*' for any, [] for none; refuses a non-origin", async () => {
    const custom = await start({ allowedOrigins: ["https://app.example.com/"] });
    expect(custom.emulator.allowedOrigins).toEqual(["https://app.example.com"]);
    expect((await preflight(custom.url, "/mfa/challenge", "https://app.example.com")).headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect((await preflight(custom.url, "/mfa/challenge", APP)).status).toBe(404);
    const any = await start({ allowedOrigins: ["*"] });
    expect((await preflight(any.url, "/mfa/challenge", OTHER)).headers.get("access-control-allow-origin")).toBe(OTHER);
    const none = await start({ allowedOrigins: [] });
    expect((await preflight(none.url, "/mfa/challenge", APP)).status).toBe(404);
    await expect(createEmulator({ allowedOrigins: ["localhost:5173"] })).rejects.toThrow(/origin/);
  });

  it("the CLI takes --allowed-origin, repeated, and prints the list", async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const { emulator } = await runCli(["--json", "--allowed-origin", "http://localhost:3000", "--allowed-origin", "https://app.test"], io);
    try {
      expect(JSON.parse(out[0] ?? "")).toMatchObject({ allowed_origins: ["http://localhost:3000", "https://app.test"] });
      const a = await preflight(emulator?.url ?? "", "/oauth/token", "http://localhost:3000");
      expect(a.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    } finally {
      await emulator?.close();
    }
    expect((await runCli(["--allowed-origin", "nope"], io)).exitCode).toBe(2);
  });
});
