import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { enrollmentWithRuntime, challengeWithRuntime } from "../src/machines/runtime.ts";
import type { Transport, Result } from "../src/transport.ts";

const flush = () => new Promise((r) => setTimeout(r, 0));
const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
const pending: Result<never> = { ok: false, problem: { code: "authorization_pending", message: "pending" } };

describe("smoke", () => {
  it("enrolls", async () => {
    const clock = new SimulatedClock();
    let polls = 0;
    const transport = {
      associate: async () => ok({ oobCode: "oob", barcodeUri: "otpauth://x", recoveryCodes: ["CODE"] }),
      verifyOob: async () => (++polls < 3 ? pending : ok({ accessToken: "a", tokenType: "Bearer", expiresIn: 600 })),
    } as unknown as Transport;
    const actor = createActor(enrollmentWithRuntime({ transport, clock }), { input: { mfaToken: "m" }, clock });
    const emitted: string[] = [];
    actor.on("*", (e) => emitted.push(e.type));
    actor.start();
    await flush();
    expect(actor.getSnapshot().value).toBe("awaitingDevice");
    for (let i = 0; i < 3; i++) { clock.increment(5000); await flush(); await flush(); }
    expect(actor.getSnapshot().value).toBe("awaitingAcknowledgement");
    actor.send({ type: "ACK_RECOVERY_CODES" });
    expect(actor.getSnapshot().status).toBe("done");
    expect(actor.getSnapshot().output?.outcome).toBe("enrolled");
    expect(emitted).toEqual(["qr", "recovery-codes", "poll", "poll"]);
    const persisted = actor.getPersistedSnapshot();
    expect(JSON.stringify(persisted)).toBeTruthy();
  });
  it("challenges", async () => {
    const clock = new SimulatedClock();
    const transport = {
      listAuthenticators: async () => ok([{ id: "push|dev_1", authenticatorType: "oob", oobChannel: "auth0", active: true }]),
      challenge: async () => ok({ challengeType: "oob", oobCode: "oob" }),
      verifyOob: async () => ({ ok: false, problem: { code: "rejected", message: "MFA Authorization rejected." } }),
    } as unknown as Transport;
    const actor = createActor(challengeWithRuntime({ transport, clock }), { input: { mfaToken: "m" }, clock });
    actor.start();
    await flush();
    expect(actor.getSnapshot().value).toEqual({ challenged: "polling" });
    clock.increment(5000); await flush(); await flush();
    expect(actor.getSnapshot().output?.outcome).toBe("rejected");
  });
});
