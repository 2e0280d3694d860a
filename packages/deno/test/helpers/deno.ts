import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (this file is packages/deno/test/helpers/deno.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/**
 * The real deno executable of the `deno` npm package, not its `node_modules/.bin` shim: the shim
 * runs deno under a node wrapper, and a signal sent to the wrapper would never reach deno.
 */
export function denoBinary(): string {
  const require = createRequire(join(repoRoot, "packages/deno/package.json"));
  const packageDir = dirname(require.resolve("deno/package.json"));
  const exe = join(packageDir, process.platform === "win32" ? "deno.exe" : "deno");
  if (existsSync(exe)) return exe;
  // The postinstall that links the platform binary did not run: the package's own installer does it.
  const installer = require(join(packageDir, "install_api.cjs")) as { runInstall(): string };
  return installer.runInstall();
}

/** Deno's cache (type-check and transpile results) under node_modules/.cache: no global state. */
export const denoDir = join(repoRoot, "node_modules/.cache/deno");

/** The environment every deno run gets: its cache, no update check, no colour, plus `extra`. */
export function denoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  mkdirSync(denoDir, { recursive: true });
  return { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...extra };
}

/**
 * Deno resolves `@pushflow/*` through node_modules (package.json's `exports`); this condition picks
 * their TypeScript sources, as vitest does, so a test never runs against a stale build.
 */
export const SOURCE_CONDITION = "--conditions=@pushflow/source";

export interface DenoResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs deno to the end (killed after `timeoutMs`), with its output collected. */
export function runDeno(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<DenoResult> {
  const child = spawnDeno(args, options);
  return finished(child, options.timeoutMs ?? 60_000);
}

export function spawnDeno(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(denoBinary(), args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
}

/** Collects a child's output until it exits; kills it (SIGKILL) past `timeoutMs`. */
export function finished(child: ChildProcess, timeoutMs: number): Promise<DenoResult> {
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

/** The text to show when a deno run failed: its exit and both streams. */
export function explain(result: DenoResult): string {
  return `deno exited with ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
