import { startEmulator } from "@pushflow/emulator";
import { expect, it, vi } from "vitest";
import { enrollAndChallenge } from "../enroll-and-challenge.mjs";

/** The events the example sends into its enrollment itself (the adapter passed through, recording). */
const enrollmentSends = vi.hoisted(() => [] as { readonly type: string }[]);

vi.mock("@pushflow/node", async (importOriginal) => {
  const node = await importOriginal<typeof import("@pushflow/node")>();
  const enroll: typeof node.enroll = (options) => {
    const handle = node.enroll(options);
    const send = handle.send.bind(handle);
    return Object.assign(handle, {
      send: (event: Parameters<typeof send>[0]) => {
        enrollmentSends.push(event);
        send(event);
      },
    });
  };
  return { ...node, enroll };
});

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
    // It prints the code and goes on: core acknowledges it (acknowledgeRecoveryCodes "auto"), the script sends nothing.
    expect(enrollmentSends).toEqual([]);
  } finally {
    await emulator.close();
  }
});
