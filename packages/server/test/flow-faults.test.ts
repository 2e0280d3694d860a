/**
 * The faults of issue 17 on the mock transport and the memory store: a claim applied after its
 * lease ran out, an instance that died after redeeming an approval, a lost poll answer followed
 * by slow_down, a store that fails for a moment after a step won, a stolen flow id, a password
 * login whose mfa_token runs out before the push is answered.
 */
import { describe, expect, it } from "vitest";
import type { ErrorCode, FlowStore, Result, Transport } from "@pushflow/core";
import type { FlowAnswer, PendingAnswer } from "../src/index.ts";
import { USER, world } from "./helpers.ts";

/** Advances the flow once per interval (5 s on the world's clock) until it is done, at most `rounds` times. */
async function doneWithin(rounds: number, clock: { increment(ms: number): void }, server: { advance(flowId: string): Promise<FlowAnswer> }, flowId: string) {
  for (let i = 0; i < rounds; i++) {
    clock.increment(5_000);
    const answer = await server.advance(flowId);
    if (answer.status === "done") return answer;
  }
  throw new Error("the flow did not end");
}

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

/** A poll's answer that keeps the flow waiting or ends it, as transport-fetch would report it. */
function refused(code: ErrorCode, message: string, status?: number): Result<never> {
  return { ok: false, problem: { code, message: `test: ${message}`, ...(status === undefined ? {} : { status }) } };
}

/** A poll answered `slow_down` (Auth0 counted a poll of this oob_code within one interval), once. */
function slowDownOnce(inner: Transport): Transport {
  let used = false;
  return {
    ...inner,
    verifyOob: async (request, options) => {
      if (used) return inner.verifyOob(request, options);
      used = true;
      return refused("slow_down", "You are polling faster than allowed.", 429);
    },
  };
}

describe("a lost poll answer, then slow_down, then Invalid oob_code", () => {
  it("after a takeover: the slow_down does not erase that the dead step's answer may have been lost", async () => {
    const w = world();
    const doomed = w.server({ transport: dying(w.transport), leaseMs: 1_000, requestTimeoutMs: 500 });
    const next = w.server({ transport: slowDownOnce(w.transport), leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await next.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    void doomed.advance(flowId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    w.clock.increment(6_000);
    // The takeover's poll is answered slow_down; the one after it, Invalid oob_code (redeemed by the dead step).
    expect((await next.advance(flowId)).status).toBe("pending");
    const answer = await doneWithin(4, w.clock, next, flowId);
    expect(answer.outcome.outcome).toBe("failed");
    expect(answer.outcome.reason).toMatch(/answer was lost.*Sign in again/);
  });

  it("in one instance: a poll timed out (the tenant redeemed it), the next is slow_down, the next Invalid oob_code", async () => {
    const w = world();
    let polls = 0;
    const transport: Transport = {
      ...w.transport,
      verifyOob: async (request, options) => {
        polls++;
        if (polls === 1) {
          await w.transport.verifyOob(request, options); // redeemed: the tokens are in the answer that never comes
          return refused("timeout", "no answer within 500 ms");
        }
        if (polls === 2) return refused("slow_down", "You are polling faster than allowed.", 429);
        return w.transport.verifyOob(request, options);
      },
    };
    const server = w.server({ transport, leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    const answer = await doneWithin(8, w.clock, server, flowId);
    expect(polls).toBe(3);
    expect(answer.outcome.outcome).toBe("failed");
    expect(answer.outcome.reason).toMatch(/answer was lost.*Sign in again/);
  });

  it("an authorization_pending after the lost answer clears the suspicion: the oob_code was not redeemed", async () => {
    const w = world();
    let polls = 0;
    const transport: Transport = {
      ...w.transport,
      verifyOob: async (request, options) => {
        polls++;
        if (polls === 1) return refused("timeout", "no answer within 500 ms");
        if (polls === 2) return w.transport.verifyOob(request, options); // pending: nobody redeemed it
        if (polls === 3) return refused("slow_down", "You are polling faster than allowed.", 429);
        return refused("invalid_request", "Invalid oob_code.", 403);
      },
    };
    const server = w.server({ transport, leaseMs: 1_000, requestTimeoutMs: 500 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    const answer = await doneWithin(10, w.clock, server, flowId);
    expect(polls).toBe(4);
    expect(answer.outcome.outcome).toBe("failed");
    expect(answer.outcome.reason).not.toMatch(/answer was lost/);
  });
});

/** A store whose writes fail `times` times when `which` matches the value (Redis restarting), then work. */
function failingWrites(store: FlowStore, which: (value: string) => boolean, times: number): FlowStore & { failed: () => number } {
  let failed = 0;
  return {
    get: (key) => store.get(key),
    delete: (key) => store.delete(key),
    put: async (key, value, options) => {
      if (which(value) && failed < times) {
        failed++;
        throw new Error("test: connection refused (Redis restarting)");
      }
      return store.put(key, value, options);
    },
    failed: () => failed,
  };
}

describe("a store that fails for a moment after a step won (a Redis restart)", () => {
  it("commits the outcome once the store is back, within the step's lease: the approval is not lost", async () => {
    const w = world();
    const store = failingWrites(w.store, (value) => value.includes('"reported"'), 2);
    const server = w.server({ store, leaseMs: 2_000, requestTimeoutMs: 500 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    w.device.approve();
    w.clock.increment(5_000);
    const done = await server.advance(flowId);
    expect(store.failed()).toBe(2);
    expect(done).toMatchObject({ status: "done", outcome: { outcome: "approved" } });
    expect(await server.advance(flowId)).toEqual(done);
    expect(w.polls()).toBe(1);
  });

  it("saves a flow that goes on once the store is back: no takeover, no poll answer counted lost", async () => {
    const w = world();
    const server = w.server({ leaseMs: 2_000, requestTimeoutMs: 500 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    const failing = failingWrites(w.store, (value) => value.includes('"data"') && !value.includes('"lease"'), 2);
    const during = w.server({ store: failing, leaseMs: 2_000, requestTimeoutMs: 500 });
    w.clock.increment(5_000);
    expect(pendingOf(await during.advance(flowId)).view.attempt).toBe(1);
    expect(failing.failed()).toBe(2);
    // Saved and released: the next poll goes one interval later, not after the lease.
    w.clock.increment(5_000);
    expect(pendingOf(await server.advance(flowId)).view.attempt).toBe(2);
    expect(w.polls()).toBe(2);
  });

  it("gives up when the store stays down past the step's lease, with server_error; the approval it held is then told lost", async () => {
    const w = world();
    const server = w.server({ leaseMs: 600, requestTimeoutMs: 500 });
    const { flowId } = await server.start("challenge", { mfaToken: w.mfaToken() });
    const down = failingWrites(w.store, (value) => value.includes('"reported"'), Number.POSITIVE_INFINITY);
    const during = w.server({ store: down, leaseMs: 600, requestTimeoutMs: 500 });
    w.device.approve();
    w.clock.increment(5_000);
    const started = performance.now();
    await expect(during.advance(flowId)).rejects.toMatchObject({ code: "server_error" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    expect(performance.now() - started).toBeLessThan(2_000);
    // Its lease (600 ms and one interval) is left: the next step expects the answer lost.
    w.clock.increment(5_600);
    const answer = await server.advance(flowId);
    expect(answer.status === "done" && answer.outcome.reason).toMatch(/answer was lost.*Sign in again/);
  });
});
