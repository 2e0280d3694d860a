import type { Problem, Result } from "@pushflow/core";
import { SimulatedClock } from "xstate";
import { createDevice, createTenant, type TenantLimits } from "@pushflow/tenant";
import { createMockTransport } from "../src/index.ts";

export const CLIENT_ID = "app";
export const USER = "ada@example.com";
export const PASSWORD = "correct horse";

/** A tenant on a simulated clock with one public client, one user, a transport and a device. */
export function setup(options: { limits?: Partial<TenantLimits>; start?: number } = {}) {
  const clock = new SimulatedClock();
  clock.set(options.start ?? 1_700_000_000_000);
  const tenant = createTenant({
    clock,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    clients: [{ clientId: CLIENT_ID }, { clientId: "backend", clientSecret: "s3cret" }, { clientId: "no-mfa", mfaGrant: false }],
    users: [{ username: USER, password: PASSWORD }],
  });
  const transport = createMockTransport(tenant, { clientId: CLIENT_ID });
  const device = createDevice(tenant);
  const mfaToken = () => tenant.mintMfaToken(USER, CLIENT_ID);
  return { clock, tenant, transport, device, mfaToken };
}

/** A user enrolled with the device, and a fresh mfa_token. */
export function enrolled(options: Parameters<typeof setup>[0] = {}) {
  const env = setup(options);
  const { recoveryCode } = env.device.enroll(USER);
  return { ...env, recoveryCode: recoveryCode ?? "" };
}

/** The problem of a result, or a failure of the test. */
export function problemOf<T>(result: Result<T>): Problem {
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.value)}`);
  return result.problem;
}

export function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}
