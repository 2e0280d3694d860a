/**
 * A Deno program for the process-level tests (spawned by test/deno.test.ts): runs one challenge
 * against the emulator, saved in PUSHFLOW_STORE_DIR, cancelled on SIGINT. Prints one JSON line
 * per step (never a token). PUSHFLOW_POLL_MS sets the interval. Exits 0 approved, 130 cancelled, 1 otherwise.
 */
import { cancelOnSignal, challenge, createFileStore } from "../../src/index.ts";
import { emulatorUrl } from "./assert.ts";

const print = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
const storeDir = Deno.env.get("PUSHFLOW_STORE_DIR");
const handle = challenge({
  domain: emulatorUrl(),
  clientId: "pushflow-demo",
  mfaToken: Deno.env.get("PUSHFLOW_MFA_TOKEN") ?? "",
  pollIntervalMs: Number(Deno.env.get("PUSHFLOW_POLL_MS") ?? 150),
  warn: () => {},
  ...(storeDir ? { store: createFileStore(storeDir) } : {}),
});
cancelOnSignal(handle, "SIGINT", { onSignal: (signal) => print({ type: "signal", signal }) });
handle.resumed.then((resumed) => print({ type: "resumed", resumed }));
let polls = 0;
handle.events.on("poll", () => print({ type: "poll", count: ++polls }));
const output = await handle.outcome;
print({ type: "done", outcome: output.outcome });
// Not Deno.exit(): the process ends by itself once the flow's last save (removing the record) is done.
Deno.exitCode = output.outcome === "approved" ? 0 : output.outcome === "cancelled" ? 130 : 1;
