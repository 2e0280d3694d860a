import { spawn, type ChildProcess } from "node:child_process";

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) past this; the result then has `signal` set. */
  readonly timeoutMs?: number;
}

/** The environment of every command: no colour, no npm update notice, plus `extra`. */
export function quietEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", NO_UPDATE_NOTIFIER: "1", npm_config_update_notifier: "false", ...extra };
}

export function start(command: string, args: readonly string[], options: RunOptions): ChildProcess {
  return spawn(command, args, { cwd: options.cwd, env: options.env ?? quietEnv(), stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs a command to its end with its output collected. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return finished(start(command, args, options), options.timeoutMs ?? 120_000);
}

/** Collects a child's output until it exits; kills it past `timeoutMs`. */
export function finished(child: ChildProcess, timeoutMs: number): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** What to show when a command failed: how it ended and both streams. */
export function explain(what: string, result: RunResult): string {
  return `${what} ended with ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Runs a command and throws, with its output, unless it exits 0. */
export async function mustRun(what: string, command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(explain(what, result));
  return result;
}

/**
 * Runs a command to its end, and calls `onCue` once when its output first matches `cue` (say, the
 * line a flow prints when it waits for the phone). If `onCue` fails, the command is killed and
 * the error is added to its stderr.
 */
export async function runWithCue(command: string, args: readonly string[], options: RunOptions, cue: RegExp, onCue: () => Promise<void>): Promise<RunResult> {
  const child = start(command, args, options);
  const ended = finished(child, options.timeoutMs ?? 120_000);
  let output = "";
  let cued = false;
  let failure: unknown;
  child.stdout?.on("data", (chunk: string) => {
    output += chunk;
    if (cued || !cue.test(output)) return;
    cued = true;
    onCue().catch((error: unknown) => {
      failure = error;
      child.kill("SIGKILL");
    });
  });
  const result = await ended;
  return failure === undefined ? result : { ...result, stderr: `${result.stderr}\n${String(failure)}` };
}
