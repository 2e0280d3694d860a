import type { ClientSpec, UserSpec, VirtualTenant } from "@pushflow/tenant";
import type { DeviceRegistry } from "./devices.ts";

/** What a fresh emulator holds unless `seed: false`: enough to try every flow from a terminal. */
export const SEED = {
  clients: [
    { clientId: "pushflow-demo", name: "pushflow demo (public)" },
    { clientId: "pushflow-confidential", clientSecret: "pushflow-demo-secret", name: "pushflow demo (confidential)" },
    { clientId: "pushflow-no-mfa", mfaGrant: false, name: "MFA grant disabled" },
  ] satisfies ClientSpec[],
  /** Not enrolled: try the enrollment flow. */
  user: { username: "ada@example.com", password: "ada-password-1" } satisfies UserSpec,
  /** Enrolled with the emulator's device for her: try the challenge flow. */
  enrolledUser: { username: "grace@example.com", password: "grace-password-1" } satisfies UserSpec,
} as const;

export interface SeedInfo {
  readonly clientId: string;
  readonly confidentialClient: { readonly clientId: string; readonly clientSecret: string };
  readonly user: UserSpec;
  readonly enrolledUser: UserSpec & { readonly recoveryCode: string | undefined };
}

/** Adds the seed to the tenant (and enrolls the second user's device). */
export function applySeed(tenant: VirtualTenant, devices: DeviceRegistry): SeedInfo {
  for (const client of SEED.clients) tenant.addClient(client);
  tenant.addUser(SEED.user);
  tenant.addUser(SEED.enrolledUser);
  const { recoveryCode } = devices.for(SEED.enrolledUser.username).enroll(SEED.enrolledUser.username);
  return {
    clientId: "pushflow-demo",
    confidentialClient: { clientId: "pushflow-confidential", clientSecret: "pushflow-demo-secret" },
    user: SEED.user,
    enrolledUser: { ...SEED.enrolledUser, recoveryCode },
  };
}
