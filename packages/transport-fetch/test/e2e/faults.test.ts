/**
 * Fault classes interrupting running flows over loopback HTTP: the emulator's faults (5xx,
 * dropped connections, delays past the transport's timeout, 429s, garbled bodies) and its poll
 * bucket (slow_down). Each run must still reach the right outcome, or the right failure once a
 * fault outlasts the retry budget or the deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec } from "@pushflow/emulator";
import { DEFAULTS } from "@pushflow/core";
import { expectNoLeaks, launch, ledger, newUser, openWorld, until, type Run, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(async () => {
  await world.close();
});

const OOB = { route: "POST /oauth/token", grantType: "mfa-oob" } as const;
/** Real time: wide enough that a normal loopback request on a busy CI machine never times out. */
const TIMEOUT = { requestMs: 500, delayMs: 1_200 } as const;

/** The statuses the emulator answered to the mfa-oob polls (0: connection dropped). */
function pollStatuses(w: World): (number | undefined)[] {
  return w.emulator.requests.entries.filter((e) => e.grantType === "mfa-oob").map((e) => e.status);
}

/** A challenge of a fresh enrolled user whose device approves once `ready()` says so, on the next poll. */
function challengeApprovedWhen(w: World, ready: (run: Run) => boolean, setup: Parameters<typeof launch>[2] = {}) {
  const user = newUser(w, true);
  w.emulator.requests.clear();
  const run = launch(w, "challenge", { username: user.username, password: user.password, ...setup });
  let approved = false;
  const approveIfReady = () => {
    if (approved || !ready(run)) return;
    approved = true;
    user.device.approve(user.username);
  };
  run.handle.events.on("poll", approveIfReady);
  run.handle.events.on("backoff", approveIfReady);
  return { run, user };
}

const backoffCauses = (run: Run) => run.of("backoff").map((b) => b.cause);

describe("transient faults while polling: backoff, then the push is approved", () => {
  const cases: { name: string; fault: Omit<FaultSpec, "route">; cause: string; statuses: (number | undefined)[] }[] = [
    { name: "5xx (503 twice)", fault: { status: 503 }, cause: "server_error", statuses: [503, 503, 200] },
    { name: "a dropped connection (twice)", fault: { drop: true }, cause: "network", statuses: [0, 0, 200] },
    { name: "429 too_many_requests (twice)", fault: { status: 429 }, cause: "rate_limited", statuses: [429, 429, 200] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      world.emulator.faults.add({ ...OOB, ...c.fault, times: 2 });
      const { run } = challengeApprovedWhen(world, (r) => r.of("backoff").length === 2);
      const output = await run.drive();
      expect(output).toMatchObject({ outcome: "approved", method: "push" });
      expect(backoffCauses(run)).toEqual([c.cause, c.cause]);
      expect(run.of("poll").map((p) => p.answer)).toEqual([c.cause, c.cause]);
      expect(pollStatuses(world)).toEqual(c.statuses);
      // Whatever the cause, no poll sooner than the interval after the previous answer.
      for (const e of run.events) if (e.name === "backoff") expect(e.payload.retryAt - e.at).toBeGreaterThanOrEqual(DEFAULTS.pollIntervalMs);
    });
  }

  it("a timeout (the emulator delays longer than the transport's timeoutMs), twice", async () => {
    world.emulator.faults.add({ ...OOB, delayMs: TIMEOUT.delayMs, times: 2 });
    const faulted = () => world.emulator.requests.entries.filter((e) => e.fault !== undefined);
    const { run } = challengeApprovedWhen(world, (r) => r.of("backoff").length === 2 && faulted().every((e) => e.status !== undefined), {
      requestTimeoutMs: TIMEOUT.requestMs,
    });
    // The delayed requests still reach the tenant after the client gave up: let them land before time moves on.
    const output = await run.drive({ beforeAdvance: () => until(() => faulted().every((e) => e.status !== undefined)) });
    expect(output).toMatchObject({ outcome: "approved", method: "push" });
    expect(backoffCauses(run)).toEqual(["timeout", "timeout"]);
    expect(run.tracker.problems.filter((p) => p.problem.code === "timeout").map((p) => p.method)).toEqual(["verifyOob", "verifyOob"]);
  });

  it("every class in one run: 503, dropped, 429, timeout, then slow_down from the poll bucket", async () => {
    const w = await openWorld({ limits: { pollBurst: 2, pollRefillMs: 8_000 } });
    try {
      for (const fault of [{ status: 503 }, { drop: true }, { status: 429 }, { delayMs: TIMEOUT.delayMs }]) w.emulator.faults.add({ ...OOB, ...fault, times: 1 });
      const faulted = () => w.emulator.requests.entries.filter((e) => e.fault !== undefined);
      const { run } = challengeApprovedWhen(w, (r) => r.of("backoff").some((b) => b.cause === "slow_down"), {
        pollIntervalMs: 1_000,
        requestTimeoutMs: TIMEOUT.requestMs,
      });
      const output = await run.drive({ beforeAdvance: () => until(() => faulted().every((e) => e.status !== undefined)) });
      expect(output).toMatchObject({ outcome: "approved", method: "push" });
      expect(backoffCauses(run)).toEqual(["server_error", "network", "rate_limited", "timeout", "slow_down"]);
      // The delayed poll still reached the tenant after the client gave up and took one of the
      // bucket's two tokens: one pending answer, then slow_down.
      expect(run.of("poll").map((p) => p.answer)).toEqual([
        "server_error",
        "network",
        "rate_limited",
        "timeout",
        "authorization_pending",
        "slow_down",
      ]);
      expect(run.of("poll").at(-1)?.intervalMs).toBe(1_000 + DEFAULTS.slowDownStepMs);
    } finally {
      await w.close();
    }
  });
});

describe("faults on the other calls", () => {
  it("enrollment: a 503 on associate and a dropped poll are retried, then the device confirms", async () => {
    const user = newUser(world, false);
    world.emulator.requests.clear();
    world.emulator.faults.add({ route: "POST /mfa/associate", status: 503, times: 1 });
    world.emulator.faults.add({ ...OOB, drop: true, times: 1 });
    const run = launch(world, "enroll", { username: user.username, password: user.password });
    run.handle.events.on("recovery-codes", () => run.handle.send({ type: "ACK_RECOVERY_CODES" }));
    run.handle.events.on("poll", (e) => {
      if (e.attempt === 2) user.device.scan(run.of("qr")[0]?.barcodeUri ?? "");
    });
    expect((await run.drive()).outcome).toBe("enrolled");
    expect(backoffCauses(run)).toEqual(["server_error", "network"]);
    expect(world.emulator.requests.entries.filter((e) => e.route === "POST /mfa/associate").map((e) => e.status)).toEqual([503, 200]);
  });

  it("challenge: a 502 gateway page on the list and a lost challenge answer (the push went out) are retried", async () => {
    world.emulator.faults.add({ route: "GET /mfa/authenticators", status: 502, times: 1 });
    world.emulator.faults.add({ route: "/mfa/challenge", status: 500, when: "after", times: 1 });
    const { run, user } = challengeApprovedWhen(world, (r) => r.of("poll").length >= 1);
    expect(await run.drive()).toMatchObject({ outcome: "approved", method: "push" });
    expect(backoffCauses(run)).toEqual(["server_error", "server_error"]);
    expect(world.emulator.tenant.pushes(user.username).map((p) => p.status)).toEqual(["superseded", "redeemed"]);
  });

  it("a garbled 200 answer to a poll ends in failed (invalid_response), never a crash", async () => {
    world.emulator.faults.add({ ...OOB, malformed: true, times: 1 });
    const { run } = challengeApprovedWhen(world, () => false);
    expect(await run.drive()).toMatchObject({ outcome: "failed", error: { code: "invalid_response" } });
  });
});

describe("a lost approval (issue 16)", () => {
  it("the approving poll's answer is dropped after the tenant issued the tokens: failed, with a reason a user can act on", async () => {
    const user = newUser(world, true);
    world.emulator.requests.clear();
    const run = launch(world, "challenge", { username: user.username, password: user.password });
    let approved = false;
    run.handle.events.on("poll", () => {
      if (approved) return;
      approved = true;
      user.device.approve(user.username);
      // The next poll is handled (the oob_code is redeemed, tokens issued), then its connection drops.
      world.emulator.faults.add({ ...OOB, drop: true, when: "after", times: 1 });
    });
    const output = await run.drive();
    expect(output).toMatchObject({ outcome: "failed", error: { code: "invalid_request", error: "invalid_grant" } });
    expect(output.reason).toMatch(/^The push may have been answered while the connection dropped: .* Sign in again\. \(.*Invalid oob_code\.\)$/);
    expect(pollStatuses(world)).toEqual([400, 0, 403]);
    expect(backoffCauses(run)).toEqual(["network"]);
  });
});

describe("faults that outlast the budget or the deadline", () => {
  for (const [fault, code] of [
    [{ drop: true }, "network"],
    [{ status: 503 }, "server_error"],
  ] as const) {
    it(`${code} on every poll: failed once the retries are exhausted, with capped exponential backoff`, async () => {
      world.emulator.faults.add({ ...OOB, ...fault });
      const { run } = challengeApprovedWhen(world, () => false, { pollIntervalMs: 500, maxRetries: 3 });
      try {
        const output = await run.drive();
        expect(output).toMatchObject({ outcome: "failed", error: { code } });
        expect(pollStatuses(world)).toHaveLength(4);
        // Jitter 0: half of 1 s, 2 s, 4 s, and never less than the 500 ms interval.
        const waits = run.events.flatMap((e) => (e.name === "backoff" ? [e.payload.retryAt - e.at] : []));
        expect(waits).toEqual([500, 1_000, 2_000]);
      } finally {
        world.emulator.faults.clear();
      }
    });
  }

  it("429 on every poll until the deadline: rate_limited", async () => {
    world.emulator.faults.add({ ...OOB, status: 429 });
    const { run } = challengeApprovedWhen(world, () => false, { timeoutMs: 30_000 });
    try {
      const output = await run.drive();
      expect(output.outcome).toBe("rate_limited");
      const statuses = pollStatuses(world);
      expect(statuses.length).toBeGreaterThanOrEqual(5);
      expect(new Set(statuses)).toEqual(new Set([429]));
      expect(new Set(backoffCauses(run))).toEqual(new Set(["rate_limited"]));
    } finally {
      world.emulator.faults.clear();
    }
  });
});

describe("secrets across these runs", () => {
  it("no secret in any state event, poll or backoff event, problem, outcome reason or warning", () => {
    expect(ledger.kinds()).toEqual(new Set(["client_secret", "mfa_token", "oob_code", "password", "recovery_code", "token"]));
    expectNoLeaks();
  });
});
