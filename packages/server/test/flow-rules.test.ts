/**
 * The server holds no flow rules of its own: it sends a flow only the events its callers send,
 * and the acknowledgement of recovery codes is core's (`acknowledgeRecoveryCodes: "auto"`).
 */
import { describe, expect, it, vi } from "vitest";
import type { Transport } from "@pushflow/core";
import { createFlowServer, type FlowAnswer, type PendingAnswer } from "../src/index.ts";
import { world } from "./helpers.ts";

/** Every event the server's steps sent into a flow, in order. */
const sent = vi.hoisted(() => [] as { readonly type: string }[]);

vi.mock("@pushflow/core/adapter", async (importOriginal) => {
  const core = await importOriginal<typeof import("@pushflow/core/adapter")>();
  const recording =
    <A extends unknown[], F extends { send(event: never): void }>(start: (...args: A) => F) =>
    (...args: A): F => {
      const flow = start(...args);
      const send = flow.send.bind(flow) as (event: { type: string }) => void;
      Object.assign(flow, {
        send: (event: { type: string }) => {
          sent.push(event);
          send(event);
        },
      });
      return flow;
    };
  return { ...core, startEnrollment: recording(core.startEnrollment), startChallenge: recording(core.startChallenge) };
});

const pendingOf = (answer: FlowAnswer): PendingAnswer => {
  if (answer.status !== "pending") throw new Error(`expected pending, got ${JSON.stringify(answer)}`);
  return answer;
};

describe("createFlowServer: no flow rules of its own", () => {
  it("ends a first enrollment enrolled without sending ACK_RECOVERY_CODES itself (core's acknowledgeRecoveryCodes: auto)", async () => {
    const w = world({ enrolled: false });
    const server = w.server();
    sent.length = 0;
    const started = pendingOf(await server.start("enroll", { mfaToken: w.mfaToken() }));
    expect(started.recoveryCodes).toHaveLength(1);
    w.device.scan((started.view as { qr: { barcodeUri: string } }).qr.barcodeUri);
    w.clock.increment(5_000);
    const done = await server.advance(started.flowId);
    expect(done).toMatchObject({ status: "done", outcome: { outcome: "enrolled" } });
    expect(sent).toEqual([]);
    w.clock.increment(60_000); // the outcome's answer window
    expect(w.store.keys()).toEqual([]);
  });

  it("passes on the user's ACK_RECOVERY_CODES once, and adds none", async () => {
    const w = world({ enrolled: false });
    const server = w.server();
    sent.length = 0;
    const started = pendingOf(await server.start("enroll", { mfaToken: w.mfaToken() }));
    expect(pendingOf(await server.advance(started.flowId, { type: "ACK_RECOVERY_CODES" })).view).toMatchObject({ recoveryCodesPending: false });
    w.device.scan((started.view as { qr: { barcodeUri: string } }).qr.barcodeUri);
    w.clock.increment(5_000);
    expect(await server.advance(started.flowId)).toMatchObject({ status: "done", outcome: { outcome: "enrolled" } });
    expect(sent).toEqual([{ type: "ACK_RECOVERY_CODES" }]);
  });

  it('refuses acknowledgeRecoveryCodes other than "auto": the codes are in the start answer, once', async () => {
    const w = world({ enrolled: false });
    const server = w.server();
    await expect(server.start("enroll", { mfaToken: w.mfaToken(), acknowledgeRecoveryCodes: "manual" } as never)).rejects.toMatchObject({
      code: "bad_input",
      message: expect.stringMatching(/acknowledgeRecoveryCodes/),
    });
    expect(w.store.keys()).toEqual([]);
  });
});

describe("createFlowServer: a flow before its deadline (docs/server.md, States before the push)", () => {
  /** A list that keeps failing: the challenge rests in retryingList, with no deadline yet. */
  const failingList = (w: ReturnType<typeof world>): Transport => ({
    ...w.transport,
    listAuthenticators: async () => ({ ok: false, problem: { code: "server_error", message: "test: 503", status: 503 } }),
  });
  const storedExpiry = async (w: ReturnType<typeof world>, flowId: string) =>
    (JSON.parse((await w.store.get(`pushflow:flow:${flowId}`))!.value) as { expiresAt: number }).expiresAt;

  it("is stored until one window after the start plus graceMs, however many steps it takes", async () => {
    const w = world();
    const server = createFlowServer({ store: w.store, transport: failingList(w), clock: w.clock, random: () => 0, graceMs: 1_000, unsealedForDevelopment: true, requireBinding: false });
    const createdAt = w.clock.now();
    const started = pendingOf(await server.start("challenge", { mfaToken: w.mfaToken(), timeoutMs: 60_000, maxRetries: 50 }));
    expect(started.view.state).toBe("retryingList");
    expect(await storedExpiry(w, started.flowId)).toBe(createdAt + 60_000 + 1_000);
    w.clock.increment(started.retryAfterMs!);
    expect(pendingOf(await server.advance(started.flowId)).view.state).toBe("retryingList");
    expect(await storedExpiry(w, started.flowId)).toBe(createdAt + 60_000 + 1_000);
  });

  it("is stored no longer than the mfa_token lives", async () => {
    const w = world();
    const server = createFlowServer({ store: w.store, transport: failingList(w), clock: w.clock, random: () => 0, graceMs: 1_000, unsealedForDevelopment: true, requireBinding: false });
    const mfaTokenExpiresAt = w.clock.now() + 30_000;
    const started = pendingOf(await server.start("challenge", { mfaToken: w.mfaToken(), timeoutMs: 60_000, mfaTokenExpiresAt, maxRetries: 50 }));
    expect(started.view.state).toBe("retryingList");
    expect(await storedExpiry(w, started.flowId)).toBe(mfaTokenExpiresAt + 1_000);
  });
});
