import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The bench package folder: sources run from `bench/dist/*.mjs`, so it is one level up. */
export const BENCH_DIR = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Resolves packages the way the bench package sees them (its own node_modules first). */
export const benchRequire = createRequire(new URL("../package.json", import.meta.url));

/** The installed version of a direct dependency of the bench (read from its folder: not every package exports its manifest). */
export function installedVersion(name: string): string {
  const manifest = join(BENCH_DIR, "node_modules", name, "package.json");
  const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"));
  return typeof parsed === "object" && parsed !== null && "version" in parsed && typeof parsed.version === "string" ? parsed.version : "?";
}
