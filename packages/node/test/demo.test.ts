import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";

describe("pushflow demo", () => {
  it("tells the whole story and exits 0", async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await runCli(["demo"]).exit;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    for (const text of [
      "403 mfa_required",
      "outcome enrolled",
      "outcome approved (push)",
      "outcome rejected",
      "outcome approved (otp)",
      "outcome approved (recovery-code)",
      "New recovery code",
      "Every step ended as expected",
    ]) {
      expect(stdout).toContain(text);
    }
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it("without the emulator installed (an optional peer), says how to get it and exits 2", async () => {
    const { code, stdout, stderr } = await runCli(["demo"], { withoutEmulator: true }).exit;
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("@pushflow/emulator, which is not installed");
    expect(stderr).toContain("npm i -D @pushflow/emulator");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
