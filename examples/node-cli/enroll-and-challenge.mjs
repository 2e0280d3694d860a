// @ts-check
// Enroll a Guardian push authenticator, then challenge it, with @pushflow/node.
//   terminal 1: pnpm exec pushflow-emulator --port 4455 --scan-after 3 --answer approve --answer-after 2
//   terminal 2: node examples/node-cli/enroll-and-challenge.mjs
import { pathToFileURL } from "node:url";
import { cancelOnSignal, challenge, enroll } from "@pushflow/node";

/**
 * Enrolls the user (showing the QR link and the recovery code), then sends a push and waits.
 * @param {{ domain: string, clientId: string, username: string, password: string, pollIntervalMs?: number, log?: (line: string) => void }} options
 */
export async function enrollAndChallenge({ log = console.log, ...options }) {
  // The script prints the recovery code and goes on: "auto" counts it acknowledged once shown.
  const enrollment = enroll({ ...options, acknowledgeRecoveryCodes: "auto" });
  cancelOnSignal(enrollment); // Ctrl-C: outcome "cancelled", no request after it
  enrollment.events.on("qr", ({ barcodeUri }) => log(`Scan with Guardian: ${barcodeUri}`));
  enrollment.events.on("recovery-codes", ({ codes }) => log(`Save your recovery code: ${codes.join(", ")}`));
  const enrolled = await enrollment.outcome;
  log(`enroll: ${enrolled.outcome} (${enrolled.reason})`);

  const push = challenge(options);
  cancelOnSignal(push);
  push.events.on("poll", ({ attempt }) => log(`waiting for approval (poll ${attempt})`));
  const approved = await push.outcome;
  log(`challenge: ${approved.outcome} (${approved.reason})`);
  return { enroll: enrolled.outcome, challenge: approved.outcome };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const result = await enrollAndChallenge({
    domain: env["PUSHFLOW_DOMAIN"] ?? "http://127.0.0.1:4455",
    clientId: env["PUSHFLOW_CLIENT_ID"] ?? "pushflow-demo",
    username: env["PUSHFLOW_USERNAME"] ?? "ada@example.com",
    password: env["PUSHFLOW_PASSWORD"] ?? "ada-password-1",
  });
  process.exitCode = result.challenge === "approved" ? 0 : 1;
}
