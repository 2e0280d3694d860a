import { SimulatedClock } from "xstate";
import { describe, expect, it } from "vitest";
import { createTenant } from "@pushflow/tenant";
import { createMockTransport } from "../src/index.ts";
import { CLIENT_ID, enrolled, PASSWORD, setup, USER, valueOf } from "./helpers.ts";

describe("mock transport", () => {
  it("answers asynchronously", async () => {
    const { transport, mfaToken } = setup();
    let answered = false;
    const pending = transport.listAuthenticators({ mfaToken: mfaToken() }).then(() => (answered = true));
    expect(answered).toBe(false);
    await pending;
    expect(answered).toBe(true);
  });

  it("an aborted call resolves with a network problem and changes nothing", async () => {
    const { tenant, transport, mfaToken } = setup();
    const controller = new AbortController();
    controller.abort();
    const result = await transport.associate({ mfaToken: mfaToken() }, { signal: controller.signal });
    expect(result).toEqual({ ok: false, problem: { code: "network", message: "associate failed: POST /mfa/associate → the request was aborted" } });
    expect(tenant.enrollments()).toEqual([]);
  });

  it("a call aborted before its answer is due changes nothing", async () => {
    const { tenant, mfaToken } = setup();
    const transport = createMockTransport(tenant, { clientId: CLIENT_ID });
    const controller = new AbortController();
    const pending = transport.associate({ mfaToken: mfaToken() }, { signal: controller.signal });
    controller.abort();
    expect((await pending).ok).toBe(false);
    expect(tenant.enrollments()).toEqual([]);
  });

  it("answers after a latency on the tenant clock", async () => {
    const clock = new SimulatedClock();
    const tenant = createTenant({ clock, clients: [{ clientId: "app" }], users: [{ username: "u", password: "p" }] });
    const transport = createMockTransport(tenant, { clientId: "app", latencyMs: 500 });
    let answered = false;
    const pending = transport.login({ username: "u", password: "p" }).then((r) => {
      answered = true;
      return r;
    });
    await Promise.resolve();
    expect(answered).toBe(false);
    clock.increment(500);
    expect((await pending).ok).toBe(true);
    expect(transport.calls[0]).toMatchObject({ at: 0, answeredAt: 500, answer: "ok" });
  });

  it("records calls without secrets", async () => {
    const { transport, device, mfaToken } = enrolled();
    await transport.login({ username: USER, password: PASSWORD });
    const token = mfaToken();
    const authenticatorId = device.accounts[0]?.pushAuthenticatorId ?? "";
    const a = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    const b = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    await transport.verifyOob({ mfaToken: token, oobCode: a.oobCode ?? "" });
    await transport.verifyOob({ mfaToken: token, oobCode: b.oobCode ?? "" });
    await transport.verifyOob({ mfaToken: token, oobCode: b.oobCode ?? "" });

    const text = JSON.stringify(transport.calls);
    for (const secret of [PASSWORD, token, a.oobCode ?? "", b.oobCode ?? ""]) expect(text).not.toContain(secret);
    expect(transport.calls[0]).toMatchObject({ method: "login", request: { username: USER, password: "[redacted:1]" }, answer: "ok" });
    expect(transport.callsTo("challenge")[0]?.request).toEqual({ mfaToken: "[redacted:2]", authenticatorId, challengeType: "oob" });
    const polls = transport.callsTo("verifyOob").map((c) => [c.request.oobCode, c.answer]);
    expect(polls).toEqual([
      ["[redacted:3]", "expired"],
      ["[redacted:4]", "authorization_pending"],
      ["[redacted:4]", "authorization_pending"],
    ]);
    transport.clearCalls();
    expect(transport.calls).toEqual([]);
  });

  it("never puts a secret in a problem message", async () => {
    const { tenant, transport, mfaToken } = setup();
    const token = mfaToken();
    const results = [
      await transport.verifyOob({ mfaToken: token, oobCode: "Fe26.2*secret-oob" }),
      await transport.verifyOtp({ mfaToken: token, otp: "123456" }),
      await transport.verifyRecoveryCode({ mfaToken: token, recoveryCode: "SECRETRECOVERYCODE000000" }),
      await transport.login({ username: USER, password: "hunter2" }),
      await createMockTransport(tenant, { clientId: "backend", clientSecret: "wrong-secret" }).verifyOob({ mfaToken: token, oobCode: "x" }),
    ];
    for (const result of results) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        for (const secret of [token, "secret-oob", "123456", "SECRETRECOVERYCODE", "hunter2", "wrong-secret"]) {
          expect(result.problem.message).not.toContain(secret);
        }
      }
    }
  });
});
