/**
 * The shared conformance suite, run inside headless Chromium: the scenarios execute in the page
 * (test/harness) with the real browser adapter; the test only starts the emulator and the page
 * server, and compares each result with the scenario's expectation.
 */
import { scenarios, type ScenarioResult } from "@pushflow/conformance";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPageServer, type PageServer } from "../../../examples/browser/src/server.ts";
import { chromiumAvailable, launchChromium } from "./support/chromium.ts";

const here = (path: string) => new URL(path, import.meta.url).pathname;

describe.skipIf(!chromiumAvailable())("conformance in Chromium", () => {
  let emulator: RunningEmulator;
  let server: PageServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    [server, browser] = await Promise.all([
      startPageServer({
        upstream: emulator.url,
        pages: { "/": here("./harness/harness.html") },
        scripts: { "/harness.js": here("./harness/harness.ts") },
      }),
      launchChromium(),
    ]);
    page = await browser.newPage();
    page.on("pageerror", (error) => console.error("page error:", error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.conformance !== undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await emulator?.close();
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const result: ScenarioResult = await page.evaluate((name) => window.conformance.run(name), scenario.name);
      expect(result.outcome).toBe(scenario.expect.outcome);
      if (scenario.expect.method) expect(result.method).toBe(scenario.expect.method);
      expect([...result.events].sort()).toEqual([...scenario.expect.events].sort());
      expect(result.polls).toBeGreaterThan(0);
    });
  }
});
