import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium (`apt-get install -y chromium`; PUSHFLOW_CHROMIUM overrides); playwright-core never downloads one. */
export const CHROMIUM = process.env["PUSHFLOW_CHROMIUM"] ?? "/usr/bin/chromium";

/**
 * Whether the Chromium suites run here. Without the binary they are skipped on a developer's
 * machine but fail in CI, where .ci/run installs it: a missing browser must not pass unnoticed.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env["CI"]) {
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (the browser suite cannot run without it)`);
  }
  return false;
}

/** Headless Chromium with the flags TOOLCHAIN.md lists; playwright gives it a fresh temporary profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}
