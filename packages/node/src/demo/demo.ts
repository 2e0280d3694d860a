import type { FlowOutput } from "@pushflow/core";
import { USAGE_ERROR } from "../cli/exit-codes.ts";
import type { CliIo } from "../cli/io.ts";
import { seconds } from "../cli/render/words.ts";
import { runStep, type StepContext } from "./run-step.ts";
import { DEMO, STEPS, type DemoStep } from "./steps.ts";

/**
 * `pushflow demo`: the whole story on an embedded emulator with an automatic simulated device:
 * password login → mfa_required → push enrollment → push challenges approved, rejected, answered
 * with the app's one-time code and with the recovery code. Answers 0 when every step ended as
 * expected, 1 otherwise, 130 when cancelled (Ctrl-C), and the usage-error code when the emulator
 * (an optional peer dependency: the demo is its only user) is not installed.
 */
export async function runDemo(io: CliIo): Promise<number> {
  const emulatorModule = await loadEmulator();
  if (emulatorModule === undefined) {
    io.stderr.write(`${EMULATOR_MISSING}\n`);
    return USAGE_ERROR;
  }
  const say = (line = "") => void io.stdout.write(`${line}\n`);
  const began = Date.now();
  const emulator = await emulatorModule.startEmulator({
    port: 0,
    devicePolicy: { scanAfterMs: DEMO.scanAfterMs, answer: "approve", answerAfterMs: DEMO.answerAfterMs },
  });
  say("pushflow demo: Auth0 MFA push, end to end, against an embedded emulator with a simulated Guardian device.");
  say(`Emulator: ${emulator.url} · client ${DEMO.clientId} · user ${DEMO.username} (not enrolled yet)`);
  say(
    `The device scans a QR code ${seconds(DEMO.scanAfterMs)} after it appears and answers a push after ${seconds(DEMO.answerAfterMs)}; ` +
      `pushflow polls every ${seconds(DEMO.pollIntervalMs)} (a real tenant wants 5 s: demo only).`,
  );

  const ctx: StepContext = { emulator, say, recoveryCode: undefined };
  const results: { step: DemoStep; output: FlowOutput; ok: boolean }[] = [];
  try {
    for (const [index, step] of STEPS.entries()) {
      say();
      say(`${index + 1}. ${step.title}`);
      const output = await runStep(step, ctx);
      const ok = output.outcome === step.expect.outcome && (step.expect.method === undefined || ("method" in output && output.method === step.expect.method));
      results.push({ step, output, ok });
      say(`   ${ok ? "✓" : "✗"} outcome ${output.outcome}${"method" in output ? ` (${output.method})` : ""}: ${output.reason}`);
      if (output.outcome === "approved" && output.newRecoveryCode !== undefined) {
        ctx.recoveryCode = output.newRecoveryCode;
        say(`   New recovery code (the used one is spent; a person must save this one): ${output.newRecoveryCode}`);
      }
      if (output.outcome === "cancelled") return 130;
      if (!ok) say(`   expected ${step.expect.outcome}${step.expect.method ? ` (${step.expect.method})` : ""}`);
    }
  } finally {
    await emulator.close();
  }

  say();
  say("Summary:");
  for (const { step, output, ok } of results) {
    const method = "method" in output ? ` (${output.method})` : "";
    say(`  ${ok ? "✓" : "✗"} ${(output.outcome + method).padEnd(26)} ${step.title}`);
  }
  const failures = results.filter((r) => !r.ok).length;
  const took = seconds(Date.now() - began);
  say(failures === 0 ? `Every step ended as expected (${took}).` : `${failures} step(s) did not end as expected (${took}).`);
  return failures === 0 ? 0 : 1;
}

/** What `pushflow demo` says when the emulator is not installed. */
const EMULATOR_MISSING = [
  "pushflow demo runs against @pushflow/emulator, which is not installed.",
  "Install it beside @pushflow/node, then run the demo again:",
  "  npm i -D @pushflow/emulator",
].join("\n");

const EMULATOR = "@pushflow/emulator";

/**
 * The emulator, when it is installed; undefined when it is not. A broken installation of it (one
 * of its own dependencies missing) is not hidden: that error is thrown.
 */
async function loadEmulator(): Promise<typeof import("@pushflow/emulator") | undefined> {
  try {
    // An optional peer dependency: the build leaves it external, so it resolves from the app's
    // node_modules when the app installed it.
    return await import("@pushflow/emulator");
  } catch (error) {
    if (isMissingPackage(error, EMULATOR)) return undefined;
    throw error;
  }
}

/** Node's "Cannot find package 'name' imported from …" for `name` itself, not for one of its dependencies. */
function isMissingPackage(error: unknown, name: string): boolean {
  if (error === null || typeof error !== "object") return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${name}'`);
}
