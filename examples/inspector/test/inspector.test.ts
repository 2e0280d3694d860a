import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const built = ["core", "emulator", "transport-fetch"].every((p) => existsSync(fileURLToPath(new URL(`../../../packages/${p}/dist/index.mjs`, import.meta.url))));

describe("examples/inspector", () => {
  it("streams a live flow to a local inspector relay, with no secret in it", async () => {
    // `pnpm test` builds first; the example runs on the built packages as it does for users.
    expect(built, "run `pnpm build` first").toBe(true);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { stdout } = await promisify(execFile)(process.execPath, [`${here}watch-relay.mjs`, String(port)], { timeout: 30_000 });
    const { outcome, events } = JSON.parse(stdout.trim().split("\n").at(-1)!) as { outcome: string; events: { type: string }[] };
    expect(outcome).toBe("approved");
    expect(events.filter((e) => e.type === "@xstate.snapshot").length).toBeGreaterThan(3);
    const text = JSON.stringify(events);
    expect(text).toContain("challenged");
    expect(text).toContain("[redacted]");
    expect(text).not.toMatch(/Fe26\.2\*|eyJ[A-Za-z0-9_-]{10,}/); // no mfa_token, oob_code or JWT
  });
});
