/**
 * Both machines end to end over loopback HTTP: core's shared adapter API with the real fetch
 * transport against the real emulator and its virtual Guardian device. The flows and the
 * emulator share one simulated clock, stepped from timer to timer; HTTP itself is real.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, type ChallengeView, type FlowOutput, type Tokens } from "@pushflow/core";
import {
  API_LOGIN,
  CONFIDENTIAL,
  NO_MFA_CLIENT,
  expectNoLeaks,
  launch,
  ledger,
  newUser,
  openWorld,
  verifyJwt,
  type Run,
  type World,
} from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(async () => {
  await world.close();
});

/** Runs a test against its own emulator (for limits the shared one must not have). */
async function withWorld<T>(options: Parameters<typeof openWorld>[0], test: (w: World) => Promise<T>): Promise<T> {
  const own = await openWorld(options);
  try {
    return await test(own);
  } finally {
    await own.close();
  }
}

function tokensOf(output: FlowOutput): Tokens {
  if (output.outcome !== "enrolled" && output.outcome !== "approved") throw new Error(`no tokens: ${output.outcome} (${output.reason})`);
  return output.tokens;
}

/** A 6-digit code that is not the device's current one. */
function wrongOtp(right: string): string {
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, "0");
}

function challengeView(run: Run): ChallengeView {
  return run.handle.view() as ChallengeView;
}

/** The times (tenant clock) of the emulator's mfa-oob polls, in order. */
function pollTimes(w: World): number[] {
  return w.emulator.requests.entries.filter((e) => e.grantType === "mfa-oob").map((e) => e.at);
}

describe("enrollment over HTTP", () => {
  it("enrolls: QR, device scan, recovery codes acknowledged, tokens verified against the JWKS", async () => {
    const user = newUser(world, false);
    world.emulator.requests.clear();
    const run = launch(world, "enroll", { ...API_LOGIN, username: user.username, password: user.password });
    let barcodeUri = "";
    let acknowledged = false;
    run.handle.events.on("qr", (e) => (barcodeUri = e.barcodeUri));
    run.handle.events.on("poll", (e) => {
      if (e.attempt === 2) user.device.scan(barcodeUri);
    });
    run.handle.events.on("state", (e) => {
      if (e.view.state === "awaitingAcknowledgement" && !acknowledged) {
        acknowledged = true;
        run.handle.send({ type: "ACK_RECOVERY_CODES" });
      }
    });

    const output = await run.drive();

    expect(output.outcome).toBe("enrolled");
    expect(barcodeUri).toMatch(/^otpauth:\/\/totp\/.+\?enrollment_tx_id=\w+&base_url=/);
    expect(run.of("recovery-codes")).toEqual([{ type: "recovery-codes", codes: [world.emulator.tenant.recoveryCode(user.username)] }]);
    const states = run.of("state").map((e) => e.view.state);
    expect(states).toContain("awaitingAcknowledgement");
    expect(states.at(-1)).toBe("enrolled");
    // pending, pending, confirmed: one interval apart.
    expect(run.of("poll").map((e) => e.answer)).toEqual(["authorization_pending", "authorization_pending"]);
    const polls = pollTimes(world);
    expect(polls).toHaveLength(3);
    expect(polls.slice(1).map((at, i) => at - (polls[i] ?? 0))).toEqual([DEFAULTS.pollIntervalMs, DEFAULTS.pollIntervalMs]);

    const tokens = tokensOf(output);
    const claims = await verifyJwt(world, tokens.accessToken);
    expect(claims).toMatchObject({ sub: world.emulator.tenant.user(user.username)?.id, azp: "pushflow-demo", amr: ["mfa"] });
    if (tokens.idToken !== undefined) {
      expect(await verifyJwt(world, tokens.idToken, "pushflow-demo")).toMatchObject({ email: user.username });
    }
    expect(world.emulator.tenant.user(user.username)?.enrolled).toBe(true);
  });

  it("already enrolled: the association is refused", async () => {
    const user = newUser(world, true);
    const output = await launch(world, "enroll", { username: user.username, password: user.password }).drive();
    expect(output.outcome).toBe("already_enrolled");
  });

  it("expires when the QR is not scanned before the enrollment window closes", async () => {
    const user = newUser(world, false);
    world.emulator.requests.clear();
    const run = launch(world, "enroll", { username: user.username, password: user.password, enrollmentWindowMs: 20_000 });
    const output = await run.drive();
    expect(output.outcome).toBe("expired");
    const qr = run.of("qr")[0];
    expect(qr).toBeDefined();
    for (const at of pollTimes(world)) expect(at).toBeLessThanOrEqual(qr?.expiresAt ?? 0);
    expect(run.events.at(-1)?.at).toBe(qr?.expiresAt);
  });
});

describe("challenge over HTTP", () => {
  it("approves by push: the first poll one interval after the challenge, tokens verified", async () => {
    const user = newUser(world, true);
    world.emulator.requests.clear();
    const run = launch(world, "challenge", { ...API_LOGIN, username: user.username, password: user.password });
    run.handle.events.on("poll", (e) => {
      if (e.attempt === 1) user.device.approve(user.username);
    });
    const output = await run.drive();
    expect(output).toMatchObject({ outcome: "approved", method: "push" });
    const challengedAt = world.emulator.requests.entries.find((e) => e.route === "POST /mfa/challenge")?.at ?? 0;
    expect(pollTimes(world).map((at) => at - challengedAt)).toEqual([5_000, 10_000]);
    const claims = await verifyJwt(world, tokensOf(output).accessToken);
    expect(claims.sub).toBe(world.emulator.tenant.user(user.username)?.id);
  });

  it("approves by push for a confidential client (its secret sent, never shown)", async () => {
    const user = newUser(world, true);
    const run = launch(world, "challenge", { ...CONFIDENTIAL, username: user.username, password: user.password });
    run.handle.events.on("poll", () => user.device.approve(user.username));
    expect(await run.drive()).toMatchObject({ outcome: "approved", method: "push" });
  });

  it("rejects when the user denies the push", async () => {
    const user = newUser(world, true);
    const run = launch(world, "challenge", { username: user.username, password: user.password });
    run.handle.events.on("poll", (e) => {
      if (e.attempt === 1) user.device.reject(user.username);
    });
    expect((await run.drive()).outcome).toBe("rejected");
    expect(run.tracker.problems.at(-1)?.problem).toMatchObject({ code: "rejected", status: 400, error: "access_denied" });
  });

  it("falls back to the app's one-time code: a wrong one is refused, the device's TOTP approves", async () => {
    const user = newUser(world, true);
    const run = launch(world, "challenge", { ...API_LOGIN, username: user.username, password: user.password });
    const submitted: string[] = [];
    run.handle.events.on("poll", (e) => {
      if (e.attempt === 1) run.handle.send({ type: "USE_OTP" });
    });
    run.handle.events.on("state", (e) => {
      const view = e.view as ChallengeView;
      if (view.state !== "challenged.otpEntry") return;
      if (submitted.length === 0) submitted.push(wrongOtp(user.device.totp()));
      else if (submitted.length === 1 && view.codeError === "That code is not valid.") submitted.push(user.device.totp());
      else return;
      run.handle.send({ type: "SUBMIT_OTP", otp: submitted.at(-1) ?? "" });
    });
    const output = await run.drive();
    expect(output).toMatchObject({ outcome: "approved", method: "otp" });
    expect(submitted).toHaveLength(2);
    expect(run.tracker.problems.map((p) => [p.method, p.problem.code])).toContainEqual(["verifyOtp", "invalid_code"]);
    expect(await verifyJwt(world, tokensOf(output).accessToken)).toMatchObject({ amr: ["mfa"] });
  });

  it("falls back to a recovery code: a new one is returned, the old one is refused next time", async () => {
    const user = newUser(world, true);
    const oldCode = user.recoveryCode ?? "";
    const recover = (codes: readonly string[]) => {
      const run = launch(world, "challenge", { username: user.username, password: user.password });
      const queue = [...codes];
      run.handle.events.on("poll", (e) => {
        if (e.attempt === 1) run.handle.send({ type: "USE_RECOVERY_CODE" });
      });
      run.handle.events.on("state", (e) => {
        const view = e.view as ChallengeView;
        const code = queue[0];
        if (view.state !== "challenged.recoveryEntry" || code === undefined) return;
        if (queue.length < codes.length && view.codeError === undefined) return;
        queue.shift();
        run.handle.send({ type: "SUBMIT_RECOVERY_CODE", code });
      });
      return run;
    };

    const first = await recover([oldCode]).drive();
    expect(first).toMatchObject({ outcome: "approved", method: "recovery-code" });
    const newCode = first.outcome === "approved" ? (first.newRecoveryCode ?? "") : "";
    expect(newCode).toMatch(/^[A-Z0-9]{24}$/);
    expect(newCode).not.toBe(oldCode);
    expect(world.emulator.tenant.recoveryCode(user.username)).toBe(newCode);

    const secondRun = recover([oldCode, newCode]);
    const second = await secondRun.drive();
    expect(second).toMatchObject({ outcome: "approved", method: "recovery-code" });
    expect(secondRun.tracker.problems.map((p) => [p.method, p.problem.code, p.problem.status])).toContainEqual([
      "verifyRecoveryCode",
      "invalid_code",
      403,
    ]);
    const third = second.outcome === "approved" ? second.newRecoveryCode : undefined;
    expect(third).toBeDefined();
    expect(third).not.toBe(newCode);
  });

  it("locks out after too many wrong one-time codes", async () => {
    const user = newUser(world, true);
    const run = launch(world, "challenge", { username: user.username, password: user.password });
    let sent = 0;
    run.handle.events.on("poll", (e) => {
      if (e.attempt === 1) run.handle.send({ type: "USE_OTP" });
    });
    run.handle.events.on("state", (e) => {
      const view = e.view as ChallengeView;
      if (view.state !== "challenged.otpEntry" || (sent > 0 && view.codeError === undefined)) return;
      sent++;
      run.handle.send({ type: "SUBMIT_OTP", otp: wrongOtp(user.device.totp()) });
    });
    expect((await run.drive()).outcome).toBe("locked_out");
    expect(run.tracker.problems.at(-1)?.problem).toMatchObject({ code: "too_many_attempts", status: 429, error: "too_many_attempts" });
    expect(sent).toBe(11);
  });

  it("slow_down: polling faster than the emulator's poll bucket grows the interval by 5 s each time", async () => {
    await withWorld({ limits: { pollBurst: 3, pollRefillMs: 8_000 } }, async (w) => {
      const user = newUser(w, true);
      const run = launch(w, "challenge", { username: user.username, password: user.password, pollIntervalMs: 1_000 });
      let slowDowns = 0;
      run.handle.events.on("poll", (e) => {
        if (e.answer === "slow_down") slowDowns++;
        else if (slowDowns >= 2) user.device.approve(user.username);
      });
      const output = await run.drive();
      expect(output).toMatchObject({ outcome: "approved", method: "push" });
      expect(run.warnings.join("\n")).toContain("below Auth0's 5 s");

      const polls = run.events.flatMap((e) => (e.name === "poll" ? [{ ...e.payload, answeredAt: e.at }] : []));
      expect(polls[0]?.intervalMs).toBe(1_000);
      const answers = run.tracker.problems.filter((p) => p.method === "verifyOob").map((p) => p.problem);
      polls.forEach((poll, i) => {
        const before = i === 0 ? 1_000 : (polls[i - 1]?.intervalMs ?? 0);
        expect(poll.intervalMs).toBe(poll.answer === "slow_down" ? before + DEFAULTS.slowDownStepMs : before);
        const retryAfter = answers[i]?.retryAfterMs ?? 0;
        expect(poll.nextPollAt - poll.answeredAt).toBe(Math.max(poll.intervalMs, retryAfter));
      });
      expect(polls.filter((p) => p.answer === "slow_down").map((p) => p.intervalMs)).toEqual([6_000, 11_000]);
      const backoffs = run.of("backoff");
      expect(backoffs.map((b) => b.cause)).toEqual(["slow_down", "slow_down"]);
      expect(backoffs.map((b) => b.retryAt)).toEqual(polls.filter((p) => p.answer === "slow_down").map((p) => p.nextPollAt));
      expect(answers.filter((p) => p.code === "slow_down").every((p) => p.status === 429 && (p.retryAfterMs ?? 0) >= 1_000)).toBe(true);
      // The emulator saw no poll sooner than the interval in force.
      const times = pollTimes(w);
      const intervals = [1_000, ...polls.map((p) => p.intervalMs)];
      times.slice(1).forEach((at, i) => expect(at - (times[i] ?? 0)).toBeGreaterThanOrEqual(intervals[i] ?? 0));
    });
  });

  it("429 on resend: the sixth push in a minute is refused, polling goes on, the resend waits for Retry-After", async () => {
    const user = newUser(world, true);
    world.emulator.requests.clear();
    const run = launch(world, "challenge", { username: user.username, password: user.password, resendCooldownMs: 1_000 });
    let resends = 0;
    let limited = false;
    run.handle.events.on("backoff", (e) => {
      if (e.cause === "rate_limited") limited = true;
    });
    run.handle.events.on("poll", () => {
      if (limited) user.device.approve(user.username);
    });
    const output = await run.drive({
      beforeAdvance: () => {
        if (resends < 5 && challengeView(run).canResend) {
          resends++;
          run.handle.send({ type: "RESEND" });
        }
      },
    });
    expect(output).toMatchObject({ outcome: "approved", method: "push" });
    const challenges = world.emulator.requests.entries.filter((e) => e.route === "POST /mfa/challenge");
    expect(challenges.map((e) => e.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = run.tracker.problems.find((p) => p.method === "challenge")?.problem;
    expect(refused).toMatchObject({ code: "rate_limited", status: 429, error: "too_many_requests" });
    const backoff = run.events.find((e) => e.name === "backoff");
    expect(backoff?.payload).toMatchObject({ cause: "rate_limited" });
    if (backoff?.name === "backoff") expect(backoff.payload.retryAt).toBe(backoff.at + (refused?.retryAfterMs ?? 0));
    const pushes = world.emulator.tenant.pushes(user.username).map((p) => p.status);
    expect(pushes.filter((s) => s === "superseded")).toHaveLength(4);
    expect(pushes.filter((s) => s === "redeemed")).toHaveLength(1);
  });

  it("expires at the local deadline when nobody answers, with no poll after it", async () => {
    const user = newUser(world, true);
    world.emulator.requests.clear();
    const run = launch(world, "challenge", { username: user.username, password: user.password, timeoutMs: 30_000 });
    const output = await run.drive();
    expect(output.outcome).toBe("expired");
    const deadline = run.of("state").find((e) => e.view.deadlineAt !== undefined)?.view.deadlineAt ?? 0;
    const challengedAt = world.emulator.requests.entries.find((e) => e.route === "POST /mfa/challenge")?.at ?? 0;
    expect(deadline).toBe(challengedAt + 30_000);
    expect(run.events.at(-1)?.at).toBe(deadline);
    const polls = pollTimes(world);
    expect(polls.length).toBeGreaterThanOrEqual(5);
    for (const at of polls) expect(at).toBeLessThanOrEqual(deadline);
  });

  it("expires when the server says the push expired (expired_token on the oob_code)", async () => {
    await withWorld({ limits: { challengeLifetimeMs: 12_000 } }, async (w) => {
      const user = newUser(w, true);
      const run = launch(w, "challenge", { username: user.username, password: user.password });
      expect((await run.drive()).outcome).toBe("expired");
      expect(run.tracker.problems.at(-1)?.problem).toMatchObject({ code: "expired", status: 403, error: "expired_token" });
    });
  });

  it("ends in mfa_token_invalid when the mfa_token expires while polling", async () => {
    await withWorld({ limits: { mfaTokenLifetimeMs: 12_000 } }, async (w) => {
      const user = newUser(w, true);
      const run = launch(w, "challenge", { username: user.username, password: user.password });
      expect((await run.drive()).outcome).toBe("mfa_token_invalid");
      expect(run.tracker.problems.at(-1)?.problem).toMatchObject({ code: "mfa_token_invalid", status: 401, error: "expired_token" });
    });
  });

  it("other outcomes: not_enrolled, misconfigured (MFA grant off, wrong secret), mfa_token_invalid, failed (wrong password)", async () => {
    const fresh = newUser(world, false);
    expect((await launch(world, "challenge", { username: fresh.username, password: fresh.password }).drive()).outcome).toBe("not_enrolled");

    const user = newUser(world, true);
    const noMfa = launch(world, "challenge", { clientId: NO_MFA_CLIENT, username: user.username, password: user.password });
    expect((await noMfa.drive()).outcome).toBe("misconfigured");
    expect(noMfa.tracker.problems.at(-1)?.problem).toMatchObject({ code: "misconfigured", status: 403, error: "unauthorized_client" });

    const wrongSecret = launch(world, "challenge", {
      clientId: CONFIDENTIAL.clientId,
      clientSecret: "not-the-secret-4e1f0a",
      username: user.username,
      password: user.password,
    });
    expect((await wrongSecret.drive()).outcome).toBe("misconfigured");
    expect(wrongSecret.tracker.problems.at(-1)?.problem).toMatchObject({ code: "misconfigured", status: 401, error: "invalid_client" });

    const badToken = launch(world, "enroll", { mfaToken: "Fe26.2*0*forged*token*0*0*0*0" });
    expect((await badToken.drive()).outcome).toBe("mfa_token_invalid");

    const wrongPassword = await launch(world, "challenge", { username: user.username, password: "wrong-password-9c7e" }).drive();
    expect(wrongPassword).toMatchObject({ outcome: "failed", error: { code: "invalid_credentials", status: 403 } });
  });

  it("cancels: no request is sent after the cancel", async () => {
    const user = newUser(world, true);
    world.emulator.requests.clear();
    const run = launch(world, "challenge", { username: user.username, password: user.password });
    let sentBeforeCancel = -1;
    run.handle.events.on("poll", (e) => {
      if (e.attempt !== 2) return;
      sentBeforeCancel = world.emulator.requests.entries.length;
      run.handle.cancel();
    });
    expect((await run.drive()).outcome).toBe("cancelled");
    world.clock.increment(60_000);
    await run.tracker.idle();
    expect(world.emulator.requests.entries.length).toBe(sentBeforeCancel);
  });
});

describe("secrets across these runs", () => {
  it("no secret in any state event, poll or backoff event, problem, outcome reason or warning", () => {
    expect([...ledger.kinds()].sort()).toEqual(["client_secret", "mfa_token", "oob_code", "otp", "password", "recovery_code", "token"]);
    expect(ledger.exposed.filter((e) => e.where.includes("state event")).length).toBeGreaterThan(100);
    expectNoLeaks();
  });
});
