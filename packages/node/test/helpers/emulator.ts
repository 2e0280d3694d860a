import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "@pushflow/emulator";
import { afterAll, beforeAll } from "vitest";

/** An emulator and a scratch directory for the file's tests: made before them, removed after. */
export function useEmulator(dirPrefix: string): { readonly emulator: RunningEmulator; readonly dir: string } {
  const env = {} as { emulator: RunningEmulator; dir: string };
  beforeAll(async () => {
    env.emulator = await startEmulator({ port: 0 });
    env.dir = await mkdtemp(join(tmpdir(), dirPrefix));
  });
  afterAll(async () => {
    await env.emulator?.close();
    if (env.dir) await rm(env.dir, { recursive: true, force: true });
  });
  return env;
}
