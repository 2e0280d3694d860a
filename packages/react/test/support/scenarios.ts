/**
 * The Chromium scenarios both bindings pass: a test app (React or Vue, same DOM contract) served
 * next to the emulator and driven as a person would; the emulator's request log says what went
 * over the wire (one challenge, one oob_code).
 */
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../../../browser/test/support/chromium.ts";
import { startAppServer, type AppServer } from "./page-server.ts";

const INTERVAL = 200;

interface Options {
  /** The binding has React's StrictMode (its double mount must send one challenge). */
  readonly strictMode: boolean;
}

export function describeInChromium(name: string, entry: string, options: Options) {
  describe.skipIf(!chromiumAvailable())(`${name} in Chromium`, () => {
    let emulator: RunningEmulator;
    let server: AppServer;
    let browser: Browser;
    let context: BrowserContext;

    beforeAll(async () => {
      emulator = await startEmulator({ port: 0, limits: { pollBurst: 1000, pollRefillMs: 1 } });
      [server, browser] = await Promise.all([startAppServer(entry, emulator.url), launchChromium()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await emulator?.close();
    });
    beforeEach(async () => {
      context = await browser.newContext();
      emulator.requests.clear();
    });
    afterEach(async () => {
      await context.close();
    });

    const control = async (path: string, method = "POST", body: unknown = {}) => {
      const answer = await fetch(`${emulator.url}/__emulator${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(method === "GET" ? {} : { body: JSON.stringify(body) }),
      });
      if (!answer.ok) throw new Error(`emulator ${path}: ${answer.status} ${await answer.text()}`);
      return answer.json() as Promise<Record<string, unknown>>;
    };
    /** A fresh user; enrolled, with the recovery code the enrollment gave. */
    const newUser = async (enrolled: boolean) => {
      const username = `binding-${Math.random().toString(36).slice(2, 10)}@example.com`;
      const password = "binding-password-1";
      await control("/users", "POST", { username, password });
      const recoveryCode = enrolled ? String((await control(`/users/${encodeURIComponent(username)}/enroll`)).recovery_code) : undefined;
      return { username, password, recoveryCode };
    };
    const device = (user: { username: string }, action: "scan" | "approve" | "reject") => control(`/devices/${encodeURIComponent(user.username)}/${action}`);

    const open = async (flow: "challenge" | "enroll", user: { username: string; password: string }, extra = "") => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/?flow=${flow}&interval=${INTERVAL}&username=${encodeURIComponent(user.username)}&password=${encodeURIComponent(user.password)}${extra}`);
      return Object.assign(page, { errors });
    };
    const text = (page: Page, id: string) => page.textContent(`#${id}`);
    const waitFor = (page: Page, id: string, expected: string) =>
      page.waitForFunction(([i, e]) => document.getElementById(i)?.textContent === e, [id, expected] as const);
    const waitForAttempt = (page: Page, atLeast: number) =>
      page.waitForFunction((n) => Number(document.getElementById("attempt")?.textContent) >= n, atLeast);
    const actions = (page: Page) => page.$$eval("[data-action]", (buttons) => buttons.map((b) => b.getAttribute("data-action")).sort());
    const count = (route: string) => emulator.requests.count({ route });
    const pollCount = () => emulator.requests.entries.filter((e) => e.grantType === "mfa-oob").length;

    it("enrolls: the QR, the recovery codes acknowledged, the phone scans, enrolled", async () => {
      const user = await newUser(false);
      const page = await open("enroll", user);
      await page.waitForSelector("#qr img[src^='data:image/svg+xml']");
      await page.waitForSelector("#codes li");
      expect(await actions(page)).toEqual(["acknowledgeRecoveryCodes", "cancel"]);
      await page.click("[data-action=acknowledgeRecoveryCodes]");
      await page.waitForFunction(() => document.querySelectorAll("#codes li").length === 0);
      expect(await actions(page)).toEqual(["cancel"]);
      await waitForAttempt(page, 1);
      await device(user, "scan");
      await waitFor(page, "outcome", "enrolled");
      expect(await actions(page)).toEqual([]);
      expect(count("POST /mfa/associate")).toBe(1);
      expect(page.errors).toEqual([]);
    });

    it("challenges: waits with the actions polling allows, then the phone approves", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user);
      await waitFor(page, "state", "challenged.polling");
      expect(await actions(page)).toEqual(expect.arrayContaining(["cancel", "useOtp", "useRecoveryCode"]));
      expect(Number(await text(page, "seconds"))).toBeGreaterThan(200);
      await waitForAttempt(page, 1);
      await device(user, "approve");
      await waitFor(page, "outcome", "approved");
      expect(await text(page, "method")).toBe("push");
      expect(count("POST /mfa/challenge")).toBe(1);
    });

    it("a rejected push ends rejected", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user);
      await waitForAttempt(page, 1);
      await device(user, "reject");
      await waitFor(page, "outcome", "rejected");
    });

    it("falls back to a one-time code", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user);
      await waitFor(page, "state", "challenged.polling");
      await page.click("[data-action=useOtp]");
      await waitFor(page, "state", "challenged.otpEntry");
      expect(await actions(page)).toEqual(["backToPush", "cancel", "submitOtp", "useRecoveryCode"]);
      const { otp } = await control(`/devices/${encodeURIComponent(user.username)}/totp`, "GET");
      await page.fill("#code", String(otp));
      await page.click("[data-action=submitOtp]");
      await waitFor(page, "outcome", "approved");
      expect(await text(page, "method")).toBe("otp");
    });

    it("falls back to a recovery code", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user);
      await waitFor(page, "state", "challenged.polling");
      await page.click("[data-action=useRecoveryCode]");
      await waitFor(page, "state", "challenged.recoveryEntry");
      await page.fill("#code", user.recoveryCode ?? "");
      await page.click("[data-action=submitRecoveryCode]");
      await waitFor(page, "outcome", "approved");
      expect(await text(page, "method")).toBe("recovery-code");
    });

    it("a reload in the middle of polling resumes the same flow: one challenge, one oob_code", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user);
      await waitForAttempt(page, 2);
      await page.reload();
      await waitFor(page, "state", "challenged.polling");
      await waitForAttempt(page, 3);
      await device(user, "approve");
      await waitFor(page, "outcome", "approved");
      expect(count("POST /mfa/challenge")).toBe(1);
      expect(new Set(emulator.requests.entries.filter((e) => e.grantType === "mfa-oob").map((e) => e.oobCode)).size).toBe(1);
    });

    it("unmounting cancels the flow: the polls stop and nothing stays saved", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user);
      await waitForAttempt(page, 1);
      await page.click("#toggle");
      await page.waitForTimeout(2 * INTERVAL);
      const stopped = pollCount();
      await page.waitForTimeout(4 * INTERVAL);
      expect(pollCount()).toBe(stopped);
      expect(await page.evaluate(() => sessionStorage.getItem("pushflow:challenge"))).toBeNull();
    });

    it("unmounting with onUnmount keep: the flow runs on, and the next mount shows it without a second push", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user, "&unmount=keep");
      await waitForAttempt(page, 1);
      await page.click("#toggle");
      const hidden = pollCount();
      await page.waitForTimeout(4 * INTERVAL);
      expect(pollCount()).toBeGreaterThan(hidden);
      await page.click("#toggle");
      await waitFor(page, "state", "challenged.polling");
      await device(user, "approve");
      await waitFor(page, "outcome", "approved");
      expect(count("POST /mfa/challenge")).toBe(1);
    });

    if (options.strictMode) it("StrictMode's double mount sends one challenge", async () => {
      const user = await newUser(true);
      const page = await open("challenge", user, "&strict=1");
      await waitForAttempt(page, 2);
      expect(count("POST /mfa/challenge")).toBe(1);
      expect(count("GET /mfa/authenticators")).toBe(1);
      await device(user, "approve");
      await waitFor(page, "outcome", "approved");
      expect(count("POST /mfa/challenge")).toBe(1);
      expect(page.errors).toEqual([]);
    });
  });
}
