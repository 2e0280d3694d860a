import { SimulatedClock } from "xstate";
import { MemoryFlowStore, type FlowStore } from "@pushflow/core";
import { createDevice, createTenant } from "@pushflow/tenant";
import { createMockTransport } from "@pushflow/transport-mock";
import { createFlowServer, type FlowServerOptions } from "../src/index.ts";

export const CLIENT = { clientId: "bff", clientSecret: "client-secret-never-stored" };
export const USER = { username: "ada@example.com", password: "ada-password" };

/** A virtual tenant with Ada enrolled on her device, a mock transport, a simulated clock. */
export function world(options: { enrolled?: boolean; devices?: number } = {}) {
  const clock = new SimulatedClock();
  clock.set(1_800_000_000_000);
  const tenant = createTenant({ clock, clients: [CLIENT], users: [USER] });
  const devices = Array.from({ length: options.devices ?? 1 }, (_, i) => createDevice(tenant, { name: `Phone ${i + 1}` }));
  const recoveryCode = options.enrolled === false ? undefined : devices.map((d) => d.enroll(USER.username).recoveryCode)[0];
  const transport = createMockTransport(tenant, CLIENT);
  const store = new MemoryFlowStore(() => clock.now());
  const warnings: string[] = [];
  // Unsealed and unbound unless a test says otherwise: the encryption and binding tests do.
  const server = (extra: Partial<FlowServerOptions> = {}) =>
    createFlowServer({ store, transport, clock, warn: (m) => warnings.push(m), unsealedForDevelopment: true, requireBinding: false, ...extra });
  const mfaToken = () => tenant.mintMfaToken(USER.username, CLIENT.clientId);
  const polls = () => transport.calls.filter((c) => c.method === "verifyOob").length;
  return { clock, tenant, device: devices[0]!, devices, recoveryCode, transport, store, server, mfaToken, polls, warnings };
}

/** Every value a store holds, as text. */
export async function storedTexts(store: FlowStore & { keys(): string[] }): Promise<string[]> {
  const out: string[] = [];
  for (const key of store.keys()) {
    const entry = await store.get(key);
    if (entry) out.push(entry.value);
  }
  return out;
}
