import { PushflowError } from "./errors.ts";
import {
  launchChallenge,
  launchEnrollment,
  type ChallengeHandle,
  type Credentials,
  type EnrollmentHandle,
  type LaunchOptions,
} from "./launch.ts";
import type { ChallengeInput } from "./machines/challenge.types.ts";
import type { EnrollmentInput } from "./machines/enrollment.types.ts";
import type { FlowStore } from "./persistence.ts";
import type { Transport } from "./transport.ts";

/** The options every adapter takes: the same names in Node, the browser and Deno. */
export interface AdapterOptions extends Omit<LaunchOptions<object>, "transport" | "credentials" | "input">, FlowSettings {
  /** `tenant.auth0.com` (HTTPS) or a URL; `http://` only for loopback. Not needed with `transport`. */
  readonly domain?: string;
  readonly clientId?: string;
  /** Confidential clients only; the browser adapter refuses it. */
  readonly clientSecret?: string;
  /** Use this transport instead of HTTP (e.g. the mock transport in tests). */
  readonly transport?: Transport;
  /** The mfa_token from an `mfa_required` answer… */
  readonly mfaToken?: string;
  /** …or a password login that yields one (password-realm grant when `realm` is set). */
  readonly username?: string;
  readonly password?: string;
  readonly realm?: string;
  readonly audience?: string;
  readonly scope?: string;
}

/** What an adapter supplies: its HTTP transport and its runtime defaults (store, signals). */
export interface AdapterRuntime {
  createTransport(options: { domain: string; clientId: string; clientSecret?: string; audience?: string; scope?: string }): Transport;
  defaults?(options: AdapterOptions): Partial<AdapterOptions>;
}

/** The machines' input without the mfa_token: what a caller may set for either flow. */
export type FlowSettings = Omit<EnrollmentInput, "mfaToken"> & Omit<ChallengeInput, "mfaToken">;

/** Their names: what an adapter or a back-end picks out of its own options. */
export const FLOW_INPUT_KEYS = [
  "pollIntervalMs",
  "mfaTokenExpiresAt",
  "maxRetries",
  "enrollmentWindowMs",
  "acknowledgeRecoveryCodes",
  "authenticatorId",
  "timeoutMs",
  "resendCooldownMs",
] as const satisfies readonly (keyof FlowSettings)[];

/** The flow settings among `options`, the unset ones left out. */
export function flowSettingsOf(options: FlowSettings): FlowSettings {
  const settings: Record<string, unknown> = {};
  for (const key of FLOW_INPUT_KEYS) if (options[key] !== undefined) settings[key] = options[key];
  return settings as FlowSettings;
}

/** Turns adapter options into launch options; throws PushflowError (`bad_input`) for missing ones. */
export function toLaunchOptions(options: AdapterOptions, runtime: AdapterRuntime): LaunchOptions<object> {
  const merged = { ...(runtime.defaults?.(options) ?? {}), ...options };
  const transport = merged.transport ?? runtime.createTransport(connection(merged));
  const input = flowSettingsOf(merged);
  const { domain: _d, clientId: _c, clientSecret: _s, transport: _t, mfaToken: _m, username: _u, password: _p, realm: _r, audience: _a, scope: _sc, ...rest } = merged;
  for (const key of FLOW_INPUT_KEYS) delete (rest as Record<string, unknown>)[key];
  const given = credentialsOf(merged);
  if (!given && !merged.store) throw new PushflowError("bad_input", "pass mfaToken, or username and password");
  return { ...rest, transport, ...(given ? { credentials: given } : {}), input };
}

function connection(options: AdapterOptions) {
  if (!options.domain) throw new PushflowError("bad_input", "domain is required (or pass a transport)");
  if (!options.clientId) throw new PushflowError("bad_input", "clientId is required (or pass a transport)");
  return {
    domain: options.domain,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
}

/**
 * The credentials given, if any: a non-empty mfa_token, else a non-empty username and password.
 * Without them, only a flow saved in a store can run.
 */
export function credentialsOf(options: Pick<AdapterOptions, "mfaToken" | "username" | "password" | "realm" | "audience" | "scope">): Credentials | undefined {
  if (typeof options.mfaToken === "string" && options.mfaToken !== "") return { mfaToken: options.mfaToken };
  if (typeof options.username === "string" && options.username !== "" && typeof options.password === "string" && options.password !== "") {
    return {
      username: options.username,
      password: options.password,
      ...(options.realm === undefined ? {} : { realm: options.realm }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    };
  }
  return undefined;
}

/**
 * Where a flow's mfa_token comes from: given, from a password login, or from a flow saved in
 * `store` (resumed without credentials). One of them is required: `challenge({})` does not compile.
 */
export type CredentialsGiven =
  | { readonly mfaToken: string }
  | { readonly username: string; readonly password: string }
  | { readonly store: FlowStore };

/** Builds an adapter's `enroll` and `challenge` from its runtime. */
export function createAdapter(runtime: AdapterRuntime) {
  return {
    enroll: (options: AdapterOptions & CredentialsGiven): EnrollmentHandle => launchEnrollment(toLaunchOptions(options, runtime)),
    challenge: (options: AdapterOptions & CredentialsGiven): ChallengeHandle => launchChallenge(toLaunchOptions(options, runtime)),
  };
}
