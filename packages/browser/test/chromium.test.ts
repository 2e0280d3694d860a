/**
 * The browser adapter in headless Chromium, through the example page (examples/browser) served
 * on loopback with the emulator behind its proxy. The page is driven as a person would: form,
 * buttons, reloads, tabs; the emulator's request log says what really went over the wire.
 */
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startExampleServer, type PageServer } from "../../../examples/browser/src/server.ts";
import { chromiumAvailable, launchChromium } from "./support/chromium.ts";
import { minGap, newUser, polls } from "./support/emulator.ts";

const INTERVAL = 200;

describe.skipIf(!chromiumAvailable())("browser adapter in Chromium (example page)", () => {
  let emulator: RunningEmulator;
  let server: PageServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // Polls every 200 ms would hit Auth0's 12 a minute per oob_code: these tests count polls, not limits.
    emulator = await startEmulator({ port: 0, limits: { pollBurst: 1000, pollRefillMs: 1 } });
    [server, browser] = await Promise.all([startExampleServer({ upstream: emulator.url }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await emulator?.close();
  });
  beforeEach(async () => {
    // A context per test: its own sessionStorage, locks and channels, like a fresh browser profile.
    context = await browser.newContext();
    emulator.requests.clear();
  });
  afterEach(async () => {
    await context.close();
  });

  const open = async () => {
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error("page error:", error.message));
    await page.goto(`${server.url}/?interval=${INTERVAL}`);
    return page;
  };
  const start = async (page: Page, flow: "enroll" | "challenge", user: { username: string; password: string }) => {
    await page.fill("input[name=username]", user.username);
    await page.fill("input[name=password]", user.password);
    await page.click(`button[value=${flow}]`);
  };
  const pollsShown = async (page: Page) => Number(await page.textContent("#polls"));
  const waitForPolls = (page: Page, atLeast: number) =>
    page.waitForFunction((n) => Number(document.getElementById("polls")?.textContent) >= n, atLeast);
  const outcome = (page: Page) =>
    page.waitForFunction(() => document.getElementById("outcome")?.textContent || undefined).then((h) => h.jsonValue());
  const count = (route: string) => emulator.requests.count({ route });

  it("enrolls: QR as SVG, recovery codes acknowledged, the phone scans, enrolled", async () => {
    const user = await newUser(emulator, false);
    const page = await open();
    await start(page, "enroll", user);
    await page.waitForSelector("#qr svg");
    await page.waitForSelector("#code-list li");
    await page.click("#ack");
    await waitForPolls(page, 1);
    await page.click("#scan");
    expect(await outcome(page)).toBe("enrolled");
    expect(count("POST /mfa/associate")).toBe(1);
    expect(polls(emulator).oobCodes).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem("pushflow:enroll"))).toBeNull();
  });

  it("a reload in the middle of polling resumes the same flow: one challenge, one oob_code", async () => {
    const user = await newUser(emulator, true);
    const page = await open();
    await start(page, "challenge", user);
    await waitForPolls(page, 2);
    const saved = await page.evaluate(() => sessionStorage.getItem("pushflow:challenge"));
    expect(saved).not.toBeNull();
    expect(saved).not.toContain(user.password);

    await page.reload();
    await page.waitForFunction(() => document.getElementById("resumed")?.textContent?.includes("resumed"));
    await waitForPolls(page, 3); // the resumed flow keeps counting from the saved attempt
    await page.click("#approve");
    expect(await outcome(page)).toBe("approved");
    expect(count("POST /mfa/challenge")).toBe(1);
    expect(count("POST /oauth/token") - polls(emulator).count).toBe(1); // the one password login
    expect(polls(emulator).oobCodes).toBe(1);
  });

  it("a rejected push ends rejected", async () => {
    const user = await newUser(emulator, true);
    const page = await open();
    await start(page, "challenge", user);
    await waitForPolls(page, 1);
    await page.click("#reject");
    expect(await outcome(page)).toBe("rejected");
  });

  it("two tabs: one polls, the other mirrors it; closing the leader hands over without a new push", async () => {
    const user = await newUser(emulator, true);
    const a = await open();
    await start(a, "challenge", user);
    await waitForPolls(a, 1);

    // The poll rate of one tab alone…
    const before = polls(emulator).count;
    await a.waitForTimeout(6 * INTERVAL);
    const alone = polls(emulator).count - before;

    // …and with a second tab on the same flow.
    const b = await open();
    await start(b, "challenge", user);
    await b.waitForFunction(() => document.getElementById("role")?.textContent === "follower");
    const shown = await pollsShown(b);
    const during = polls(emulator).count;
    await b.waitForTimeout(6 * INTERVAL);
    const together = polls(emulator).count - during;
    console.log(`polls in ${6 * INTERVAL} ms: one tab ${alone}, two tabs ${together}`);
    expect(together).toBeLessThanOrEqual(alone + 2);
    // One poller: consecutive polls never closer than the interval (a second one would interleave).
    expect(minGap(emulator, during)).toBeGreaterThanOrEqual(0.75 * INTERVAL);
    expect(await pollsShown(b)).toBeGreaterThan(shown); // b shows a's polls
    expect(await a.textContent("#role")).toBe("leader");
    expect(count("POST /mfa/challenge")).toBe(1);

    // The leader goes away: b takes over from the relayed record, same oob_code.
    await a.close();
    await b.waitForFunction(() => document.getElementById("role")?.textContent === "leader");
    const handover = polls(emulator).count;
    await b.waitForTimeout(3 * INTERVAL);
    expect(polls(emulator).count).toBeGreaterThan(handover);
    await b.click("#approve");
    expect(await outcome(b)).toBe("approved");
    expect(count("POST /mfa/challenge")).toBe(1);
    expect(polls(emulator).oobCodes).toBe(1);
  });

  it("a follower tab sees the outcome the leader reached", async () => {
    const user = await newUser(emulator, true);
    const a = await open();
    await start(a, "challenge", user);
    await waitForPolls(a, 1);
    const b = await open();
    await start(b, "challenge", user);
    await b.waitForFunction(() => document.getElementById("role")?.textContent === "follower");
    await a.click("#approve");
    expect(await outcome(a)).toBe("approved");
    expect(await outcome(b)).toBe("approved");
    expect(await b.evaluate(() => sessionStorage.getItem("pushflow:challenge"))).toBeNull();
    expect(count("POST /mfa/challenge")).toBe(1);
  });

  it("a hidden leader keeps polling while a follower tab is visible, and pauses once all are hidden", async () => {
    const user = await newUser(emulator, true);
    const a = await open();
    await start(a, "challenge", user);
    await waitForPolls(a, 1);
    const b = await open();
    await start(b, "challenge", user);
    await b.waitForFunction(() => document.getElementById("role")?.textContent === "follower");
    await setHidden(a, true);
    const shown = polls(emulator).count;
    await a.waitForTimeout(3 * INTERVAL);
    expect(polls(emulator).count).toBeGreaterThan(shown);

    await setHidden(b, true);
    await a.waitForTimeout(2 * INTERVAL);
    const hidden = polls(emulator).count;
    await a.waitForTimeout(4 * INTERVAL);
    expect(polls(emulator).count).toBe(hidden);

    await b.click("#cancel"); // a follower's cancel ends the shared flow, in every tab
    expect(await outcome(b)).toBe("cancelled");
    expect(await outcome(a)).toBe("cancelled");
  });

  it("a hidden page holds its polls back, and polls again once visible", async () => {
    const user = await newUser(emulator, true);
    const page = await open();
    await start(page, "challenge", user);
    await waitForPolls(page, 1);
    await setHidden(page, true);
    await page.waitForTimeout(2 * INTERVAL); // a poll already on the wire may still land
    const hidden = polls(emulator).count;
    await page.waitForTimeout(5 * INTERVAL);
    expect(polls(emulator).count).toBe(hidden);

    await setHidden(page, false);
    await page.waitForTimeout(INTERVAL);
    expect(polls(emulator).count).toBeGreaterThan(hidden);
    await page.click("#approve");
    expect(await outcome(page)).toBe("approved");
  });

  it("an offline page holds its polls back instead of failing them, and goes on once online", async () => {
    const user = await newUser(emulator, true);
    const page = await open();
    await start(page, "challenge", user);
    await waitForPolls(page, 1);
    await context.setOffline(true);
    await page.waitForTimeout(2 * INTERVAL);
    const offline = polls(emulator).count;
    await page.waitForTimeout(5 * INTERVAL);
    expect(polls(emulator).count).toBe(offline);
    await context.setOffline(false);
    await page.waitForTimeout(2 * INTERVAL);
    expect(polls(emulator).count).toBeGreaterThan(offline);
    expect(await page.textContent("#log")).not.toContain("backoff");
    await page.click("#approve");
    expect(await outcome(page)).toBe("approved");
  });
});

/** Emulates a hidden (or shown again) page: what `document.hidden` reads and the event that follows. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((value) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => value });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (value ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}
