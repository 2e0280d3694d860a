import { mkdirSync } from "node:fs";
import { quietEnv } from "./run.ts";

/** The `deno` executable of the workspace's `deno` npm package, found as the Deno adapter's own tests find it. */
export { denoBinary } from "../../../deno/test/helpers/deno.ts";

/** Deno's cache inside the throwaway folder of the run, and no update check. */
export function denoEnv(dir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  return quietEnv({ DENO_DIR: dir, DENO_NO_UPDATE_CHECK: "1", ...extra });
}
