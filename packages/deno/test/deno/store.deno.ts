/** The file store with Deno's file APIs, and a flow saved in it, run by `deno test`. */
import type { FlowRecord } from "@pushflow/core";
import { serializeRecord } from "@pushflow/core/adapter";
import { challenge, createFileStore } from "../../src/index.ts";
import { assert, assertEquals, emulatorUrl, tempDir } from "./assert.ts";
import { enrolledUser } from "./emulator.ts";

const day = 86_400_000;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("store: writes mode 0600 in a 0700 directory, and leaves no temporary file", async () => {
  const dir = `${await tempDir()}/flows`;
  const store = createFileStore(dir);
  const version = await store.put("pushflow:challenge", "record", { expiresAt: Date.now() + day });
  assertEquals(version, 1);
  assertEquals(await store.get("pushflow:challenge"), { value: "record", version: 1 });
  assertEquals((await Deno.stat(store.pathOf("pushflow:challenge"))).mode! & 0o777, 0o600, "file mode");
  assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700, "directory mode");
  assertEquals(await store.put("pushflow:challenge", "again", { expiresAt: Date.now() + day }), 2);
  const names = await Array.fromAsync(Deno.readDir(dir), (entry) => entry.name);
  assertEquals(names.sort(), [".pushflow-store.lock", "pushflow%3Achallenge.json"]);
  assertEquals((await Deno.stat(`${dir}/.pushflow-store.lock`)).mode! & 0o777, 0o600, "lock file mode");
  await store.delete("pushflow:challenge");
  assertEquals(await exists(store.pathOf("pushflow:challenge")), false);
  await store.delete("pushflow:challenge");
  await createFileStore(`${dir}/never-written`).delete("k");
});

Deno.test("store: an expired entry reads as absent and its file is removed", async () => {
  let now = 1_000;
  const store = createFileStore(await tempDir(), { now: () => now });
  await store.put("k", "v", { expiresAt: 2_000 });
  assertEquals((await store.get("k"))?.value, "v");
  now = 2_000;
  assertEquals(await store.get("k"), undefined);
  assertEquals(await exists(store.pathOf("k")), false);
  // A new put may take the expired key; versions go on counting.
  await store.put("k", "v", { expiresAt: 3_000 });
  now = 3_000;
  assertEquals(await store.put("k", "w", { expiresAt: 4_000, expectedVersion: null }), 2);
});

Deno.test("store: a corrupt file is discarded with a warning", async () => {
  const warnings: string[] = [];
  const store = createFileStore(await tempDir(), { warn: (message) => warnings.push(message) });
  for (const text of ["{not json", "null", JSON.stringify({ format: "other", key: "k", version: 1, expiresAt: Date.now() + day, value: "v" })]) {
    await Deno.writeTextFile(store.pathOf("k"), text);
    assertEquals(await store.get("k"), undefined);
    assertEquals(await exists(store.pathOf("k")), false);
  }
  assertEquals(warnings.length, 3);
  assert(warnings.every((w) => w.includes("discarded")), warnings.join("\n"));
});

Deno.test("store: compare-and-set on the version; of concurrent writers only one wins", async () => {
  const store = createFileStore(await tempDir());
  const expiresAt = Date.now() + day;
  assertEquals(await store.put("k", "a", { expiresAt, expectedVersion: null }), 1);
  assertEquals(await store.put("k", "b", { expiresAt, expectedVersion: null }), undefined);
  assertEquals(await store.put("k", "b", { expiresAt, expectedVersion: 7 }), undefined);
  assertEquals(await store.put("k", "b", { expiresAt, expectedVersion: 1 }), 2);
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.put("k", `w${i}`, { expiresAt, expectedVersion: 2 })));
  assertEquals(results.filter((r) => r === 3).length, 1, "winners");
  assertEquals(results.filter((r) => r === undefined).length, 7, "losers");
});

Deno.test("store: a flow saves itself while it runs and removes its record when it ends", async () => {
  const { mfaToken } = await enrolledUser({ answer: "approve", answer_after_ms: 500 });
  const store = createFileStore(await tempDir());
  const handle = challenge({ domain: emulatorUrl(), clientId: "pushflow-demo", mfaToken, pollIntervalMs: 150, store, warn: () => {} });
  let saved: string | undefined;
  handle.events.once("poll", async () => {
    saved = await Deno.readTextFile(store.pathOf("pushflow:challenge"));
  });
  const output = await handle.outcome;
  assertEquals(output.outcome, "approved");
  assert(saved !== undefined, "no record was saved while polling");
  assert(!saved.includes("recovery"), "the record mentions recovery codes");
  // Core settles the outcome first and removes the record just after (its saves are chained):
  // the removal lands within a few milliseconds.
  const until = Date.now() + 2_000;
  while ((await exists(store.pathOf("pushflow:challenge"))) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assertEquals(await exists(store.pathOf("pushflow:challenge")), false, "record left after the flow ended");
});

Deno.test("store: a corrupt saved flow is discarded with a message and a new flow starts", async () => {
  const { mfaToken } = await enrolledUser({ answer: "approve", answer_after_ms: 200 });
  const store = createFileStore(await tempDir());
  // The current format, waiting on a push, with a context that lacks the oob_code and the schedule.
  const bad: FlowRecord = { version: 2, flow: "challenge", savedAt: Date.now(), expiresAt: Date.now() + day, at: "polling", context: { mfaToken } };
  await store.put("pushflow:challenge", serializeRecord(bad), { expiresAt: bad.expiresAt });
  const warnings: string[] = [];
  const handle = challenge({
    domain: emulatorUrl(),
    clientId: "pushflow-demo",
    mfaToken,
    pollIntervalMs: 150,
    store,
    warn: (message) => warnings.push(message),
  });
  assertEquals(await handle.resumed, false);
  assertEquals((await handle.outcome).outcome, "approved");
  assert(warnings.some((w) => w.includes("discarded")), `no discard warning in ${JSON.stringify(warnings)}`);
});
