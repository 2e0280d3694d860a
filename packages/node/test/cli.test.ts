import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { startEmulator } from "@pushflow/emulator";
import { describe, expect, it } from "vitest";
import { cliCommand, ndjson, runCli } from "./helpers/cli.ts";
import { useEmulator } from "./helpers/emulator.ts";

const env = useEmulator("pushflow-cli-");

let users = 0;
function user(options: { enrolled: boolean; answer?: "approve" | "reject" | "ignore"; scanAfterMs?: number }) {
  const username = `cli-${++users}-${Date.now()}@example.com`;
  env.emulator.tenant.addUser({ username, password: "cli-password-1" });
  if (options.enrolled) env.emulator.device(username).enroll(username);
  env.emulator.device(username).setPolicy({
    answer: options.answer ?? "ignore",
    answerAfterMs: 400,
    ...(options.scanAfterMs === undefined ? {} : { scanAfterMs: options.scanAfterMs }),
  });
  return username;
}
const login = (username: string) => ["--domain", env.emulator.url, "--client-id", "pushflow-demo", "--username", username, "--password", "cli-password-1"];
const fast = ["--poll-interval", "0.2"];
const isPoll = (line: string) => line.startsWith('{"type":"poll"');

describe("pushflow (the CLI, as a child process)", () => {
  it("prints the usage with --help and exits 0", async () => {
    const { code, stdout } = await runCli(["--help"]).exit;
    expect(code).toBe(0);
    expect(stdout).toContain("pushflow challenge --domain D");
    expect(stdout).toContain("130 cancelled");
  });

  it.each([
    [["challenge", "--bogus"], /Unknown option '--bogus'/],
    [["enroll", "--domain", "x", "--client-id", "y"], /--mfa-token T, or --username U and --password P/],
    [["challenge", "--domain", "http://example.com", "--client-id", "y", "--mfa-token", "t"], /refusing plain http/],
  ])("exits 2 with a usage message on stderr and no stack trace: %j", async (args, message) => {
    const { code, stdout, stderr } = await runCli(args).exit;
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("--json: NDJSON on stdout only, ending with the done line; exit 0 when approved", async () => {
    const username = user({ enrolled: true, answer: "approve" });
    const { code, stdout, stderr } = await runCli(["challenge", ...login(username), ...fast, "--json"], { stdin: "" }).exit;
    expect(code).toBe(0);
    const lines = ndjson(stdout);
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(["state", "poll", "done"]));
    expect(lines.at(-1)).toMatchObject({ type: "done", flow: "challenge", outcome: "approved", method: "push" });
    expect(lines.slice(0, -1).every((l) => l.type !== "done")).toBe(true);
    // A short poll interval is advice for a real tenant: against the emulator (loopback) nothing
    // is warned about, and stderr stays empty.
    expect(stderr).toBe("");
  });

  it("--json to a reader slower than the flow: every line arrives, the done line last (the CLI exits once stdout took them)", async () => {
    // Over 64 KiB of lines (polls every 10 ms for 1.5 s, on an emulator without Auth0's poll
    // limit) into a pipe whose reader starts reading 4 s later: to a pipe Node writes what the
    // pipe takes and queues the rest, and an exit that does not wait for it drops the end.
    const emulator = await startEmulator({ port: 0, limits: { pollBurst: 1_000_000, pollRefillMs: 1 } });
    try {
      const username = `cli-slow-reader-${Date.now()}@example.com`;
      emulator.tenant.addUser({ username, password: "cli-password-1" });
      emulator.device(username).enroll(username);
      emulator.device(username).setPolicy({ answer: "approve", answerAfterMs: 1_500 });
      const args = ["challenge", "--domain", emulator.url, "--client-id", "pushflow-demo", "--username", username, "--password", "cli-password-1"];
      const command = cliCommand([...args, "--poll-interval", "0.01", "--json"]);
      const shell = spawn("bash", ["-c", 'set -o pipefail; "$@" | (sleep 4; cat)', "bash", ...command], { env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      shell.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      const code = await new Promise<number | null>((resolve) => shell.on("close", resolve));
      const last = stdout.trimEnd().split("\n").at(-1) ?? "";
      expect(last.slice(0, 60)).toMatch(/^\{"type":"done","flow":"challenge","outcome":"approved"/);
      expect(code).toBe(0);
      // More than a pipe holds: the test did make the CLI wait for its reader.
      expect(stdout.length).toBeGreaterThan(64 * 1024);
      expect(ndjson(stdout).filter((line) => line.type === "done")).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  }, 20_000);

  it("exits 3 when the push is rejected", async () => {
    const username = user({ enrolled: true, answer: "reject" });
    const { code, stdout } = await runCli(["challenge", ...login(username), ...fast, "--json"], { stdin: "" }).exit;
    expect(code).toBe(3);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: "done", outcome: "rejected" });
  });

  it("exits 5 when the user has nothing to challenge", async () => {
    const username = user({ enrolled: false });
    const { code, stdout } = await runCli(["challenge", ...login(username), ...fast, "--json"], { stdin: "" }).exit;
    expect(code).toBe(5);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: "done", outcome: "not_enrolled" });
  });

  it("enrolls with --json: the QR and recovery-code events, acknowledged by the flow, not by the CLI", async () => {
    const username = user({ enrolled: false, scanAfterMs: 500 });
    const { code, stdout } = await runCli(["enroll", ...login(username), ...fast, "--json"], { stdin: "" }).exit;
    expect(code).toBe(0);
    const lines = ndjson(stdout);
    expect(lines.find((l) => l.type === "qr")?.["barcodeUri"]).toMatch(/^otpauth:\/\//);
    const shown = lines.findIndex((l) => l.type === "recovery-codes");
    expect(lines[shown]?.["codes"]).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ type: "done", flow: "enroll", outcome: "enrolled", reason: "The Guardian app confirmed the enrollment." });
    // Only an ACK_RECOVERY_CODES clears recoveryCodesPending: the CLI sent none (core's acknowledgeRecoveryCodes "auto").
    const views = lines.slice(shown).filter((l) => l.type === "state").map((l) => l["view"] as { state: string; recoveryCodesPending: boolean });
    expect(views.map((v) => v.state)).toContain("enrolled");
    expect(views.every((v) => v.recoveryCodesPending)).toBe(true);
  });

  it("tells a person the outcome in words, without tokens", async () => {
    const username = user({ enrolled: false, scanAfterMs: 500 });
    const { code, stdout } = await runCli(["enroll", ...login(username), ...fast], { stdin: "" }).exit;
    expect(code).toBe(0);
    expect(stdout).toContain("Scan this QR code with the Guardian app");
    expect(stdout).toMatch(/[▀▄█]{10}/);
    expect(stdout).toContain("Your recovery code (shown once: save it now):");
    expect(stdout).toContain("Enrolled.");
    expect(stdout).toContain("The Guardian app confirmed the enrollment.");
    expect(stdout).not.toContain("eyJ");
  });

  it("takes a one-time code typed on stdin (`o CODE`)", async () => {
    const username = user({ enrolled: true, answer: "ignore" });
    const otp = env.emulator.device(username).totp({ username });
    const { code, stdout } = await runCli(["challenge", ...login(username), ...fast, "--json"], { stdin: `o ${otp}\n` }).exit;
    expect(code).toBe(0);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: "done", outcome: "approved", method: "otp" });
  });

  it("--resume: a process killed mid-poll is resumed from its 0600 file without a second challenge", async () => {
    const username = user({ enrolled: true, answer: "ignore" });
    const file = join(env.dir, "resume.json");
    const args = ["challenge", ...login(username), ...fast, "--json", "--resume", file];
    const challenges = () => env.emulator.requests.count({ route: "POST /mfa/challenge" });
    const logins = () => env.emulator.requests.count({ route: "POST /oauth/token", grantType: "password" });
    const [challengesBefore, loginsBefore] = [challenges(), logins()];

    const first = runCli(args);
    await first.waitForLine(isPoll);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    first.child.kill("SIGKILL");
    expect((await first.exit).signal).toBe("SIGKILL");
    expect(challenges() - challengesBefore).toBe(1);

    const second = runCli(args);
    await second.waitForLine(isPoll);
    env.emulator.device(username).approve(username);
    const { code, stdout } = await second.exit;
    expect(code).toBe(0);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: "done", outcome: "approved", method: "push" });
    expect(challenges() - challengesBefore).toBe(1);
    expect(logins() - loginsBefore).toBe(1);
    // The flow ended: its file is gone.
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it("SIGINT cancels: exit 130, a done line with cancelled, and no request after the signal", async () => {
    const username = user({ enrolled: true, answer: "ignore" });
    const run = runCli(["challenge", ...login(username), "--poll-interval", "0.3", "--json"]);
    await run.waitForLine(isPoll);
    const at = Date.now();
    run.child.kill("SIGINT");
    const { code, stdout } = await run.exit;
    expect(code).toBe(130);
    expect(ndjson(stdout).at(-1)).toMatchObject({ type: "done", outcome: "cancelled" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(env.emulator.requests.entries.filter((e) => e.at >= at)).toEqual([]);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)(
    "%s cancels as SIGINT does: exit 130, last line done with cancelled, no request after it, the resume file removed",
    async (signal) => {
      const username = user({ enrolled: true, answer: "ignore" });
      const file = join(env.dir, `resume-${signal}.json`);
      const run = runCli(["challenge", ...login(username), "--poll-interval", "0.3", "--json", "--resume", file]);
      await run.waitForLine(isPoll);
      expect((await stat(file)).isFile()).toBe(true);
      const at = Date.now();
      run.child.kill(signal);
      const exit = await run.exit;
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 130, signal: null });
      expect(ndjson(exit.stdout).at(-1)).toMatchObject({ type: "done", outcome: "cancelled" });
      expect(exit.stderr).not.toMatch(/\n\s+at /);
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(env.emulator.requests.entries.filter((e) => e.at >= at)).toEqual([]);
    },
  );

  it("a closed stdout (`--json | head -1`) cancels quietly: exit 141 as SIGPIPE, no stack trace, no request after it", async () => {
    const username = user({ enrolled: true, answer: "ignore" });
    // The list answers late, so the reader has surely closed the pipe before the CLI prints again.
    env.emulator.faults.add({ route: "GET /mfa/authenticators", delayMs: 500, times: 1 });
    const since = env.emulator.requests.entries.length;
    const run = runCli(["challenge", ...login(username), "--poll-interval", "0.3", "--json"]);
    const isJson = (line: string) => {
      try {
        return typeof JSON.parse(line) === "object";
      } catch {
        return false;
      }
    };
    // The reader takes the first line, then goes away (as `head -1` does).
    await run.waitForLine(isJson);
    run.child.stdout.destroy();
    const { code, signal, stderr } = await run.exit;
    expect({ code, signal }).toEqual({ code: 141, signal: null });
    expect(stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The sign-in, and the list whose state was the line printed: no push, no poll after the pipe closed.
    expect(env.emulator.requests.entries.slice(since).map((e) => e.route)).toEqual(["POST /oauth/token", "GET /mfa/authenticators"]);
  });
});
