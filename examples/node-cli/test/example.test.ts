import { startEmulator } from "@pushflow/emulator";
import { expect, it } from "vitest";
import { enrollAndChallenge } from "../enroll-and-challenge.mjs";

it("the node-cli example enrolls and gets a push approved against the emulator", async () => {
  const emulator = await startEmulator({ port: 0, devicePolicy: { scanAfterMs: 300, answer: "approve", answerAfterMs: 300 } });
  try {
    const lines: string[] = [];
    const result = await enrollAndChallenge({
      domain: emulator.url,
      clientId: "pushflow-demo",
      username: "ada@example.com",
      password: "ada-password-1",
      pollIntervalMs: 100,
      log: (line) => void lines.push(line),
    });
    expect(result).toEqual({ enroll: "enrolled", challenge: "approved" });
    expect(lines.some((l) => l.startsWith("Scan with Guardian: otpauth://"))).toBe(true);
    expect(lines.some((l) => l.startsWith("Save your recovery code: "))).toBe(true);
  } finally {
    await emulator.close();
  }
});
