import { PushflowError } from "@pushflow/core";
import { resolveBaseUrl } from "./url.ts";

/** The fetch function ky calls; `globalThis.fetch` fits, and so does a test double. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** The tenant: a host (`tenant.auth0.com`, HTTPS) or a URL (`http://` only for loopback). */
  readonly domain: string;
  /** The application's client id. */
  readonly clientId: string;
  /** The client secret of a confidential client; public clients (browsers, CLIs) send none. */
  readonly clientSecret?: string;
  /** Per request, headers and body together. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Replaces the global fetch (ky's `fetch` option), for tests and odd runtimes. */
  readonly fetch?: FetchFunction;
  /** The wall clock in ms, for `Retry-After` dates and `x-ratelimit-reset`. Default `Date.now`. */
  readonly now?: () => number;
  /** The `audience` the login asks for, unless the login request names one. */
  readonly audience?: string;
  /** The `scope` the login asks for, unless the login request names one. */
  readonly scope?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** ky refuses timeouts above what `setTimeout` can represent. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** The options once checked: what the transport runs on. */
export interface ResolvedOptions {
  readonly baseUrl: URL;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly timeoutMs: number;
  readonly fetch: FetchFunction | undefined;
  readonly now: () => number;
  readonly audience: string | undefined;
  readonly scope: string | undefined;
}

/**
 * Checks the options once, up front, so that a misconfiguration fails at construction rather
 * than as a problem on the first call.
 *
 * @throws PushflowError `bad_input` for unusable options, `insecure_url` for plain HTTP to a
 *   host that is not loopback.
 */
export function resolveOptions(options: FetchTransportOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new PushflowError("bad_input", "createFetchTransport needs an options object");
  }
  if (typeof options.domain !== "string") throw new PushflowError("bad_input", "domain must be a string");
  if (typeof options.clientId !== "string" || options.clientId.trim() === "") {
    throw new PushflowError("bad_input", "clientId is empty: pass the application's client id");
  }
  if (options.clientSecret !== undefined && (typeof options.clientSecret !== "string" || options.clientSecret === "")) {
    throw new PushflowError("bad_input", "clientSecret is empty: leave it out for a public client");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new PushflowError("bad_input", `timeoutMs must be a number of ms between 1 and ${MAX_TIMEOUT_MS}`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new PushflowError("bad_input", "fetch must be a function");
  }
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new PushflowError("bad_input", "now must be a function");
  }
  return {
    baseUrl: resolveBaseUrl(options.domain),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    timeoutMs,
    fetch: options.fetch,
    now: options.now ?? Date.now,
    audience: options.audience,
    scope: options.scope,
  };
}
