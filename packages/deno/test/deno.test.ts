/**
 * The Deno adapter under the real `deno` binary (the npm package's): `deno check` against Deno's
 * own types, the conformance suite and the store tests under `deno test`, and SIGINT / resume
 * across real Deno processes, all against an emulator started here.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import { denoEnv, explain, finished, repoRoot, runDeno, SOURCE_CONDITION, spawnDeno } from "./helpers/deno.ts";
import { control, enrolledUser } from "./helpers/emulator.ts";
import { jsonLines } from "./helpers/lines.ts";

const packageDir = join(repoRoot, "packages/deno");
let emulator: RunningEmulator;
let tmp: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  tmp = mkdtempSync(join(tmpdir(), "pushflow-deno-"));
});

afterAll(async () => {
  await emulator?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Least privilege: the emulator's address, two variables, and the temporary directory. */
function permissions(): string[] {
  return [
    `--allow-net=127.0.0.1:${emulator.port}`,
    "--allow-env=PUSHFLOW_EMULATOR_URL,PUSHFLOW_TMP,PUSHFLOW_MFA_TOKEN,PUSHFLOW_STORE_DIR,PUSHFLOW_POLL_MS",
    `--allow-read=${tmp}`,
    `--allow-write=${tmp}`,
    "--no-prompt",
  ];
}

describe("@pushflow/deno under deno", () => {
  it("type-checks against Deno's own declarations (deno check)", async () => {
    const result = await runDeno(["check", "--quiet", SOURCE_CONDITION, "src/index.ts", "test/deno/"], {
      cwd: packageDir,
      env: denoEnv(),
    });
    expect(result.code, explain(result)).toBe(0);
  });

  it("passes the conformance suite and the store tests (deno test)", async () => {
    const result = await runDeno(
      ["test", "--no-check", SOURCE_CONDITION, ...permissions(), "test/deno/conformance.deno.ts", "test/deno/store.deno.ts"],
      { cwd: packageDir, env: denoEnv({ PUSHFLOW_EMULATOR_URL: emulator.url, PUSHFLOW_TMP: tmp }) },
    );
    expect(result.code, explain(result)).toBe(0);
    // Every Deno test ran: 5 conformance scenarios + 6 store tests.
    expect(result.stdout, explain(result)).toMatch(/ok \| 11 passed \| 0 failed/);
  });
});

/** The bundles `npm:@pushflow/deno` would load; the root `pnpm test` builds them before vitest. */
const built = ["packages/deno", "packages/core", "packages/transport-fetch"].every((dir) => existsSync(join(repoRoot, dir, "dist/index.mjs")));

describe("the built bundle", () => {
  it.skipIf(!built)("runs a challenge in Deno without the source condition (run `pnpm build` first)", async () => {
    const result = await runDeno(["test", "--no-check", ...permissions(), "test/deno/dist.deno.ts"], {
      cwd: packageDir,
      env: denoEnv({ PUSHFLOW_EMULATOR_URL: emulator.url, PUSHFLOW_TMP: tmp }),
    });
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout, explain(result)).toMatch(/ok \| 1 passed \| 0 failed/);
  });
});

describe("a Deno program with the adapter", () => {
  const script = "test/deno/challenge-script.ts";
  const run = (env: Record<string, string>) =>
    spawnDeno(["run", SOURCE_CONDITION, ...permissions(), script], {
      cwd: packageDir,
      env: denoEnv({ PUSHFLOW_EMULATOR_URL: emulator.url, ...env }),
    });

  it("cancels on SIGINT: outcome cancelled, exit 130, no request after the signal", async () => {
    const { mfaToken } = await enrolledUser(emulator.url, "sigint");
    const child = run({ PUSHFLOW_MFA_TOKEN: mfaToken, PUSHFLOW_POLL_MS: "400" });
    const exit = finished(child, 20_000);
    const lines = jsonLines(child);
    await lines.waitFor((line) => line["type"] === "poll");
    // The poll line comes after the answer, and the next poll is 400 ms away: nothing in flight.
    const before = emulator.requests.entries.length;
    child.kill("SIGINT");
    const result = await exit;
    expect(result.code, explain(result)).toBe(130);
    expect(lines.seen).toContainEqual({ type: "signal", signal: "SIGINT" });
    expect(lines.seen.at(-1)).toEqual({ type: "done", outcome: "cancelled" });
    // Two more intervals: a stray timer would have polled by now.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(emulator.requests.entries.slice(before)).toEqual([]);
  });

  it("resumes a flow saved by a killed process, without a new challenge", async () => {
    const { user, mfaToken } = await enrolledUser(emulator.url, "resume");
    const storeDir = join(tmp, "resume-store");
    const env = { PUSHFLOW_MFA_TOKEN: mfaToken, PUSHFLOW_STORE_DIR: storeDir };
    const first = run(env);
    const firstExit = finished(first, 20_000);
    const firstLines = jsonLines(first);
    await firstLines.waitFor((line) => line["type"] === "poll");
    expect(existsSync(join(storeDir, "pushflow%3Achallenge.json"))).toBe(true);
    first.kill("SIGKILL");
    expect((await firstExit).signal).toBe("SIGKILL");
    const challenges = emulator.requests.count({ route: "POST /mfa/challenge" });

    await control(emulator.url, `/devices/${user}/approve`, "POST");
    const resumedAt = Date.now();
    const second = run(env);
    const secondExit = finished(second, 20_000);
    const secondLines = jsonLines(second);
    const result = await secondExit;
    expect(result.code, explain(result)).toBe(0);
    expect(secondLines.seen).toContainEqual({ type: "resumed", resumed: true });
    expect(secondLines.seen.at(-1)).toEqual({ type: "done", outcome: "approved" });
    expect(emulator.requests.count({ route: "POST /mfa/challenge" })).toBe(challenges);
    expect(existsSync(join(storeDir, "pushflow%3Achallenge.json"))).toBe(false);
    // The first process was killed at a poll, often while saving: its file lock died with it.
    expect(Date.now() - resumedAt).toBeLessThan(5_000);
  });
});
