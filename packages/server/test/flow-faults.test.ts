/**
 * The faults of issue 17 on the mock transport and the memory store: a claim applied after its
 * lease ran out, an instance that died after redeeming an approval, a stolen flow id, a password
 * login whose mfa_token runs out before the push is answered.
 */
import { describe, expect, it } from "vitest";
import type { FlowStore, Transport } from "@pushflow/core";
import type { FlowAnswer, PendingAnswer } from "../src/index.ts";
import { USER, world } from "./helpers.ts";

const pendingOf = (answer: FlowAnswer): PendingAnswer => {
  if (answer.status !== "pending") throw new Error(`expected pending, got ${JSON.stringify(answer)}`);
  return answer;
};

describe("a step whose lease may have lapsed", () => {
  it("sends nothing when its claim came back too late to send (after leaseMs - requestTimeoutMs), and hands the flow back at once", async () => {
    const w = world();
    // The claim (the write that adds a lease) is applied, but its answer comes back late: Redis
    // was paused, the network slow. The simulated clock moves past the step's send window meanwhile.
    const slowClaims: FlowStore = {
      get: (key) => w.store.get(key),
      delete: (key) => w.store.delete(key),
      put: async (key, value, options) => {
        const version = await w.store.put(key, value, options);
        if (value.includes('"lease"')) w.clock.increment(501);
        return version;
      },
    };
    const server = w.server({ store: slowClaims, leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    w.clock.increment(5_000);
    expect(pendingOf(await server.advance(flowId)).view.attempt).toBe(0);
    expect(w.polls()).toBe(0);
    // Released: the next call claims it without waiting out the lease, and polls.
    const next = w.server({ leaseMs: 1_000, requestTimeoutMs: 500 });
    expect(pendingOf(await next.advance(flowId)).view.attempt).toBe(1);
    expect(w.polls()).toBe(1);
  });
});

/** verifyOob reaches the tenant (the approval is redeemed) but its answer never comes back. */
function dying(inner: Transport): Transport {
  return { ...inner, verifyOob: async (request, options) => (await inner.verifyOob(request, options), new Promise<never>(() => {})) };
}

describe("an instance that died after redeeming an approval", () => {
  it("ends the flow failed in words the user can act on, not a bare Invalid oob_code", async () => {
    const w = world();
    const doomed = w.server({ transport: dying(w.transport), leaseMs: 1_000, requestTimeoutMs: 500 });
    const next = w.server({ leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await next.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    void doomed.advance(flowId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    w.clock.increment(6_000);
    const answer = await next.advance(flowId);
    expect(answer).toMatchObject({ status: "done", outcome: { outcome: "failed" } });
    expect(answer.status === "done" && answer.outcome.reason).toMatch(/answer was lost.*Sign in again/);
  });
});

describe("an approval lost with its instance, then a takeover whose claim came back late", () => {
  it("keeps the dead step's lease for the next step, which still tells the loss in words", async () => {
    const w = world();
    const doomed = w.server({ transport: dying(w.transport), leaseMs: 1_000, requestTimeoutMs: 500 });
    const slowClaims: FlowStore = {
      get: (key) => w.store.get(key),
      delete: (key) => w.store.delete(key),
      put: async (key, value, options) => {
        const version = await w.store.put(key, value, options);
        if (value.includes('"owner":"late"')) w.clock.increment(501);
        return version;
      },
    };
    const late = w.server({ store: slowClaims, instanceId: "late", leaseMs: 1_000, requestTimeoutMs: 500 });
    const next = w.server({ leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await next.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    void doomed.advance(flowId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    w.clock.increment(6_000);
    expect((await late.advance(flowId)).status).toBe("pending");
    expect(w.polls()).toBe(1);
    w.clock.increment(6_000);
    const answer = await next.advance(flowId);
    expect(answer.status === "done" && answer.outcome.reason).toMatch(/answer was lost.*Sign in again/);
  });
});

describe("a flow bound to the browser that started it", () => {
  it("answers gone to a caller without the binding, and never hands it the outcome", async () => {
    const w = world();
    const server = w.server({ requireBinding: true });
    const started = pendingOf(await server.start("challenge", { mfaToken: w.mfaToken() }));
    const binding = started.binding ?? "";
    expect(binding).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    w.device.approve();
    w.clock.increment(5_000);
    for (const access of [undefined, { binding: "guessed-binding-value" }]) {
      expect(await server.advance(started.flowId, undefined, access)).toEqual({ status: "gone", flowId: started.flowId });
    }
    expect(w.polls()).toBe(0);
    expect(await server.advance(started.flowId, undefined, { binding })).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
    expect(await server.advance(started.flowId)).toEqual({ status: "gone", flowId: started.flowId });
    // The store keeps a hash of the binding, never the binding.
    for (const key of w.store.keys()) expect((await w.store.get(key))?.value).not.toContain(binding);
  });
});

describe("a password login", () => {
  it("gives the flow the mfa_token's lifetime, so an unanswered push ends expired, not mfa_token_invalid", async () => {
    const w = world();
    const server = w.server();
    const loginAt = w.clock.now();
    const started = pendingOf(await server.start("challenge", { ...USER, timeoutMs: 600_000 }));
    expect(started.view.deadlineAt).toBe(loginAt + 300_000);
    for (let i = 0; i < 70 && w.clock.now() < loginAt + 300_000; i++) {
      w.clock.increment(5_000);
      await server.advance(started.flowId);
    }
    w.clock.increment(5_000);
    expect(await server.advance(started.flowId)).toMatchObject({ status: "done", outcome: { outcome: "expired" } });
  });
});
