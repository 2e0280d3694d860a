import { createServer as createHttpsServer } from "node:https";
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
} from "@pushflow/tenant";
import { createApp } from "./app.ts";
import { DEFAULT_ALLOWED_ORIGINS, normalizeOrigin } from "./cors.ts";
import type { EmulatorContext, EmulatorEnv } from "./context.ts";
import { DeviceRegistry } from "./devices.ts";
import { FaultStore, type FaultSpec } from "./faults.ts";
import { normalizeIssuer } from "./issuer.ts";
import { RequestLog } from "./request-log.ts";
import { applySeed, type SeedInfo } from "./seed.ts";
import { createTlsMaterial, writeCaFile, type CaFile, type TlsMaterial } from "./tls.ts";
import { createTokenSigner, type TokenSigner } from "./tokens.ts";

export interface EmulatorOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly hostname?: string;
  /** The tenant's clock (limits, lifetimes, device policy, token times); default `systemClock`. */
  readonly clock?: FlowClock;
  /** Shortened limits for tests (see @pushflow/tenant's `TenantLimits`). */
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
  /**
   * Serve HTTPS with a certificate for `localhost`, `127.0.0.1` and `::1`, signed by a CA made
   * for this run (its certificate is written to `caFile`). The URL becomes `https://localhost:PORT`.
   */
  readonly tls?: boolean;
  /** Where to write the CA certificate with `tls` (PEM); default a new temporary directory. */
  readonly caFile?: string;
  /**
   * The issuer of the discovery document and of every token (`iss`), under which `jwks_uri` and
   * the endpoints are announced; for an emulator behind a proxy. An `https://` URL (`http://` for
   * a loopback host only); a trailing `/` is added. Default: the URL the emulator serves, plus `/`.
   */
  readonly issuer?: string;
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
  /** `http://127.0.0.1:PORT` (`https://localhost:PORT` with `tls`), without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The `iss` of its tokens and discovery document: the `issuer` option, else `<url>/`. */
  readonly issuer: string;
  /** `<issuer>.well-known/jwks.json`, the discovery document's `jwks_uri`. */
  readonly jwksUrl: string;
  /** With `tls`: the CA certificate (PEM) that verifies the server, and the file it was written to. */
  readonly caCert: string | undefined;
  readonly caCertPath: string | undefined;
  close(): Promise<void>;
}

/** Builds the tenant, its signing key, devices and the app. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const issuer = options.issuer === undefined ? undefined : normalizeIssuer(options.issuer);
  const tenant =
    options.tenant ??
    createTenant({
      name: options.tenantName ?? "Pushflow Emulator",
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
  if (issuer !== undefined) tenant.setUrls({ issuer, guardianBaseUrl: `${issuer}appliance-mfa` });
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

/** The host of the URL clients dial: the certificate's `localhost` for a loopback bind with TLS. */
function urlHost(hostname: string, tls: boolean): string {
  const anyAddress = hostname === "0.0.0.0" || hostname === "::";
  if (tls && (anyAddress || hostname === "127.0.0.1" || hostname === "localhost")) return "localhost";
  if (anyAddress) return "127.0.0.1";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

interface Listening {
  readonly server: ServerType;
  readonly port: number;
  readonly tls: TlsMaterial | undefined;
  readonly caFile: CaFile | undefined;
}

/** Serves `app` over HTTP, or HTTPS with a fresh CA whose certificate is written first. */
async function listen(app: Hono<EmulatorEnv>, options: EmulatorOptions, hostname: string): Promise<Listening> {
  const tls = options.tls === true ? await createTlsMaterial() : undefined;
  const https = tls === undefined ? {} : { createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } };
  const caFile = tls === undefined ? undefined : writeCaFile(tls.caCert, options.caFile);
  try {
    return await new Promise<Listening>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname, ...https }, (info: AddressInfo) =>
        resolve({ server, port: info.port, tls, caFile }),
      );
      server.once("error", reject);
    });
  } catch (error) {
    caFile?.remove();
    throw error;
  }
}

/**
 * Starts the emulator on a loopback port, over HTTPS with `tls`. The tenant's URLs become the
 * server's, or the `issuer` given.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await createEmulator(options);
  const hostname = options.hostname ?? "127.0.0.1";
  const { server, port, tls, caFile } = await listen(emulator.app, options, hostname).catch((error: unknown) => {
    emulator.devices.dispose();
    throw error;
  });
  const url = `${tls === undefined ? "http" : "https"}://${urlHost(hostname, tls !== undefined)}:${port}`;
  if (options.issuer === undefined) emulator.tenant.setUrls({ issuer: `${url}/`, guardianBaseUrl: `${url}/appliance-mfa` });
  const issuer = emulator.tenant.issuer;
  return {
    ...emulator,
    url,
    port,
    issuer,
    jwksUrl: `${issuer}.well-known/jwks.json`,
    caCert: tls?.caCert,
    caCertPath: caFile?.path,
    close: () =>
      new Promise<void>((resolve, reject) => {
        emulator.devices.dispose();
        caFile?.remove();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive connections would hold close() open until they time out.
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
