import type { FlowOutput } from "@pushflow/core";
import type { RunningEmulator } from "@pushflow/emulator";
import { challenge, enroll } from "../adapter.ts";
import type { CliHandle } from "../cli/handle.ts";
import { drawQr } from "../cli/render/qr.ts";
import { cancelOnSignal } from "../signals.ts";
import { deviceLine, requestLines } from "./narrate.ts";
import { DEMO, type DemoStep } from "./steps.ts";

export interface StepContext {
  readonly emulator: RunningEmulator;
  readonly say: (line?: string) => void;
  /** The recovery code shown at the enrollment, for the last step. */
  recoveryCode: string | undefined;
}

/** Runs one step of the story with the Node adapter, telling what happens; answers the outcome. */
export async function runStep(step: DemoStep, ctx: StepContext): Promise<FlowOutput> {
  const { emulator, say } = ctx;
  const device = emulator.device(DEMO.username);
  device.setPolicy(step.device);
  const startedAt = Date.now();
  const firstRequest = emulator.requests.entries.length;
  const firstDeviceEntry = device.log.length;
  let deviceSeen = firstDeviceEntry;
  const deviceNews = () => {
    for (const entry of device.log.slice(deviceSeen)) say(`   ${deviceLine(entry, startedAt)}`);
    deviceSeen = device.log.length;
  };

  say(`   → password login as ${DEMO.username}`);
  const options = {
    domain: emulator.url,
    clientId: DEMO.clientId,
    username: DEMO.username,
    password: DEMO.password,
    // Fast on purpose, and said once; core gives no per-flow "below Auth0's 5 s" warning against
    // the emulator (a loopback server).
    pollIntervalMs: DEMO.pollIntervalMs,
  };
  const handle: CliHandle = step.flow === "enroll" ? enroll(options) : challenge(options);
  const stopSignal = cancelOnSignal(handle);

  let lastState: string | undefined;
  handle.events.on("state", ({ view }) => {
    if (view.state === lastState) return;
    if (lastState === undefined) {
      const login = emulator.requests.entries.slice(firstRequest).find((e) => e.grantType === "password");
      say(`   ✓ Auth0 answered ${login?.status ?? "?"} mfa_required: pushflow keeps the mfa_token and goes on`);
    }
    lastState = view.state;
    if (view.state === "associating") say("   → associating a push authenticator (POST /mfa/associate)");
    if (view.state === "challenging") say("   → sending a push notification (POST /mfa/challenge)");
    if (view.state === "challenged.otpEntry") say("   → the user switches to a one-time code");
    if (view.state === "challenged.recoveryEntry") say("   → the user switches to a recovery code");
  });
  handle.events.on("qr", ({ barcodeUri }) => {
    say("   The QR code to scan with Guardian:");
    for (const row of drawQr(barcodeUri)) say(`      ${row}`);
  });
  handle.events.on("recovery-codes", ({ codes }) => {
    say(`   Recovery code, shown once: ${codes.join(", ")}`);
    ctx.recoveryCode = codes[0];
    say("   ✓ acknowledged (the demo keeps it for the last step)");
    handle.send({ type: "ACK_RECOVERY_CODES" });
  });
  let polls = 0;
  handle.events.on("poll", ({ attempt, answer }) => {
    polls++;
    say(`   · poll ${attempt}: ${answer}`);
    deviceNews();
    if (polls !== 1) return;
    if (step.user === "types-otp") {
      const otp = device.totp({ username: DEMO.username });
      handle.send({ type: "USE_OTP" });
      say(`   ⌨ the user reads ${otp} in the Guardian app (the emulator's device) and types it`);
      handle.send({ type: "SUBMIT_OTP", otp });
    }
    if (step.user === "types-recovery-code") {
      const code = ctx.recoveryCode ?? "";
      handle.send({ type: "USE_RECOVERY_CODE" });
      say(`   ⌨ the user types the recovery code saved at the enrollment: ${code}`);
      handle.send({ type: "SUBMIT_RECOVERY_CODE", code });
    }
  });
  handle.events.on("backoff", ({ cause }) => say(`   · waiting longer: ${cause}`));

  const output = await handle.outcome;
  stopSignal();
  deviceNews();
  say(`   Auth0 saw: ${requestLines(emulator.requests.entries.slice(firstRequest)).join(", ")}`);
  return output;
}
