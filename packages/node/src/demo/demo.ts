import { startEmulator } from "@pushflow/emulator";
import type { FlowOutput } from "@pushflow/core";
import type { CliIo } from "../cli/io.ts";
import { seconds } from "../cli/render/words.ts";
import { runStep, type StepContext } from "./run-step.ts";
import { DEMO, STEPS, type DemoStep } from "./steps.ts";

/**
 * `pushflow demo`: the whole story on an embedded emulator with an automatic simulated device:
 * password login → mfa_required → push enrollment → push challenges approved, rejected, answered
 * with the app's one-time code and with the recovery code. Answers 0 when every step ended as
 * expected, 1 otherwise, 130 when cancelled (Ctrl-C).
 */
export async function runDemo(io: CliIo): Promise<number> {
  const say = (line = "") => void io.stdout.write(`${line}\n`);
  const began = Date.now();
  const emulator = await startEmulator({
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
