import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { quietEnv } from "./run.ts";

/** The `deno` executable of the workspace's `deno` npm package (a dev dependency of packages/deno). */
export function denoBinary(root: string): string {
  const require = createRequire(join(root, "packages/deno/package.json"));
  const exe = join(dirname(require.resolve("deno/package.json")), process.platform === "win32" ? "deno.exe" : "deno");
  if (!existsSync(exe)) throw new Error(`no deno binary at ${exe} (pnpm install links it)`);
  return exe;
}

/** Deno's cache inside the throwaway folder of the run, and no update check. */
export function denoEnv(dir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  return quietEnv({ DENO_DIR: dir, DENO_NO_UPDATE_CHECK: "1", ...extra });
}
