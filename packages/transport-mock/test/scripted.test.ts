import { PushflowError, type ErrorCode } from "@pushflow/core";
import { SimulatedClock } from "xstate";
import { describe, expect, it } from "vitest";
import { createScriptedTransport, PROBLEM_DEFAULTS } from "../src/index.ts";
import { Counter, parseStep } from "../src/script.ts";
import { problemOf, valueOf } from "./helpers.ts";

const request = { mfaToken: "Fe26.2*t", oobCode: "oob" };

describe("scripted transport", () => {
  it("plays a poll scenario from one line", async () => {
    const transport = createScriptedTransport({ verifyOob: ["pending×3", "slow_down", "429 retry-after 7", "approve"] });
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const result = await transport.verifyOob(request);
      answers.push(result.ok ? "ok" : result.problem.code);
    }
    expect(answers).toEqual(["authorization_pending", "authorization_pending", "authorization_pending", "slow_down", "rate_limited", "ok"]);
    expect(transport.unused()).toEqual([]);
  });

  it("gives problems the status, error and message of a real answer", async () => {
    const transport = createScriptedTransport({ verifyOob: "pending, 429 retry-after 7, slow_down retry-after=10, 503" });
    expect(problemOf(await transport.verifyOob(request))).toEqual({
      code: "authorization_pending",
      status: 400,
      error: "authorization_pending",
      message:
        "verify oob failed: POST /oauth/token → 400 authorization_pending: Authorization pending: please repeat the request in a few seconds.",
    });
    expect(problemOf(await transport.verifyOob(request))).toMatchObject({
      code: "rate_limited",
      status: 429,
      error: "too_many_requests",
      retryAfterMs: 7_000,
    });
    expect(problemOf(await transport.verifyOob(request))).toMatchObject({ code: "slow_down", status: 429, retryAfterMs: 10_000 });
    expect(problemOf(await transport.verifyOob(request))).toMatchObject({ code: "server_error", status: 503 });
  });

  it("knows every ErrorCode of core", () => {
    const codes = Object.keys(PROBLEM_DEFAULTS) as ErrorCode[];
    expect(codes).toHaveLength(24);
    for (const code of codes) {
      const [answer] = parseStep("verifyOob", code, new Counter());
      expect(answer).toMatchObject({ kind: "problem", problem: { code } });
    }
    const [mfa] = parseStep("verifyOtp", "mfa_required", new Counter());
    expect(mfa).toMatchObject({ kind: "problem", problem: { code: "mfa_required", mfaToken: expect.stringMatching(/^Fe26/) } });
  });

  it("understands aliases, hyphens and the three repeat marks", () => {
    const parse = (text: string) =>
      parseStep("verifyOob", text, new Counter()).map((a) => (a.kind === "problem" ? a.problem.code : a.kind));
    expect(parse("pending*2")).toEqual(["authorization_pending", "authorization_pending"]);
    expect(parse("pending x2")).toEqual(["authorization_pending", "authorization_pending"]);
    expect(parse("deny")).toEqual(["rejected"]);
    expect(parse("already-enrolled")).toEqual(["already_enrolled"]);
    expect(parse("locked")).toEqual(["too_many_attempts"]);
    expect(parse("approve ×2")).toEqual(["ok", "ok"]);
    expect(parse("hang")).toEqual(["hang"]);
    expect(parse("404")).toEqual(["invalid_authenticator"]);
    expect(parse("401")).toEqual(["mfa_token_invalid"]);
  });

  it("refuses words outside the vocabulary when it is created", () => {
    expect(() => createScriptedTransport({ verifyOob: ["pendng"] })).toThrow(PushflowError);
    expect(() => createScriptedTransport({ verifyOob: ["pendng"] })).toThrow(/unknown word "pendng"/);
    expect(() => createScriptedTransport({ challenge: ["pending ×0"] })).toThrow(/repeat count/);
    expect(() => createScriptedTransport({ verifyOob: ["429 retry-after soon"] })).toThrow(/retry-after needs seconds/);
    expect(() => createScriptedTransport({ verifyOob: ["otp"] })).toThrow(/unknown word/);
  });

  it("has success values for every method", async () => {
    const t = createScriptedTransport({
      login: ["mfa_required", "tokens"],
      associate: ["ok", "no-recovery"],
      listAuthenticators: ["ok", "empty", "inactive"],
      challenge: ["ok", "otp"],
      verifyOtp: "accept",
      verifyRecoveryCode: "ok",
      deleteAuthenticator: "ok",
    });
    expect(valueOf(await t.login({ username: "u", password: "p" }))).toMatchObject({ type: "mfa_required" });
    expect(valueOf(await t.login({ username: "u", password: "p" }))).toMatchObject({ type: "tokens" });
    const first = valueOf(await t.associate({ mfaToken: "m" }));
    expect(first.barcodeUri).toMatch(/^otpauth:\/\/totp\/.+enrollment_tx_id=[A-Za-z0-9]{32}&base_url=/);
    expect(first.recoveryCodes).toHaveLength(1);
    expect(valueOf(await t.associate({ mfaToken: "m" })).recoveryCodes).toBeUndefined();
    expect(valueOf(await t.listAuthenticators({ mfaToken: "m" })).filter((a) => a.active)).toHaveLength(3);
    expect(valueOf(await t.listAuthenticators({ mfaToken: "m" }))).toEqual([]);
    expect(valueOf(await t.listAuthenticators({ mfaToken: "m" })).some((a) => a.active)).toBe(false);
    const challenge = { mfaToken: "m", authenticatorId: "push|dev_x", challengeType: "oob" as const };
    expect(valueOf(await t.challenge(challenge))).toMatchObject({ challengeType: "oob", oobCode: expect.any(String) });
    expect(valueOf(await t.challenge(challenge))).toEqual({ challengeType: "otp" });
    expect(valueOf(await t.verifyOtp({ mfaToken: "m", otp: "1" })).tokenType).toBe("Bearer");
    expect(valueOf(await t.verifyRecoveryCode({ mfaToken: "m", recoveryCode: "r" })).recoveryCode).toMatch(/^[A-Z0-9]{24}$/);
    expect(await t.deleteAuthenticator({ accessToken: "a", authenticatorId: "push|dev_x" })).toEqual({ ok: true, value: undefined });
  });

  it("takes typed steps", async () => {
    const t = createScriptedTransport({
      verifyOob: [
        { problem: "rejected", error: "invalid_grant" },
        { ok: { accessToken: "at", tokenType: "Bearer", expiresIn: 60 } },
        { ok: true, times: 2 },
        { answer: (r) => ({ ok: false, problem: { code: "internal", message: `saw ${r.oobCode}` } }) },
      ],
    });
    expect(problemOf(await t.verifyOob(request))).toMatchObject({ code: "rejected", status: 400, error: "invalid_grant" });
    expect(valueOf(await t.verifyOob(request)).accessToken).toBe("at");
    expect(valueOf(await t.verifyOob(request)).tokenType).toBe("Bearer");
    expect(valueOf(await t.verifyOob(request)).tokenType).toBe("Bearer");
    expect(problemOf(await t.verifyOob(request)).message).toBe("saw oob");
  });

  it("answers a clear internal problem once a script runs out", async () => {
    const t = createScriptedTransport({ verifyOob: ["pending"] });
    await t.verifyOob(request);
    expect(await t.verifyOob(request)).toEqual({
      ok: false,
      problem: { code: "internal", message: "script exhausted for verifyOob (after 1 answer)" },
    });
    expect(problemOf(await t.associate({ mfaToken: "m" })).message).toBe("script exhausted for associate (after 0 answers)");
  });

  it("hangs until the call is aborted", async () => {
    const t = createScriptedTransport({ verifyOob: ["hang"] });
    const controller = new AbortController();
    const pending = t.verifyOob(request, { signal: controller.signal });
    controller.abort();
    expect(problemOf(await pending).code).toBe("network");
  });

  it("records calls without secrets, on its clock, and reports what is left", async () => {
    const clock = new SimulatedClock();
    clock.set(1_000);
    const t = createScriptedTransport({ challenge: ["ok"], verifyOob: ["pending", "approve"] }, { clock });
    await t.challenge({ mfaToken: "Fe26.2*secret", authenticatorId: "push|dev_x", challengeType: "oob" });
    clock.increment(5_000);
    await t.verifyOob({ mfaToken: "Fe26.2*secret", oobCode: "oob-secret" });
    expect(t.calls).toEqual([
      {
        method: "challenge",
        request: { mfaToken: "[redacted:1]", authenticatorId: "push|dev_x", challengeType: "oob" },
        at: 1_000,
        answer: "ok",
        answeredAt: 1_000,
      },
      {
        method: "verifyOob",
        request: { mfaToken: "[redacted:1]", oobCode: "[redacted:2]" },
        at: 6_000,
        answer: "authorization_pending",
        answeredAt: 6_000,
      },
    ]);
    expect(t.remaining("verifyOob")).toBe(1);
    expect(t.unused()).toEqual(["verifyOob"]);
    t.append("verifyOob", "rejected");
    expect(t.remaining("verifyOob")).toBe(2);
  });
});
