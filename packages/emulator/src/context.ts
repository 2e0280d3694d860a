import type { IncomingMessage } from "node:http";
import type { VirtualTenant } from "@pushflow/tenant";
import type { DeviceRegistry } from "./devices.ts";
import type { FaultStore } from "./faults.ts";
import type { Body } from "./http.ts";
import type { RequestLog, RequestLogEntry } from "./request-log.ts";
import type { TokenSigner } from "./tokens.ts";

/** Everything the routes share: one tenant, its signer, devices, log and faults. */
export interface EmulatorContext {
  readonly tenant: VirtualTenant;
  readonly signer: TokenSigner;
  readonly devices: DeviceRegistry;
  readonly requests: RequestLog;
  readonly faults: FaultStore;
}

/** Hono's environment: per-request variables, and node-server's bindings when served. */
export interface EmulatorEnv {
  Bindings: { readonly incoming?: IncomingMessage };
  Variables: {
    body: Body;
    /** Why the body could not be read, when it could not. */
    bodyError: string | undefined;
    logEntry: RequestLogEntry | undefined;
  };
}
