import { describe, expect, it } from "vitest";
import { createDevice, GuardianError } from "@pushflow/tenant";
import { enrolled, problemOf, setup, USER, valueOf } from "./helpers.ts";

describe("virtual device", () => {
  it("computes the TOTP the tenant accepts, on the tenant clock", async () => {
    const { transport, device, mfaToken, clock } = enrolled();
    const now = device.totp();
    clock.increment(30_000);
    expect(device.totp()).not.toBe(now);
    expect(device.totp({ at: clock.now() - 30_000 })).toBe(now);
    expect((await transport.verifyOtp({ mfaToken: mfaToken(), otp: device.totp() })).ok).toBe(true);
  });

  it("scans automatically, then approves automatically, on the clock", async () => {
    const { tenant, transport, mfaToken, clock } = setup();
    createDevice(tenant, { username: USER, policy: { scanAfterMs: 3_000, answer: "approve", answerAfterMs: 2_000 } });
    const token = mfaToken();
    const { oobCode } = valueOf(await transport.associate({ mfaToken: token }));
    clock.increment(2_999);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode })).code).toBe("authorization_pending");
    clock.increment(1);
    expect((await transport.verifyOob({ mfaToken: token, oobCode })).ok).toBe(true);

    const authenticatorId = tenant.authenticators(USER).find((a) => a.id.startsWith("push|"))?.id ?? "";
    const push = valueOf(await transport.challenge({ mfaToken: token, authenticatorId, challengeType: "oob" }));
    clock.increment(1_999);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode: push.oobCode ?? "" })).code).toBe("authorization_pending");
    clock.increment(1);
    expect((await transport.verifyOob({ mfaToken: token, oobCode: push.oobCode ?? "" })).ok).toBe(true);
  });

  it("acts at the due time even when the tenant is touched much later", async () => {
    const { tenant, transport, mfaToken, clock } = setup({ limits: { mfaTokenLifetimeMs: 60 * 60_000 } });
    const device = createDevice(tenant, { policy: { scanAfterMs: 3_000 } });
    const token = mfaToken();
    const { oobCode } = valueOf(await transport.associate({ mfaToken: token }));
    // Long after the enrollment expired: the scan happened at 3 s, so the poll gets tokens.
    clock.increment(30 * 60_000);
    expect((await transport.verifyOob({ mfaToken: token, oobCode })).ok).toBe(true);
    expect(device.log[0]).toMatchObject({ type: "scanned", at: tenant.now() - 30 * 60_000 + 3_000 });
  });

  it("rejects automatically, and a late scan policy fails quietly into the log", async () => {
    const { tenant, transport, mfaToken, clock } = setup();
    const device = createDevice(tenant, { policy: { scanAfterMs: 6 * 60_000, answer: "reject" } });
    const token = mfaToken();
    await transport.associate({ mfaToken: token });
    clock.increment(7 * 60_000);
    tenant.settle();
    expect(device.log).toMatchObject([{ type: "error", errorCode: "enrollment_transaction_not_found" }]);
    device.enroll(USER);
    const fresh = tenant.mintMfaToken(USER, "app");
    const push = valueOf(
      await transport.challenge({ mfaToken: fresh, authenticatorId: device.accounts[0]?.pushAuthenticatorId ?? "", challengeType: "oob" }),
    );
    expect(problemOf(await transport.verifyOob({ mfaToken: fresh, oobCode: push.oobCode ?? "" })).code).toBe("rejected");
  });

  it("ignores a push, which then expires", async () => {
    const { tenant, transport, mfaToken, clock } = setup({ limits: { mfaTokenLifetimeMs: 10 * 60_000 } });
    const device = createDevice(tenant, { policy: { answer: "ignore" } });
    device.enroll(USER);
    const token = mfaToken();
    const push = valueOf(
      await transport.challenge({ mfaToken: token, authenticatorId: device.accounts[0]?.pushAuthenticatorId ?? "", challengeType: "oob" }),
    );
    expect(device.pending()?.status).toBe("pending");
    clock.increment(5 * 60_000 - 1);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode: push.oobCode ?? "" })).code).toBe("authorization_pending");
    clock.increment(1);
    expect(problemOf(await transport.verifyOob({ mfaToken: token, oobCode: push.oobCode ?? "" })).code).toBe("expired");
    expect(tenant.pushes(USER)[0]?.status).toBe("expired");
  });

  it("a policy set later applies to pending work from its start", async () => {
    const { tenant, transport, mfaToken, clock } = setup();
    const device = createDevice(tenant);
    const token = mfaToken();
    const { oobCode } = valueOf(await transport.associate({ mfaToken: token }));
    clock.increment(10_000);
    device.setPolicy({ scanAfterMs: 3_000 });
    expect((await transport.verifyOob({ mfaToken: token, oobCode })).ok).toBe(true);
  });

  it("refuses to act with nothing to act on", () => {
    const { device } = setup();
    expect(() => device.approve()).toThrow(GuardianError);
    expect(() => device.totp()).toThrow(/no enrolled account/);
    expect(() => device.scan("otpauth://totp/x?enrollment_tx_id=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toThrow(
      /Enrollment transaction not found/,
    );
    expect(() => device.scan("https://example.com")).toThrow(/Not an enrollment/);
  });

  it("scans a bare enrollment_tx_id too", () => {
    const { tenant, device } = setup();
    const association = tenant.guardian.startEnrollment(USER);
    const account = device.scan(association.txId);
    expect(account.username).toBe(USER);
    expect(tenant.user(USER)?.enrolled).toBe(true);
  });
});
