/**
 * The crash suite: the built CLI (dist/cli.mjs) is killed with SIGKILL at seeded random points —
 * before or while its first requests leave, mid-poll, or while it holds its resume file's lock —
 * then run again with `--resume` to the end, against the emulator started here. The emulator's
 * request log is the judge: at most one push challenge (or one associate) per flow — two only when
 * the first had left and the kill came before the record of its answer landed (core then sends it
 * again, `resume` event `repeats`: docs/concepts/persistence.md) — no poll
 * sooner than the interval after the previous one, every flow ends approved or enrolled (each
 * process's exit code the one of the outcome it printed last), and no save of the resumed process
 * is held up by the dead writer's lock beyond its stale time.
 *
 * PUSHFLOW_CRASH_RUNS=200 runs the long version (default 20); PUSHFLOW_CRASH_SEED the first seed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "@pushflow/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Outcome } from "@pushflow/core";
import { EXIT_CODES } from "../src/cli/exit-codes.ts";
import { DEFAULT_STALE_MS } from "../src/node-fs.ts";

const RUNS = Number(process.env["PUSHFLOW_CRASH_RUNS"] ?? 20);
const FIRST_SEED = Number(process.env["PUSHFLOW_CRASH_SEED"] ?? 1);
const INTERVAL_MS = 300;
/** A poll is logged on arrival: allow for the loopback and the emulator's own handling. */
const POLL_SLACK_MS = 15;
/**
 * How long a request of the resumed process may wait on the save before it. A flow sends a request
 * only once the record of the state that sends it has landed, and the CLI prints that state (a
 * `state` line) as it enters it: from that line to the request there is one save, a few file
 * operations (SAVE_MS allows for a loaded 2-core machine), plus, after a kill inside the lock, the
 * wait for the dead writer's lock to go stale (DEFAULT_STALE_MS, plus up to 1 s as proper-lockfile
 * stamps a new lock at the next whole second). The same holds from the last request to the `done`
 * line (the record is deleted in between). The former hand-written lock made a save wait 10 s.
 *
 * Counted from the CLI's own line, not from its spawn: Node's start is no save, and takes seconds
 * when the machine is loaded (5.6 s at a load of 20: seed 4 of a 200-run failed a 5 s bound on it).
 */
const SAVE_MS = 2_000;
const LOCK_LEFT_MS = DEFAULT_STALE_MS + 1_000;

const cli = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
/** What the built CLI loads: its own build and those of the workspace packages it imports. */
const builds = ["node", "core", "transport-fetch"].map((name) => fileURLToPath(new URL(`../../${name}/dist/`, import.meta.url)));
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
  /** From the resumed process's spawn to its first request (Node's start: shown, not checked). */
  readonly firstRequestMs: number | undefined;
  /** The longest a request of the resumed process waited on its save (see SAVE_MS); undefined when there was no resume. */
  readonly saveWaitMs: number | undefined;
  readonly problems: readonly string[];
}

interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Each stdout line with the time it arrived here. */
  readonly lines: readonly { readonly at: number; readonly text: string }[];
}

function runCli(args: readonly string[]): { child: ChildProcess; startedAt: number; exit: Promise<CliExit> } {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  let partial = "";
  const lines: { at: number; text: string }[] = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    const at = Date.now();
    for (const text of parts) lines.push({ at, text });
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<CliExit>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, lines })));
  return { child, startedAt, exit };
}

/**
 * A problem when the CLI printed no `done` line last, or exited with another code than the one of
 * the outcome it printed (DESIGN.md's table), whatever outcome the run expects; with what it said.
 * This once skipped the runs whose tokens died with the killed process (their resumed CLI may end
 * `failed`): one whose resumed CLI then died without an outcome was reported only as "the flow
 * ended without an outcome" (seed 142 of a 200-run), with its stderr dropped, and a CLI that could
 * not load while a build rewrote dist/ beside the suite was not recognised and run again.
 */
function exitProblem(who: string, exit: CliExit): string | undefined {
  const outcome = outcomeOf(exit.stdout);
  const how = exit.code ?? exit.signal;
  const said = `${exit.stderr.trim()} ${exit.stdout.trim().split("\n").at(-1) ?? ""}`.trim().slice(-600);
  if (outcome === undefined) return `${who} printed no outcome and exited ${how}: ${said}`;
  if (exit.code !== EXIT_CODES[outcome as Outcome]) return `${who} ended ${outcome} but exited ${how}: ${said}`;
  return undefined;
}

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

/** Kill delays, in ms after the poll that got the tokens arrived, of the test of that case. */
const TOKEN_KILL_DELAYS = [0, 1, 2, 4];

/** A run that is not drawn from its seed: a challenge killed `delay` ms after its `nth` poll arrived. */
interface FixedRun {
  readonly answerAfterMs: number;
  readonly nth: number;
  readonly delay: number;
}

/** Kills `child` at the chosen point; resolves once it is done (killed or ended by itself). */
function killAt(point: KillPoint, next: () => number, child: ChildProcess, dir: string, since: number, fixed?: FixedRun): () => void {
  const kill = () => void child.kill("SIGKILL");
  if (point === "timed") {
    // From the spawn: before the login, while it or the challenge is on the wire, or polling.
    const timer = setTimeout(kill, Math.floor(next() * 1_500));
    return () => clearTimeout(timer);
  }
  if (point === "poll") {
    // A few milliseconds after the n-th poll arrived: its answer on the way back, or the next save.
    const nth = fixed?.nth ?? 1 + Math.floor(next() * 3);
    const delay = fixed?.delay ?? Math.floor(next() * 40);
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

async function crashRun(seed: number, fixed?: FixedRun): Promise<RunResult> {
  const next = random(seed);
  const flow = fixed ? "challenge" : next() < 0.3 ? "enroll" : "challenge";
  const kill: KillPoint = fixed ? "poll" : ((["timed", "poll", "save"] as const)[Math.floor(next() * 3)] ?? "timed");
  const answerAfterMs = fixed?.answerAfterMs ?? 300 + Math.floor(next() * 2_000);
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
  const stop = killAt(kill, next, first.child, dir, since, fixed);
  const firstExit = await first.exit;
  stop();
  const killed = firstExit.signal === "SIGKILL";
  // The emulator logs a request as it arrives and its status once answered; a token answer is
  // signed asynchronously, so it may still be in the making when the killed process is already
  // gone. What died with the process is judged on the answers it was sent.
  await answered(since);
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

  let last = firstExit;
  let firstRequestMs: number | undefined;
  let saveWaitMs: number | undefined;
  if (killed) {
    const resumedFrom = emulator.requests.entries.length;
    const second = runCli(args);
    last = await second.exit;
    if (last.stderr.includes("saving the flow failed")) problems.push(`a save failed: ${last.stderr.trim()}`);
    const requests = emulator.requests.entries.slice(resumedFrom);
    firstRequestMs = requests[0] === undefined ? undefined : requests[0].at - second.startedAt;
    saveWaitMs = longestSaveWait(last.lines, requests);
    const bound = SAVE_MS + (lockLeft ? LOCK_LEFT_MS : 0);
    if (saveWaitMs > bound) problems.push(`a request of the resumed CLI waited ${saveWaitMs} ms on its save (lock left: ${lockLeft}; bound ${bound} ms)`);
  }
  const exited = exitProblem(killed ? "the resumed CLI" : "the CLI", last);
  if (exited !== undefined) problems.push(exited);
  const outcome = outcomeOf(last.stdout);

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
  // No outcome at all is reported above, with what the CLI said.
  if (outcome !== undefined && !acceptable.includes(outcome)) problems.push(`the flow ended ${outcome}, not ${acceptable.join(" or ")}`);
  if (sentBeforeKill > 1 || sends > (answerLost || newFlow ? 2 : 1)) {
    problems.push(`${sends} ${flow === "challenge" ? "push challenges" : "associates"} for one flow (record at ${savedAt ?? "none"})`);
  }
  problems.push(...pollSpacing(log));
  if (existsSync(file)) problems.push("the resume file is left after the outcome");
  return { seed, flow, kill, killed, lockLeft, savedAt, repeated, tokensLost, firstRequestMs, saveWaitMs, problems };
}

/** Resolves once every request logged from `from` on has been answered (at most `ms` later). */
async function answered(from: number, ms = 5_000): Promise<void> {
  const giveUpAt = Date.now() + ms;
  while (env.emulator.requests.entries.slice(from).some((e) => e.status === undefined) && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The longest a request of the resumed process waited on a save (see SAVE_MS): from the line the
 * CLI printed last before it (the state that sends it) to its arrival, and from the last request
 * to the `done` line (the record is deleted in between). A request before any line, the password
 * login of a flow started anew, follows no save.
 */
function longestSaveWait(lines: CliExit["lines"], requests: readonly RequestLogEntry[]): number {
  let longest = 0;
  for (const request of requests) {
    const before = lines.filter((line) => line.at <= request.at).at(-1);
    if (before !== undefined) longest = Math.max(longest, request.at - before.at);
  }
  const done = lines.at(-1);
  const lastRequest = requests.filter((request) => done !== undefined && request.at <= done.at).at(-1);
  if (done !== undefined && lastRequest !== undefined && done.text.startsWith('{"type":"done"')) longest = Math.max(longest, done.at - lastRequest.at);
  return longest;
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

/**
 * The built files the CLI runs, by modification time; undefined while a build has removed them.
 * Other work in the same tree builds beside the suite (`pnpm test` builds first), and a CLI started
 * meanwhile cannot load, or loads half of one build and half of the next.
 */
async function buildStamp(): Promise<string | undefined> {
  try {
    const dirs = await Promise.all(
      builds.map(async (dir) => {
        const names = (await readdir(dir)).sort();
        return `${dir}: ${(await Promise.all(names.map(async (name) => `${name}@${(await stat(join(dir, name))).mtimeMs}`))).join(" ")}`;
      }),
    );
    return existsSync(cli) ? dirs.join("\n") : undefined;
  } catch {
    return undefined;
  }
}

/** The build's stamp once no build has touched it for `quietMs` (a build beside the suite has ended). */
async function settledBuild(quietMs: number): Promise<string> {
  const giveUpAt = Date.now() + 120_000;
  let stamp = await buildStamp();
  for (let since = Date.now(); stamp === undefined || Date.now() - since < quietMs; ) {
    if (Date.now() > giveUpAt) throw new Error(`${cli} is missing or keeps changing: build @pushflow/node first (pnpm turbo run build --filter=@pushflow/node...)`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(quietMs, 1_000)));
    const now = await buildStamp();
    if (now !== stamp || now === undefined) since = Date.now();
    stamp = now;
  }
  return stamp;
}

/**
 * Runs `crashRun` on one build of the CLI. A run whose CLI was rebuilt under it (its files replaced
 * or gone between its start and its end, or a CLI that could not load them) says nothing about a
 * crash: it runs again on the new build, noted in `rebuilt`. Any other failure stands, and so does
 * one that comes back 5 times.
 */
async function onOneBuild(seed: number, fixed: FixedRun | undefined, rebuilt: string[]): Promise<RunResult> {
  for (let again = 0; ; again++) {
    const build = await settledBuild(again === 0 ? 0 : 3_000);
    const result = await crashRun(seed, fixed);
    const unloadable = result.problems.some((p) => p.includes("Cannot find module"));
    if (result.problems.length === 0 || again === 5 || (!unloadable && (await buildStamp()) === build)) return result;
    rebuilt.push(`seed ${seed}: ${result.problems.join("; ").slice(0, 300)}`);
  }
}

describe("crash suite: the CLI killed with SIGKILL, then --resume", () => {
  it(
    `survives ${RUNS} seeded kills (seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1})`,
    async () => {
      const results: RunResult[] = [];
      const rebuilt: string[] = [];
      for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) results.push(await onOneBuild(seed, undefined, rebuilt));
      if (rebuilt.length > 0) console.log(`crash suite: ${rebuilt.length} runs again, their CLI rebuilt beside the suite while they ran\n  ${rebuilt.join("\n  ")}`);

      const failed = results.filter((r) => r.problems.length > 0);
      const resumed = results.filter((r) => r.saveWaitMs !== undefined);
      const withLock = resumed.filter((r) => r.lockLeft);
      const max = (runs: readonly RunResult[], of: (r: RunResult) => number | undefined) => Math.max(0, ...runs.map((r) => of(r) ?? 0));
      console.log(
        `crash suite: ${RUNS} runs (seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1}): ${RUNS - failed.length} survived, ${failed.length} failed\n` +
          `  killed ${results.filter((r) => r.killed).length} (timed ${results.filter((r) => r.kill === "timed" && r.killed).length}, ` +
          `mid-poll ${results.filter((r) => r.kill === "poll" && r.killed).length}, in a save ${results.filter((r) => r.kill === "save" && r.killed).length}); ` +
          `lock left by the dead writer ${withLock.length}; enroll ${results.filter((r) => r.flow === "enroll").length}; ` +
          `request sent again as its answer died with the process ${results.filter((r) => r.repeated).length}; ` +
          `tokens died with the process (then failed, or a new flow) ${results.filter((r) => r.tokensLost).length}\n` +
          `  resumed process: longest wait of a request on its save max ${max(resumed.filter((r) => !r.lockLeft), (r) => r.saveWaitMs)} ms without a left lock ` +
          `(bound ${SAVE_MS} ms), max ${max(withLock, (r) => r.saveWaitMs)} ms with one (bound ${SAVE_MS + LOCK_LEFT_MS} ms); ` +
          `spawn to first request (Node's start, not checked) max ${max(resumed, (r) => r.firstRequestMs)} ms`,
      );
      for (const r of failed) console.log(`  seed ${r.seed} (${r.flow}, kill ${r.kill}): ${r.problems.join("; ")}`);
      expect(failed.map((r) => ({ seed: r.seed, problems: r.problems }))).toEqual([]);
    },
    RUNS * 20_000,
  );

  it("kills right after the poll that got the tokens: the resumed CLI ends failed (record left) or signs in anew (record gone), with its outcome", async () => {
    // The seeded runs reach this case mostly on a loaded machine (0 of 200 on an idle one), and it
    // is the one whose check was skipped when seed 142 failed without a cause: here every run has
    // it. The device approves before the first poll; the kill lands while the CLI takes the
    // answer, deletes the record or prints the outcome.
    const rebuilt: string[] = [];
    const results: RunResult[] = [];
    for (const delay of TOKEN_KILL_DELAYS) results.push(await onOneBuild(1_000_000 + delay, { answerAfterMs: 100, nth: 1, delay }, rebuilt));
    const how = (r: RunResult) => (!r.killed ? "not killed" : !r.tokensLost ? "killed before the tokens" : r.savedAt === undefined ? "tokens lost, record gone" : "tokens lost, record left");
    console.log(`crash suite, tokens lost: ${results.map((r) => `${r.seed - 1_000_000} ms: ${how(r)}`).join("; ")}`);
    if (rebuilt.length > 0) console.log(`  runs again, their CLI rebuilt beside the suite: ${rebuilt.join("; ")}`);
    expect(results.some((r) => r.tokensLost)).toBe(true);
    expect(results.filter((r) => r.problems.length > 0).map((r) => ({ delay: r.seed - 1_000_000, problems: r.problems }))).toEqual([]);
  }, TOKEN_KILL_DELAYS.length * 20_000);
});
