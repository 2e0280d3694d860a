import { mapLimit, publicPackages, type Manifest } from "../../src/index.ts";
import { mustRun } from "./run.ts";

export interface Tarball {
  readonly name: string;
  /** Absolute path of the `.tgz`. */
  readonly file: string;
  /** Its package.json in the workspace: the names of its dependencies and its exports are the published ones. */
  readonly manifest: Manifest;
}

/**
 * Packs every public package of the workspace (found now, not listed here) into `dest` with
 * `pnpm pack`, which rewrites `workspace:*` to the version an app gets from the registry.
 */
export async function packPublicPackages(root: string, dest: string): Promise<Tarball[]> {
  return mapLimit(publicPackages(root), 2, async (pkg) => {
    const { stdout } = await mustRun(`pnpm pack (${pkg.path})`, "pnpm", ["pack", "--json", "--pack-destination", dest], { cwd: pkg.dir });
    const { filename } = JSON.parse(stdout) as { filename: string };
    return { name: pkg.manifest.name, file: filename, manifest: pkg.manifest };
  });
}

/**
 * The tarballs an install of `names` needs: those packages and, transitively, the ones of ours
 * they depend on (dependencies only: optional peers are the app's choice). npm then takes these
 * from the tarballs given on its command line, and everything else from the registry.
 */
export function tarballsFor(names: readonly string[], tarballs: readonly Tarball[]): Tarball[] {
  const byName = new Map(tarballs.map((t) => [t.name, t]));
  const needed = new Map<string, Tarball>();
  const visit = (name: string) => {
    const tarball = byName.get(name);
    if (!tarball || needed.has(name)) return;
    needed.set(name, tarball);
    for (const dep of Object.keys(tarball.manifest.dependencies ?? {})) visit(dep);
  };
  for (const name of names) {
    if (!byName.has(name)) throw new Error(`${name} is not a public package of the workspace`);
    visit(name);
  }
  return [...needed.values()];
}

/** Every import specifier a package offers: its name and each subpath of `exports` (not `./package.json`). */
export function entryPoints(tarball: Tarball): string[] {
  const exportsField = tarball.manifest.exports;
  if (typeof exportsField !== "object" || exportsField === null) return [tarball.name];
  return Object.keys(exportsField)
    .filter((key) => key.startsWith(".") && key !== "./package.json")
    .map((key) => (key === "." ? tarball.name : `${tarball.name}/${key.slice(2)}`));
}

/**
 * What an app that imports every entry point installs beside our packages: each third-party
 * peer dependency (optional ones too: `@pushflow/server/redis` needs ioredis) at its range, and
 * its `@types/…` package at the version the package itself develops against, when it has one.
 */
export function peerInstalls(tarballs: readonly Tarball[]): string[] {
  const ours = new Set(tarballs.map((t) => t.name));
  const specs = new Set<string>();
  for (const { manifest } of tarballs) {
    for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (ours.has(peer)) continue;
      specs.add(`${peer}@${range}`);
      const types = `@types/${peer.replace(/^@([^/]+)\//, "$1__")}`;
      const version = manifest.devDependencies?.[types];
      if (version) specs.add(`${types}@${version}`);
    }
  }
  return [...specs].sort();
}
