import { chromium } from "playwright-core";

/** Debian's chromium (`.ci/run` installs it; PUSHFLOW_CHROMIUM overrides); playwright-core never downloads one. */
const CHROMIUM = process.env["PUSHFLOW_CHROMIUM"] ?? "/usr/bin/chromium";

/** What the app's browser bundle (browser-app.ts, written by app.ts) puts on the page. */
interface PushflowApp {
  secondFactor(mfaToken: string, ui: { status(text: string): void; showQr(barcodeUri: string): void; showOnce(codes: readonly string[]): Promise<void> }): Promise<{ accessToken: string }>;
}

declare global {
  var pushflowApp: PushflowApp | undefined;
}

export interface PageRun {
  readonly statuses: number;
  readonly qr: boolean;
  readonly recoveryCodes: number;
  readonly accessToken: boolean;
}

/**
 * Loads the app's browser bundle into a page of the emulator's origin (so no CORS is involved)
 * and calls the example's `secondFactor` there, with a UI that records what it was shown.
 */
export async function runInChromium(bundle: string, origin: string, mfaToken: string): Promise<PageRun> {
  // The flags of TOOLCHAIN.md: without the background-networking ones Chromium keeps calling hosts this machine cannot reach.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/__emulator`);
    await page.addScriptTag({ content: bundle, type: "module" });
    await page.waitForFunction(() => globalThis.pushflowApp !== undefined);
    return await page.evaluate(async (token) => {
      const app = globalThis.pushflowApp;
      if (!app) throw new Error("the bundle did not set pushflowApp");
      const seen = { statuses: 0, qr: false, recoveryCodes: 0 };
      const tokens = await app.secondFactor(token, {
        status: () => void seen.statuses++,
        showQr: (barcodeUri: string) => void (seen.qr = barcodeUri.startsWith("otpauth://")),
        showOnce: async (codes: readonly string[]) => void (seen.recoveryCodes = codes.length),
      });
      return { ...seen, accessToken: tokens.accessToken !== "" };
    }, mfaToken);
  } finally {
    await browser.close();
  }
}
