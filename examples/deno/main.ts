/**
 * pushflow in Deno: a push challenge (or, with the argument `enroll`, a push enrollment) with a
 * password login, saved in ./.pushflow while it waits, cancelled by Ctrl-C. Defaults fit the
 * emulator's seed (`pnpm exec pushflow-emulator --port 4455`); PUSHFLOW_* variables override them.
 *
 *   deno task start            # grace@example.com approves a push
 *   deno task start enroll     # ada@example.com scans a QR
 */
import { cancelOnSignal, challenge, createFileStore, enroll, type AdapterOptions, type CredentialsGiven } from "@pushflow/deno";

const env = (name: string, fallback: string) => Deno.env.get(`PUSHFLOW_${name}`) ?? fallback;
const kind = Deno.args[0] === "enroll" ? "enroll" : "challenge";
const user = kind === "enroll" ? "ada" : "grace";

// The options with credentials (here a password login): what `enroll` and `challenge` take.
const options: AdapterOptions & CredentialsGiven = {
  domain: env("DOMAIN", "http://127.0.0.1:4455"),
  clientId: env("CLIENT_ID", "pushflow-demo"),
  username: env("USERNAME", `${user}@example.com`),
  password: env("PASSWORD", `${user}-password-1`),
  pollIntervalMs: Number(env("POLL_MS", "5000")),
  store: createFileStore(env("STORE_DIR", ".pushflow")),
};
const handle = kind === "enroll" ? startEnrollment() : challenge(options);
cancelOnSignal(handle, "SIGINT", { onSignal: () => console.log("\nCancelling…") });

function startEnrollment() {
  // The program prints the recovery code and goes on: "auto" counts it acknowledged once shown.
  const flow = enroll({ ...options, acknowledgeRecoveryCodes: "auto" });
  flow.events.on("qr", ({ barcodeUri }) => console.log(`Scan this in Auth0 Guardian:\n  ${barcodeUri}`));
  flow.events.on("recovery-codes", ({ codes }) => console.log(`Keep this recovery code somewhere safe: ${codes.join(" ")}`));
  return flow;
}

handle.events.on("poll", ({ attempt }) => console.log(`Waiting for the phone… (${attempt})`));

const output = await handle.outcome;
console.log(`${output.outcome}: ${output.reason}`);
// Deno.exitCode rather than Deno.exit(): the last save (removing the record) finishes first.
Deno.exitCode = output.outcome === "approved" || output.outcome === "enrolled" ? 0 : output.outcome === "cancelled" ? 130 : 1;
