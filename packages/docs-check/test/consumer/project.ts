import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mustRun } from "./run.ts";

/**
 * A new app folder (outside the repository, so no workspace node_modules above it) with `specs`
 * installed by npm: our tarballs by path, third-party packages from the registry. `cache` is a
 * throwaway npm cache shared by the installs of one run.
 */
export async function installProject(dir: string, specs: readonly string[], cache: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "pushflow-consumer", private: true, type: "module" }, null, 2)}\n`);
  await mustRun("npm install", "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--cache", cache, ...specs], {
    cwd: dir,
    timeoutMs: 150_000,
  });
}

export interface Footprint {
  /** Disk usage of node_modules (`du -sk`), in bytes. */
  readonly bytes: number;
  /** Packages installed, nested ones included (the entries of package-lock.json). */
  readonly packages: number;
}

export async function footprint(dir: string): Promise<Footprint> {
  const { stdout } = await mustRun("du", "du", ["-sk", "node_modules"], { cwd: dir });
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, { link?: boolean }> };
  const packages = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith("node_modules/") && entry.link !== true).length;
  return { bytes: Number.parseInt(stdout, 10) * 1024, packages };
}
