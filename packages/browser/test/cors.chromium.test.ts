/**
 * A browser app served by its own dev server calls the emulator directly (no same-origin
 * proxy): the emulator answers CORS for its allowed web origins, as an Auth0 tenant does.
 * The page comes from a tiny static server on another port; Chromium sends real preflights.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "./support/chromium.ts";
import { newUser } from "./support/emulator.ts";

const CLIENT = "pushflow-demo";

/** A static page on a loopback port: the app's own origin. */
async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><html><head><meta charset=utf-8><title>app</title></head><body>app</body></html>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the page got from one call: status, body, and whether the browser let it read the answer at all. */
type Seen = { status: number; body: unknown; retryAfter: string | null } | { blocked: string };

describe.skipIf(!chromiumAvailable())("CORS: a page from another origin calls the emulator (Chromium)", () => {
  let emulator: RunningEmulator;
  let app: Awaited<ReturnType<typeof pageServer>>;
  let other: Awaited<ReturnType<typeof pageServer>>;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [app, other, browser] = await Promise.all([pageServer(), pageServer(), launchChromium()]);
    emulator = await startEmulator({ port: 0, allowedOrigins: [app.origin] });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([app?.close(), other?.close(), emulator?.close()]);
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context.close();
  });

  const open = async (origin: string): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    return page;
  };
  /** One fetch from the page; a CORS refusal is a TypeError in the page. */
  const call = (page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) =>
    page.evaluate(
      async ({ url, init }): Promise<Seen> => {
        try {
          const response = await fetch(url, init);
          const text = await response.text();
          return { status: response.status, body: text === "" ? null : JSON.parse(text), retryAfter: response.headers.get("retry-after") };
        } catch (error) {
          return { blocked: String(error) };
        }
      },
      { url, init },
    );

  it("lists authenticators, challenges, polls and gets tokens from the allowed origin", async () => {
    const user = await newUser(emulator, true);
    const mfaToken = emulator.tenant.mintMfaToken(user.username, CLIENT);
    const page = await open(app.origin);
    expect(new URL(page.url()).origin).not.toBe(emulator.url);
    emulator.requests.clear();

    const listed = await call(page, `${emulator.url}/mfa/authenticators`, { headers: { authorization: `Bearer ${mfaToken}` } });
    expect(listed).toMatchObject({ status: 200 });
    const list = (listed as { body: { id: string; oob_channel?: string; active: boolean }[] }).body;
    const push = list.find((a) => a.oob_channel === "auth0" && a.active);
    expect(push).toBeDefined();

    const challenged = await call(page, `${emulator.url}/mfa/challenge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: CLIENT, mfa_token: mfaToken, challenge_type: "oob", authenticator_id: push?.id }),
    });
    expect(challenged).toMatchObject({ status: 200, body: { challenge_type: "oob", oob_code: expect.any(String) } });
    const oobCode = (challenged as { body: { oob_code: string } }).body.oob_code;

    const poll = () =>
      call(page, `${emulator.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "http://auth0.com/oauth/grant-type/mfa-oob", client_id: CLIENT, mfa_token: mfaToken, oob_code: oobCode }).toString(),
      });
    expect(await poll()).toMatchObject({ status: 400, body: { error: "authorization_pending" } });
    emulator.device(user.username).approve(user.username);
    expect(await poll()).toMatchObject({ status: 200, body: { access_token: expect.any(String), token_type: "Bearer" } });

    // The requests really crossed origins: the emulator saw them (preflights are not logged).
    expect(emulator.requests.count({ route: "GET /mfa/authenticators" })).toBe(1);
    expect(emulator.requests.count({ route: "POST /mfa/challenge" })).toBe(1);
  });

  it("a rate-limited push's Retry-After is readable from the page (exposed)", async () => {
    const user = await newUser(emulator, true);
    const pushId = emulator.tenant.authenticators(user.username).find((a) => a.oobChannel === "auth0")?.id;
    const page = await open(app.origin);
    const challenge = () =>
      call(page, `${emulator.url}/mfa/challenge`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_id: CLIENT, mfa_token: emulator.tenant.mintMfaToken(user.username, CLIENT), challenge_type: "oob", authenticator_id: pushId }),
      });
    let seen: Seen = await challenge();
    for (let i = 0; i < 10 && "status" in seen && seen.status === 200; i++) seen = await challenge();
    expect(seen).toMatchObject({ status: 429, body: { error: "too_many_requests" }, retryAfter: expect.stringMatching(/^\d+$/) });
  });

  it("a page from an origin that is not allowed cannot read the answers", async () => {
    const user = await newUser(emulator, true);
    const mfaToken = emulator.tenant.mintMfaToken(user.username, CLIENT);
    const page = await open(other.origin);
    expect(await call(page, `${emulator.url}/mfa/authenticators`, { headers: { authorization: `Bearer ${mfaToken}` } })).toMatchObject({
      blocked: expect.stringContaining("TypeError"),
    });
    expect(
      await call(page, `${emulator.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `grant_type=password&client_id=${CLIENT}&username=x&password=y`,
      }),
    ).toMatchObject({ blocked: expect.stringContaining("TypeError") });
  });
});
