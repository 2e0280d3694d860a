/**
 * Smoke test of the example: `deno check`, then main.ts run by the real deno binary against an
 * emulator whose devices scan and approve by themselves, for a challenge and for an enrollment.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import { denoEnv, explain, repoRoot, runDeno, SOURCE_CONDITION } from "../../../packages/deno/test/helpers/deno.ts";

const exampleDir = join(repoRoot, "examples/deno");
let emulator: RunningEmulator;
let tmp: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, devicePolicy: { scanAfterMs: 300, answer: "approve", answerAfterMs: 300 } });
  tmp = mkdtempSync(join(tmpdir(), "pushflow-example-deno-"));
});

afterAll(async () => {
  await emulator?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function runExample(args: string[]) {
  return runDeno(
    ["run", SOURCE_CONDITION, `--allow-net=127.0.0.1:${emulator.port}`, "--allow-env", `--allow-read=${tmp}`, `--allow-write=${tmp}`, "--no-prompt", "main.ts", ...args],
    { cwd: exampleDir, env: denoEnv({ PUSHFLOW_DOMAIN: emulator.url, PUSHFLOW_POLL_MS: "200", PUSHFLOW_STORE_DIR: tmp }), timeoutMs: 20_000 },
  );
}

it("type-checks (deno check)", async () => {
  const result = await runDeno(["check", "--quiet", SOURCE_CONDITION, "main.ts"], { cwd: exampleDir, env: denoEnv() });
  expect(result.code, explain(result)).toBe(0);
});

it("approves grace's push challenge", async () => {
  const result = await runExample([]);
  expect(result.code, explain(result)).toBe(0);
  expect(result.stdout).toMatch(/Waiting for the phone/);
  expect(result.stdout).toMatch(/^approved: /m);
});

it("enrolls ada: QR, recovery code, then the device's confirmation", async () => {
  const result = await runExample(["enroll"]);
  expect(result.code, explain(result)).toBe(0);
  expect(result.stdout).toMatch(/Scan this in Auth0 Guardian:\n {2}otpauth:\/\//);
  expect(result.stdout).toMatch(/Keep this recovery code somewhere safe: \S+/);
  expect(result.stdout).toMatch(/^enrolled: /m);
});
