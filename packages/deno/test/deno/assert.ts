/** Minimal assertions for the Deno tests (jsr:@std/assert cannot be fetched here). */
export function assertEquals<T>(actual: T, expected: T, message = ""): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message ? `${message}: ` : ""}expected ${e}, got ${a}`);
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The emulator the vitest side started, from PUSHFLOW_EMULATOR_URL. */
export function emulatorUrl(): string {
  const url = Deno.env.get("PUSHFLOW_EMULATOR_URL");
  assert(url, "PUSHFLOW_EMULATOR_URL is not set: run these through packages/deno/test/deno.test.ts");
  return url;
}

/** A fresh directory under PUSHFLOW_TMP (the only place these tests may write). */
export async function tempDir(): Promise<string> {
  const root = Deno.env.get("PUSHFLOW_TMP");
  assert(root, "PUSHFLOW_TMP is not set");
  return await Deno.makeTempDir({ dir: root });
}
