import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The parts of a package.json the checks read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly exports?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

export interface WorkspacePackage {
  /** Absolute folder. */
  readonly dir: string;
  /** `packages/core`. */
  readonly path: string;
  readonly manifest: Manifest;
}

/** Every package under `packages/`, by folder name. */
export function workspacePackages(root: string): WorkspacePackage[] {
  return readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, "packages", e.name, "package.json")))
    .map((e) => {
      const dir = join(root, "packages", e.name);
      return { dir, path: `packages/${e.name}`, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The packages that get published: every one without `"private": true`. */
export function publicPackages(root: string): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => p.manifest.private !== true);
}

/** A published package that needs an unpublished one at run time cannot be installed. */
export function privateDependencies(pkg: WorkspacePackage, all: readonly WorkspacePackage[]): string[] {
  const privates = new Set(all.filter((p) => p.manifest.private === true).map((p) => p.manifest.name));
  const { dependencies = {}, peerDependencies = {}, optionalDependencies = {} } = pkg.manifest;
  return [...Object.keys(dependencies), ...Object.keys(peerDependencies), ...Object.keys(optionalDependencies)].filter((name) => privates.has(name));
}

/** What one packaging tool said about one package. */
export interface ToolReport {
  readonly tool: "publint" | "attw";
  readonly ok: boolean;
  /** Its output, trimmed, for the failure message. */
  readonly output: string;
}

/**
 * `publint --strict` (the packed files against package.json) and `attw --pack --profile
 * esm-only` (the types every resolver sees), run on a built package. `bin` is the folder with
 * the workspace's executables (`node_modules/.bin` at the root).
 */
export async function checkPackage(pkg: WorkspacePackage, bin: string): Promise<ToolReport[]> {
  const publint = await run(join(bin, "publint"), ["--strict"], pkg.dir);
  const attw = await run(join(bin, "attw"), ["--pack", ".", "--profile", "esm-only", "--format", "ascii"], pkg.dir);
  return [
    { tool: "publint", ...publint },
    { tool: "attw", ...attw },
  ];
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ ok: false, output: `${command}: ${error.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0, output: output.trim() }));
  });
}

/** Runs `task` over `items`, at most `limit` at a time (the machine has two cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
