/**
 * The published bundle, as `npm:@pushflow/deno` gives it: run without the source condition, this
 * import resolves to packages/deno/dist (and core's and transport-fetch's dist).
 */
import { challenge, createFileStore } from "@pushflow/deno";
import { assertEquals, emulatorUrl, tempDir } from "./assert.ts";
import { enrolledUser } from "./emulator.ts";

Deno.test("dist: a challenge with the built bundle", async () => {
  const { mfaToken } = await enrolledUser({ answer: "approve", answer_after_ms: 200 });
  const store = createFileStore(await tempDir());
  const handle = challenge({ domain: emulatorUrl(), clientId: "pushflow-demo", mfaToken, pollIntervalMs: 150, store, warn: () => {} });
  assertEquals((await handle.outcome).outcome, "approved");
});
