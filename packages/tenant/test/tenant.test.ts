import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import { createDevice, createTenant, GuardianError, type TenantLimits, type TenantResult } from "../src/index.ts";

const USER = "ada@example.com";
const PASSWORD = "correct horse";
const CLIENT = { clientId: "app" };

/** A tenant on a simulated clock with one public client, one user and a device, driven through `tenant.api`. */
function setup(limits: Partial<TenantLimits> = {}) {
  const clock = new SimulatedClock();
  clock.set(1_700_000_000_000);
  const tenant = createTenant({ clock, limits, clients: [CLIENT], users: [{ username: USER, password: PASSWORD }] });
  const device = createDevice(tenant);
  return { clock, tenant, device };
}

function valueOf<T>(result: TenantResult<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.failure.code}`);
  return result.value;
}

function failureOf<T>(result: TenantResult<T>) {
  if (result.ok) throw new Error("expected a failure");
  return result.failure;
}

describe("the virtual tenant, through its own API (no face)", () => {
  it("logs in with mfa_required, associates, and hands out the grant once the device scanned", () => {
    const { tenant, device } = setup();
    const login = valueOf(tenant.api.login({ ...CLIENT, username: USER, password: PASSWORD }));
    if (login.type !== "mfa_required") throw new Error("expected mfa_required");
    const association = valueOf(tenant.api.associate({ mfaToken: login.mfaToken }));
    expect(association.recoveryCodes).toHaveLength(1);
    expect(tenant.enrollments(USER).map((e) => e.status)).toEqual(["pending"]);

    const poll = () => tenant.api.verifyOob({ ...CLIENT, mfaToken: login.mfaToken, oobCode: association.oobCode });
    expect(failureOf(poll())).toMatchObject({ code: "authorization_pending", status: 400, error: "authorization_pending" });
    device.scan(association.barcodeUri);
    expect(tenant.enrollments(USER).map((e) => e.status)).toEqual(["confirmed"]);
    expect(valueOf(poll()).method).toBe("push-enrollment");
    // The oob_code is exchanged once.
    expect(failureOf(poll()).code).toBe("invalid_request");
    expect(tenant.user(USER)?.enrolled).toBe(true);
  });

  it("accepts the device's TOTP once, and refuses a wrong one without echoing it", () => {
    const { tenant, device } = setup();
    device.enroll(USER);
    const mfaToken = tenant.mintMfaToken(USER, CLIENT.clientId);
    const otp = device.totp();
    expect(valueOf(tenant.api.verifyOtp({ ...CLIENT, mfaToken, otp })).method).toBe("otp");
    const again = failureOf(tenant.api.verifyOtp({ ...CLIENT, mfaToken: tenant.mintMfaToken(USER, CLIENT.clientId), otp }));
    expect(again).toMatchObject({ code: "invalid_code", status: 403, error: "invalid_grant" });
    expect(again.description).not.toContain(otp);
  });

  // Both faces send the wait as whole seconds (the HTTP face as `Retry-After`): the model words it so.
  it("reports every wait in whole seconds, at least one, rounded up", () => {
    const { clock, tenant, device } = setup({ pollBurst: 1, pollRefillMs: 2_500, pushBurst: 1, pushRefillMs: 1_500 });
    const { account } = device.enroll(USER);
    const mfaToken = tenant.mintMfaToken(USER, CLIENT.clientId);
    const push = valueOf(tenant.api.challenge({ ...CLIENT, mfaToken, authenticatorId: account.pushAuthenticatorId, challengeType: "oob" }));
    if (push.challengeType !== "oob") throw new Error("expected a push");
    const limited = failureOf(tenant.api.challenge({ ...CLIENT, mfaToken, authenticatorId: account.pushAuthenticatorId, challengeType: "oob" }));
    expect(limited).toMatchObject({ code: "rate_limited", status: 429, error: "too_many_requests", retryAfterMs: 2_000 });

    const poll = () => tenant.api.verifyOob({ ...CLIENT, mfaToken, oobCode: push.oobCode });
    expect(failureOf(poll()).code).toBe("authorization_pending");
    expect(failureOf(poll())).toMatchObject({ code: "slow_down", status: 429, retryAfterMs: 3_000 });
    clock.increment(2_200);
    expect(failureOf(poll())).toMatchObject({ code: "slow_down", retryAfterMs: 1_000 });
  });

  it("the device refuses a barcode the tenant never issued with a GuardianError", () => {
    const { device } = setup();
    expect(() => device.scan("otpauth://totp/X:ada?enrollment_tx_id=nope0000000000000000000000000000&base_url=x")).toThrow(GuardianError);
  });
});
