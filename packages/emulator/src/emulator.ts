import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import type { Hono } from "hono";
import type { FlowClock } from "@pushflow/core";
import {
  createTenant,
  type ClientSpec,
  type DevicePolicy,
  type TenantLimits,
  type UserSpec,
  type VirtualDevice,
  type VirtualTenant,
} from "@pushflow/transport-mock";
import { createApp } from "./app.ts";
import { DEFAULT_ALLOWED_ORIGINS, normalizeOrigin } from "./cors.ts";
import type { EmulatorContext, EmulatorEnv } from "./context.ts";
import { DeviceRegistry } from "./devices.ts";
import { FaultStore, type FaultSpec } from "./faults.ts";
import { RequestLog } from "./request-log.ts";
import { applySeed, type SeedInfo } from "./seed.ts";
import { createTokenSigner, type TokenSigner } from "./tokens.ts";

export interface EmulatorOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly hostname?: string;
  /** The tenant's clock (limits, lifetimes, device policy, token times); default `systemClock`. */
  readonly clock?: FlowClock;
  /** Shortened limits for tests (see transport-mock's `TenantLimits`). */
  readonly limits?: Partial<TenantLimits>;
  /** Shown in barcode URIs; default "Pushflow Emulator". */
  readonly tenantName?: string;
  /** Serve an existing tenant instead (then `clock`, `limits` and `tenantName` are its own). */
  readonly tenant?: VirtualTenant;
  /** Add the demo clients and users (`SEED`); default true. */
  readonly seed?: boolean;
  readonly clients?: readonly ClientSpec[];
  readonly users?: readonly UserSpec[];
  /** The policy of every device, e.g. `{ scanAfterMs: 3000, answer: "approve", answerAfterMs: 2000 }`. */
  readonly devicePolicy?: DevicePolicy;
  /** Faults in force from the start. */
  readonly faults?: readonly FaultSpec[];
  /**
   * The browser origins allowed to call the Auth0 routes (CORS, like a client's "Allowed Web
   * Origins"); `"*"` allows any, `[]` none. Default `DEFAULT_ALLOWED_ORIGINS` (Vite's dev and
   * preview servers on localhost and 127.0.0.1).
   */
  readonly allowedOrigins?: readonly string[];
}

/** The emulator without a server: for `app.request()` or your own server. */
export interface Emulator {
  readonly app: Hono<EmulatorEnv>;
  readonly tenant: VirtualTenant;
  readonly signer: TokenSigner;
  readonly devices: DeviceRegistry;
  readonly requests: RequestLog;
  readonly faults: FaultStore;
  /** The seeded clients and users, when seeded. */
  readonly seed: SeedInfo | undefined;
  /** The origins allowed by CORS (normalized: `scheme://host[:port]`, or `*`). */
  readonly allowedOrigins: readonly string[];
  /** The virtual Guardian device of a user (created on demand). */
  device(username: string): VirtualDevice;
  /** The policy of every device, present and future. */
  setDevicePolicy(policy: DevicePolicy | undefined): void;
}

export interface RunningEmulator extends Emulator {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** `<url>/`: the `iss` of its tokens. */
  readonly issuer: string;
  readonly jwksUrl: string;
  close(): Promise<void>;
}

/** Builds the tenant, its signing key, devices and the app. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const tenant =
    options.tenant ??
    createTenant({
      name: options.tenantName ?? "Pushflow Emulator",
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
  for (const client of options.clients ?? []) tenant.addClient(client);
  for (const user of options.users ?? []) tenant.addUser(user);
  const devices = new DeviceRegistry(tenant, options.devicePolicy);
  const seed = options.seed === false ? undefined : applySeed(tenant, devices);
  const faults = new FaultStore();
  for (const fault of options.faults ?? []) faults.add(fault);
  const allowedOrigins = (options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS).map(normalizeOrigin);
  const ctx: EmulatorContext = { tenant, signer: await createTokenSigner(tenant), devices, requests: new RequestLog(), faults };
  return {
    ...ctx,
    app: createApp(ctx, seed ?? null, { allowedOrigins }),
    seed,
    allowedOrigins,
    device: (username) => devices.for(username),
    setDevicePolicy: (policy) => devices.setDefaultPolicy(policy),
  };
}

/** Starts the emulator on a loopback port. The tenant's URLs become the server's. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await createEmulator(options);
  const hostname = options.hostname ?? "127.0.0.1";
  const { server, address } = await new Promise<{ server: ServerType; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: emulator.app.fetch, port: options.port ?? 0, hostname }, (info) => resolve({ server, address: info }));
    server.once("error", reject);
  });
  const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${host}:${address.port}`;
  emulator.tenant.setUrls({ issuer: `${url}/`, guardianBaseUrl: `${url}/appliance-mfa` });
  return {
    ...emulator,
    url,
    port: address.port,
    issuer: `${url}/`,
    jwksUrl: `${url}/.well-known/jwks.json`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        emulator.devices.dispose();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive connections would hold close() open until they time out.
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
