/**
 * The crash suite: the built CLI (dist/cli.mjs) is killed with SIGKILL at seeded random points —
 * before or while its first requests leave, mid-poll, or while it holds its resume file's lock —
 * then run again with `--resume` to the end, against the emulator started here. The emulator's
 * request log is the judge: at most one push challenge (or one associate) per flow — two only when
 * the first had left and the kill came before the record of its answer landed (core then sends it
 * again, `resume` event `repeats`: docs/concepts/persistence.md) — no poll
 * sooner than the interval after the previous one, every flow ends approved or enrolled, and the
 * resumed process is never held up by the dead writer's lock beyond its stale time.
 *
 * PUSHFLOW_CRASH_RUNS=200 runs the long version (default 20); PUSHFLOW_CRASH_SEED the first seed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "@pushflow/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_STALE_MS } from "../src/node-fs.ts";

const RUNS = Number(process.env["PUSHFLOW_CRASH_RUNS"] ?? 20);
const FIRST_SEED = Number(process.env["PUSHFLOW_CRASH_SEED"] ?? 1);
const INTERVAL_MS = 300;
/** A poll is logged on arrival: allow for the loopback and the emulator's own handling. */
const POLL_SLACK_MS = 15;
/**
 * The resumed process's first request, counted from its spawn: its start (Node and the CLI: up to
 * a few seconds on a loaded 2-core machine) plus, after a kill inside the lock, the wait for the
 * dead writer's lock to go stale (DEFAULT_STALE_MS, plus up to 1 s as proper-lockfile stamps a new
 * lock at the next whole second). The former lock made a save wait 10 s and give up after 5.
 */
const START_MS = 5_000;
const LOCK_LEFT_MS = DEFAULT_STALE_MS + 1_000;

const cli = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
const env = {} as { emulator: RunningEmulator; dir: string };
beforeAll(async () => {
  // Polls every 300 ms would hit Auth0's 12 a minute per oob_code: this suite counts polls, not limits.
  env.emulator = await startEmulator({ port: 0, limits: { pollBurst: 1_000, pollRefillMs: 1 } });
  env.dir = await mkdtemp(join(tmpdir(), "pushflow-crash-"));
});
afterAll(async () => {
  await env.emulator?.close();
  if (env.dir) await rm(env.dir, { recursive: true, force: true });
});

/** mulberry32: a small seeded generator, so that a failing run can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type KillPoint = "timed" | "poll" | "save";

interface RunResult {
  readonly seed: number;
  readonly flow: "challenge" | "enroll";
  readonly kill: KillPoint;
  readonly killed: boolean;
  readonly lockLeft: boolean;
  /** Where the record left on disk stood, when the kill left one. */
  readonly savedAt: string | undefined;
  /** The request was sent again because its answer was lost with the killed process. */
  readonly repeated: boolean;
  /**
   * The killed process's last poll was answered with the tokens (approved, enrolled) and died
   * with them: its oob_code is spent, so the resumed flow cannot end approved or enrolled.
   */
  readonly tokensLost: boolean;
  /** From the resumed process's spawn to its first request; undefined when there was no resume. */
  readonly firstRequestMs: number | undefined;
  readonly problems: readonly string[];
}

function runCli(args: readonly string[]): { child: ChildProcess; startedAt: number; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, startedAt, exit };
}

/** The repeated associate of a flow whose first QR the phone had scanned (checked with the outcome below). */
const answerLostEnrolled = (stdout: string) => outcomeOf(stdout) === "already_enrolled";

const outcomeOf = (stdout: string): string | undefined => {
  const last = stdout.trim().split("\n").at(-1);
  if (last === undefined || last === "") return undefined;
  try {
    const line = JSON.parse(last) as { type?: string; outcome?: string };
    return line.type === "done" ? line.outcome : undefined;
  } catch {
    return undefined;
  }
};

/** Kills `child` at the chosen point; resolves once it is done (killed or ended by itself). */
function killAt(point: KillPoint, next: () => number, child: ChildProcess, dir: string, since: number): () => void {
  const kill = () => void child.kill("SIGKILL");
  if (point === "timed") {
    // From the spawn: before the login, while it or the challenge is on the wire, or polling.
    const timer = setTimeout(kill, Math.floor(next() * 1_500));
    return () => clearTimeout(timer);
  }
  if (point === "poll") {
    // A few milliseconds after the n-th poll arrived: its answer on the way back, or the next save.
    const nth = 1 + Math.floor(next() * 3);
    const delay = Math.floor(next() * 40);
    const timer = setInterval(() => {
      const polls = env.emulator.requests.entries.slice(since).filter((e) => e.grantType === "mfa-oob").length;
      if (polls >= nth) {
        clearInterval(timer);
        setTimeout(kill, delay);
      }
    }, 2);
    return () => clearInterval(timer);
  }
  // The moment the k-th lock of the resume file appears: the process is inside its save.
  const nth = 1 + Math.floor(next() * 4);
  let seen = 0;
  const watcher = watch(dir, (_event, name) => {
    if (name === "resume.json.lock" && existsSync(join(dir, name)) && ++seen === nth) kill();
  });
  return () => watcher.close();
}

async function crashRun(seed: number): Promise<RunResult> {
  const next = random(seed);
  const flow = next() < 0.3 ? "enroll" : "challenge";
  const kill: KillPoint = (["timed", "poll", "save"] as const)[Math.floor(next() * 3)] ?? "timed";
  const answerAfterMs = 300 + Math.floor(next() * 2_000);
  const username = `crash-${seed}-${Date.now()}@example.com`;
  const { emulator } = env;
  emulator.tenant.addUser({ username, password: "crash-password-1" });
  if (flow === "challenge") emulator.device(username).enroll(username);
  emulator.device(username).setPolicy(flow === "challenge" ? { answer: "approve", answerAfterMs } : { scanAfterMs: answerAfterMs });

  const dir = join(env.dir, `run-${seed}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = join(dir, "resume.json");
  const args = [flow, "--domain", emulator.url, "--client-id", "pushflow-demo", "--username", username, "--password", "crash-password-1"];
  args.push("--poll-interval", String(INTERVAL_MS / 1000), "--json", "--resume", file);

  const since = emulator.requests.entries.length;
  const first = runCli(args);
  const stop = killAt(kill, next, first.child, dir, since);
  const firstExit = await first.exit;
  stop();
  const killed = firstExit.signal === "SIGKILL";
  const lockLeft = existsSync(`${file}.lock`);
  const savedAt = await readFile(file, "utf8").then(
    (text) => (JSON.parse(String((JSON.parse(text) as { value: unknown }).value)) as { at?: string }).at,
    () => undefined,
  );
  const sendRoute = flow === "challenge" ? "POST /mfa/challenge" : "POST /mfa/associate";
  const beforeKill = emulator.requests.entries.slice(since);
  const sentBeforeKill = beforeKill.filter((e) => e.route === sendRoute).length;
  const tokensLost = killed && beforeKill.some((e) => e.grantType === "mfa-oob" && e.status === 200);
  const problems: string[] = [];

  let outcome = outcomeOf(firstExit.stdout);
  let firstRequestMs: number | undefined;
  if (killed) {
    const resumedFrom = emulator.requests.entries.length;
    const second = runCli(args);
    const secondExit = await second.exit;
    outcome = outcomeOf(secondExit.stdout);
    if (secondExit.code !== 0 && !tokensLost && !answerLostEnrolled(secondExit.stdout)) problems.push(`the resumed CLI exited ${secondExit.code}: ${secondExit.stderr.trim()} ${secondExit.stdout.trim().split("\n").at(-1) ?? ""}`);
    if (secondExit.stderr.includes("saving the flow failed")) problems.push(`a save failed: ${secondExit.stderr.trim()}`);
    const firstRequest = emulator.requests.entries[resumedFrom];
    firstRequestMs = firstRequest === undefined ? undefined : firstRequest.at - second.startedAt;
    const bound = START_MS + (lockLeft ? LOCK_LEFT_MS : 0);
    if (firstRequestMs !== undefined && firstRequestMs > bound) {
      problems.push(`the resumed CLI sent its first request after ${firstRequestMs} ms (lock left: ${lockLeft}; bound ${bound} ms)`);
    }
  } else if (firstExit.code !== 0) {
    problems.push(`the CLI exited ${firstExit.code ?? firstExit.signal}: ${firstExit.stderr.trim()}`);
  }

  const log = emulator.requests.entries.slice(since);
  const sends = log.filter((e) => e.route === sendRoute).length;
  // The record says the request was on its way, and it did leave: its answer died with the process.
  const answerLost = killed && sentBeforeKill === 1 && savedAt === (flow === "challenge" ? "challenging" : "associating");
  const repeated = answerLost && sends === 2;
  // The flow had ended at Auth0 and the process died before printing it: with the record still
  // there, the resumed flow finds its oob_code spent (failed); with the record already gone, the
  // resumed run is a new flow (for enroll: already_enrolled).
  const newFlow = tokensLost && savedAt === undefined;
  const expected = flow === "challenge" ? "approved" : "enrolled";
  const acceptable = tokensLost
    ? newFlow ? [flow === "challenge" ? "approved" : "already_enrolled"] : ["failed"]
    : answerLost && flow === "enroll"
      ? // The phone may have scanned the first QR, whose answer was lost: the repeated associate then finds the user enrolled.
        ["enrolled", "already_enrolled"]
      : [expected];
  if (outcome === undefined || !acceptable.includes(outcome)) problems.push(`the flow ended ${outcome ?? "without an outcome"}, not ${acceptable.join(" or ")}`);
  if (sentBeforeKill > 1 || sends > (answerLost || newFlow ? 2 : 1)) {
    problems.push(`${sends} ${flow === "challenge" ? "push challenges" : "associates"} for one flow (record at ${savedAt ?? "none"})`);
  }
  problems.push(...pollSpacing(log));
  if (existsSync(file)) problems.push("the resume file is left after the outcome");
  return { seed, flow, kill, killed, lockLeft, savedAt, repeated, tokensLost, firstRequestMs, problems };
}

/** Polls of one flow, in the order they arrived: none sooner than the interval after the previous one. */
function pollSpacing(log: readonly RequestLogEntry[]): string[] {
  const polls = log.filter((e) => e.grantType === "mfa-oob");
  const problems: string[] = [];
  for (let i = 1; i < polls.length; i++) {
    const [previous, poll] = [polls[i - 1], polls[i]];
    if (previous === undefined || poll === undefined) continue;
    if (poll.at - previous.at < INTERVAL_MS - POLL_SLACK_MS) problems.push(`a poll ${poll.at - previous.at} ms after the previous one`);
  }
  if (polls.some((e) => e.status === 429)) problems.push("a poll was answered slow_down or 429");
  return problems;
}

describe("crash suite: the CLI killed with SIGKILL, then --resume", () => {
  it(
    `survives ${RUNS} seeded kills (seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1})`,
    async () => {
      if (!existsSync(cli)) throw new Error(`${cli} is missing: build @pushflow/node first (pnpm turbo run build --filter=@pushflow/node...)`);
      const results: RunResult[] = [];
      let rebuilt = 0;
      for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
        let result = await crashRun(seed);
        // A build running beside the suite (dist/ removed and written again) is no crash result: that seed runs again.
        for (let again = 0; again < 5 && result.problems.some((p) => p.includes("Cannot find module")); again++) {
          rebuilt++;
          await new Promise((resolve) => setTimeout(resolve, 15_000));
          result = await crashRun(seed);
        }
        results.push(result);
      }
      if (rebuilt > 0) console.log(`crash suite: ${rebuilt} runs again, their CLI not loadable while a build ran`);

      const failed = results.filter((r) => r.problems.length > 0);
      const resumed = results.filter((r) => r.firstRequestMs !== undefined);
      const withLock = resumed.filter((r) => r.lockLeft);
      const max = (runs: readonly RunResult[]) => Math.max(0, ...runs.map((r) => r.firstRequestMs ?? 0));
      console.log(
        `crash suite: ${RUNS} runs (seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1}): ${RUNS - failed.length} survived, ${failed.length} failed\n` +
          `  killed ${results.filter((r) => r.killed).length} (timed ${results.filter((r) => r.kill === "timed" && r.killed).length}, ` +
          `mid-poll ${results.filter((r) => r.kill === "poll" && r.killed).length}, in a save ${results.filter((r) => r.kill === "save" && r.killed).length}); ` +
          `lock left by the dead writer ${withLock.length}; enroll ${results.filter((r) => r.flow === "enroll").length}; ` +
          `request sent again as its answer died with the process ${results.filter((r) => r.repeated).length}; ` +
          `tokens died with the process (then failed) ${results.filter((r) => r.tokensLost).length}\n` +
          `  resumed process, spawn to first request: max ${max(resumed.filter((r) => !r.lockLeft))} ms without a left lock, ` +
          `max ${max(withLock)} ms with one`,
      );
      for (const r of failed) console.log(`  seed ${r.seed} (${r.flow}, kill ${r.kill}): ${r.problems.join("; ")}`);
      expect(failed.map((r) => ({ seed: r.seed, problems: r.problems }))).toEqual([]);
    },
    RUNS * 20_000,
  );
});
