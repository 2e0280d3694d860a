import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const register = fileURLToPath(new URL("./register-ts.mjs", import.meta.url));
/** Makes `@pushflow/emulator` impossible to find, as where it is not installed. */
const withoutEmulator = fileURLToPath(new URL("./without-emulator.mjs", import.meta.url));
const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  /** Stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once a stdout line satisfies `test` (NDJSON lines are parsed). */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>;
}

/**
 * Runs the `pushflow` CLI as a child process from its TypeScript sources (Node 20 has no type
 * stripping: a module hook transpiles them), so a test never depends on a stale build.
 */
export function runCli(args: readonly string[], options: { readonly stdin?: string; readonly withoutEmulator?: boolean } = {}): CliRun {
  const [command = process.execPath, ...rest] = cliCommand(args, options);
  const child = spawn(command, rest, { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  let err = "";
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    for (const w of [...waiters]) {
      const line = out.split("\n").find(w.test);
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForLine(test, timeoutMs = 15_000) {
      const line = out.split("\n").find(test);
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such line within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exit.then(() => reject(new Error(`the CLI exited first; stdout:\n${out}\nstderr:\n${err}`)));
      });
    },
  };
}

/** The command line that runs the CLI from its sources (for a test that runs it in a shell). */
export function cliCommand(args: readonly string[], options: { readonly withoutEmulator?: boolean } = {}): string[] {
  const hide = options.withoutEmulator ? ["--import", withoutEmulator] : [];
  return [process.execPath, "--conditions=@pushflow/source", "--import", register, ...hide, cli, ...args];
}

/** The NDJSON lines of a `--json` run. */
export function ndjson(stdout: string): { readonly type: string; readonly [key: string]: unknown }[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { type: string });
}
