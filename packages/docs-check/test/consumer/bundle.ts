import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { run, type RunResult } from "./run.ts";

const BUILTINS = new Set(builtinModules);

/** A Node built-in by name: `node:fs`, `fs`, `fs/promises`. */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0] ?? specifier);
}

/** Every module specifier the text still imports or requires (static, dynamic, `require`). */
export function importedSpecifiers(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)) found.add(m[1] ?? "");
  // A bundler can leave a built-in behind as a bare string too (`"node:crypto"` in a lookup table).
  for (const m of code.matchAll(/["'](node:[\w/]+)["']/g)) found.add(m[1] ?? "");
  return [...found];
}

export interface BrowserBundle {
  readonly result: RunResult;
  /** The bundle's text ("" if esbuild failed). */
  readonly code: string;
  /** Node built-ins the bundle still refers to. */
  readonly builtins: string[];
}

/** esbuild of `entry` for the browser (the app's own esbuild, from the registry), minified as a page ships it. */
export async function bundleForBrowser(appDir: string, entry: string): Promise<BrowserBundle> {
  const outfile = join(appDir, "dist-browser/app.js");
  const result = await run(
    join(appDir, "node_modules/.bin/esbuild"),
    [entry, "--bundle", "--platform=browser", "--format=esm", "--minify", `--outfile=${outfile}`, "--log-level=warning"],
    { cwd: appDir, timeoutMs: 60_000 },
  );
  const code = result.code === 0 ? readFileSync(outfile, "utf8") : "";
  return { result, code, builtins: importedSpecifiers(code).filter(isNodeBuiltin) };
}
