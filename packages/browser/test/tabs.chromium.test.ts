/**
 * Tabs of one origin share one flow: the leader runs it, the followers mirror it, and every tab
 * settles with the leader's outcome. Two real Chromium pages (test/harness/tabs.ts) on one
 * challenge; the emulator's request log says what went over the wire.
 */
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPageServer, type PageServer } from "../../../examples/browser/src/server.ts";
import type { TabSeen } from "./harness/tabs.ts";
import { chromiumAvailable, launchChromium } from "./support/chromium.ts";
import { newUser, polls } from "./support/emulator.ts";

const INTERVAL = 200;
const here = (path: string) => new URL(path, import.meta.url).pathname;

describe.skipIf(!chromiumAvailable())("tabs of one flow agree on its outcome (Chromium)", () => {
  let emulator: RunningEmulator;
  let server: PageServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // Polls every 200 ms would hit Auth0's 12 a minute per oob_code: these tests count polls, not limits.
    emulator = await startEmulator({ port: 0, limits: { pollBurst: 1000, pollRefillMs: 1 } });
    [server, browser] = await Promise.all([
      startPageServer({ upstream: emulator.url, pages: { "/": here("./harness/tabs.html") }, scripts: { "/tabs.js": here("./harness/tabs.ts") } }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await emulator?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context.close();
  });

  const open = async () => {
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error("page error:", error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.tab !== undefined);
    return page;
  };
  /** What a page's `index`-th start of the challenge saw (a page may start it more than once). */
  const seen = (page: Page, index = 0): Promise<TabSeen> => page.evaluate((i) => window.tab.seen(i), index);
  const waitFor = (page: Page, test: string, index = 0) => page.waitForFunction(`(${test})(window.tab.seen(${index}))`);
  const ended = async (page: Page, index = 0) => {
    await waitFor(page, "(s) => s.outcome !== undefined", index);
    return seen(page, index);
  };
  const device = async (username: string, action: "approve") => {
    const answer = await fetch(`${emulator.url}/__emulator/devices/${encodeURIComponent(username)}/${action}`, { method: "POST" });
    expect(answer.status).toBe(200);
  };
  /** A leader polling and a follower mirroring it, on one challenge. */
  const twoTabs = async (user: { username: string; password: string }) => {
    const a = await open();
    await a.evaluate(([u, i]) => window.tab.start(u, i), [user, INTERVAL] as const);
    await waitFor(a, "(s) => s.role === 'leader' && s.startedAt !== undefined");
    const firstPolls = polls(emulator).count;
    await expect.poll(() => polls(emulator).count, { timeout: 5_000 }).toBeGreaterThan(firstPolls);
    const b = await open();
    await b.evaluate(([u, i]) => window.tab.start(u, i), [user, INTERVAL] as const);
    await waitFor(b, "(s) => s.role === 'follower'");
    return { a, b };
  };

  it("a follower's cancel goes to the leader: both tabs end cancelled, with the outcome it sent back, and no request follows", async () => {
    const user = await newUser(emulator, true);
    const { a, b } = await twoTabs(user);
    // The follower does not settle by itself: its outcome comes back from the leader (a message
    // later, never within the call).
    const settledAtOnce = await b.evaluate(async () => {
      window.tab.cancel();
      for (let i = 0; i < 5; i++) await Promise.resolve();
      return window.tab.seen().outcome;
    });
    expect(settledAtOnce).toBeUndefined();
    const [leader, follower] = [await ended(a), await ended(b)];
    expect(leader.outcome).toBe("cancelled");
    expect(follower.outcome).toBe("cancelled");
    const logged = emulator.requests.entries.length;
    await a.waitForTimeout(4 * INTERVAL);
    expect(emulator.requests.entries.length).toBe(logged);
    expect(emulator.requests.entries.every((e) => e.at <= (leader.endedAt ?? 0))).toBe(true);
    expect(emulator.requests.count({ route: "POST /mfa/challenge" })).toBe(1);
  });

  it("a follower that cancels after the leader was approved ends approved too", async () => {
    const user = await newUser(emulator, true);
    const { a, b } = await twoTabs(user);
    // The follower is busy while the leader hears the approval; its cancel comes after, with the
    // leader's `done` still waiting in its queue.
    const busy = b.evaluate(() => window.tab.cancelAfterBusy(3_000));
    await device(user.username, "approve");
    const leader = await ended(a);
    await busy;
    const follower = await ended(b);
    expect(leader.outcome).toBe("approved");
    expect(follower.cancelledAt).toBeGreaterThan(leader.endedAt ?? Number.POSITIVE_INFINITY);
    expect(follower.outcome).toBe("approved");
  });

  it("a follower's started resolves once the leader's flow has started, before the end", async () => {
    const user = await newUser(emulator, true);
    const { a, b } = await twoTabs(user);
    await waitFor(b, "(s) => s.startedAt !== undefined");
    expect((await seen(b)).outcome).toBeUndefined();
    await device(user.username, "approve");
    const [leader, follower] = [await ended(a), await ended(b)];
    expect(leader.outcome).toBe("approved");
    expect(follower.outcome).toBe("approved");
    expect(follower.startedAt).toBeLessThan(follower.endedAt ?? 0);
  });

  it("a second start in the same tab joins the first as a follower: the leader's flow goes on (not \"taken over\"), one push, both end approved", async () => {
    const user = await newUser(emulator, true);
    const logged = emulator.requests.entries.length;
    const a = await open();
    await a.evaluate(([u, i]) => window.tab.start(u, i), [user, INTERVAL] as const);
    await waitFor(a, "(s) => s.role === 'leader' && s.startedAt !== undefined");
    const firstPolls = polls(emulator).count;
    await expect.poll(() => polls(emulator).count, { timeout: 5_000 }).toBeGreaterThan(firstPolls);
    // The same challenge again, in the same tab (a second component, a double click).
    await a.evaluate(([u, i]) => window.tab.start(u, i), [user, INTERVAL] as const);
    await waitFor(a, "(s) => s.role === 'follower' && s.startedAt !== undefined", 1);
    // The leader saves after every poll, and the follower hears each record: the flow must go on polling.
    const joined = polls(emulator).count;
    await expect.poll(() => polls(emulator).count, { timeout: 5_000 }).toBeGreaterThan(joined + 2);
    expect((await seen(a, 0)).outcome).toBeUndefined();
    await device(user.username, "approve");
    const [leader, follower] = [await ended(a, 0), await ended(a, 1)];
    expect(leader.outcome).toBe("approved");
    expect(follower.outcome).toBe("approved");
    const requests = emulator.requests.entries.slice(logged);
    expect(requests.filter((e) => e.route === "POST /mfa/challenge")).toHaveLength(1);
    expect(new Set(requests.filter((e) => e.grantType === "mfa-oob").map((e) => e.oobCode)).size).toBe(1);
  });
});
