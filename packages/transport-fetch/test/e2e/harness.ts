import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { expect } from "vitest";
import type { AdapterOptions, CallOptions, CredentialsGiven, FlowEvents, FlowHandle, FlowOutput, Problem, Result, Transport } from "@pushflow/core";
import { createAdapter, TRANSPORT_METHODS } from "@pushflow/core/adapter";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "@pushflow/emulator";
import { createFetchTransport } from "../../src/index.ts";
import { SteppingClock } from "../stepping-clock.ts";

export { SteppingClock };

/** The seeded clients of the emulator. */
export const PUBLIC_CLIENT = "pushflow-demo";
export const CONFIDENTIAL = { clientId: "pushflow-confidential", clientSecret: "pushflow-demo-secret" } as const;
export const NO_MFA_CLIENT = "pushflow-no-mfa";
/**
 * A login for an API: Auth0 (and the emulator) issue a JWT access token only for an audience
 * (without one it is opaque), and an id_token's `email` only with the `email` scope.
 */
export const API_LOGIN = { audience: "https://api.pushflow.test/", scope: "openid profile email" } as const;

export type SecretKind = "mfa_token" | "oob_code" | "client_secret" | "token" | "recovery_code" | "otp" | "password";

/**
 * Every secret seen in this test file, and every text shown to people or sent as a `state`
 * event: the last test of each file (and every run) checks that none of the first is in the second.
 * One ledger per test file (vitest isolates files).
 */
export class Ledger {
  readonly secrets = new Map<string, SecretKind>();
  readonly exposed: { readonly where: string; readonly text: string }[] = [];

  secret(kind: SecretKind, ...values: readonly (string | undefined)[]): void {
    for (const value of values) if (value !== undefined && value !== "") this.secrets.set(value, kind);
  }

  expose(where: string, value: unknown): void {
    this.exposed.push({ where, text: typeof value === "string" ? value : JSON.stringify(value) });
  }

  kinds(): Set<SecretKind> {
    return new Set(this.secrets.values());
  }

  /** `where: kind` for every secret found in an exposed text. OTPs (6 digits) only match as whole numbers. */
  leaks(): string[] {
    const found: string[] = [];
    for (const [secret, kind] of this.secrets) {
      const digits = /^\d+$/.test(secret);
      for (const { where, text } of this.exposed) {
        const hit = digits ? new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(text) : text.includes(secret);
        if (hit) found.push(`${where}: ${kind}`);
      }
    }
    return found;
  }
}

export const ledger = new Ledger();

export function expectNoLeaks(): void {
  expect(ledger.leaks()).toEqual([]);
}

/** A problem as people may see it: everything but the one field meant to carry a new mfa_token. */
export function exposeProblem(where: string, problem: Problem): void {
  const { mfaToken, ...shown } = problem;
  ledger.secret("mfa_token", mfaToken);
  ledger.expose(where, shown);
}

const REQUEST_SECRETS: Readonly<Record<string, SecretKind>> = {
  mfaToken: "mfa_token",
  oobCode: "oob_code",
  otp: "otp",
  recoveryCode: "recovery_code",
  password: "password",
  accessToken: "token",
};

/** Notes the secrets of a transport answer's value. */
function noteValue(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  const v = value as Record<string, unknown>;
  const text = (key: string) => (typeof v[key] === "string" ? (v[key] as string) : undefined);
  ledger.secret("mfa_token", text("mfaToken"));
  ledger.secret("oob_code", text("oobCode"));
  ledger.secret("token", text("accessToken"), text("idToken"), text("refreshToken"));
  ledger.secret("recovery_code", text("recoveryCode"));
  if (Array.isArray(v.recoveryCodes)) ledger.secret("recovery_code", ...(v.recoveryCodes as string[]));
  if (typeof v.tokens === "object") noteValue(v.tokens);
}

/**
 * Watches a real transport: counts the calls in flight (so a run knows when HTTP has settled)
 * and notes every secret it carries and every problem it answers. It never changes an answer.
 */
export class CallTracker {
  pending = 0;
  readonly problems: { readonly method: string; readonly problem: Problem }[] = [];
  private waiters: (() => void)[] = [];

  wrap(inner: Transport): Transport {
    const wrapped: Partial<Record<keyof Transport, unknown>> = {};
    for (const method of TRANSPORT_METHODS) {
      const call = (inner[method] as (request: object, options?: CallOptions) => Promise<Result<unknown>>).bind(inner);
      wrapped[method] = async (request: object, options?: CallOptions): Promise<Result<unknown>> => {
        for (const [key, value] of Object.entries(request)) {
          const kind = REQUEST_SECRETS[key];
          if (kind !== undefined && typeof value === "string") ledger.secret(kind, value);
        }
        this.pending++;
        try {
          const result = await call(request, options);
          if (result.ok) noteValue(result.value);
          else {
            this.problems.push({ method, problem: result.problem });
            exposeProblem(`${method} problem`, result.problem);
          }
          return result;
        } finally {
          this.pending--;
          if (this.pending === 0) for (const wake of this.waiters.splice(0)) wake();
        }
      };
    }
    return wrapped as Transport;
  }

  /** Resolves once no call is in flight and the answers have been handled (a few quiet macrotasks). */
  async idle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      if (this.pending > 0) {
        quiet = 0;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      } else {
        await new Promise<void>((resolve) => setImmediate(resolve));
        quiet++;
      }
    }
  }
}

/** An emulator and the one simulated clock it shares with the flows run against it. */
export interface World {
  readonly emulator: RunningEmulator;
  readonly clock: SteppingClock;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an emulator on a SteppingClock set to now (so its JWTs carry plausible times). */
export async function openWorld(options: EmulatorOptions = {}): Promise<World> {
  const clock = new SteppingClock();
  clock.set(Date.now());
  const emulator = await startEmulator({ clock, ...options });
  ledger.secret("client_secret", CONFIDENTIAL.clientSecret);
  ledger.secret("password", "ada-password-1", "grace-password-1");
  return { emulator, clock, url: emulator.url, close: () => emulator.close() };
}

let users = 0;

/** A fresh user of the tenant; enrolled with the emulator's device when asked. */
export function newUser(world: World, enrolled: boolean) {
  users++;
  const username = `user-${users}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = `password-${users}-${Math.random().toString(36).slice(2, 10)}`;
  ledger.secret("password", password);
  world.emulator.tenant.addUser({ username, password });
  const device = world.emulator.device(username);
  if (!enrolled) return { username, password, device, pushId: undefined, recoveryCode: undefined };
  const { account, recoveryCode } = device.enroll(username);
  ledger.secret("recovery_code", recoveryCode);
  return { username, password, device, pushId: account.pushAuthenticatorId, recoveryCode };
}

/** The fetch transport against the world's emulator (public client unless told otherwise), watched by a tracker. */
export function fetchTransport(world: World, options: { clientId?: string; clientSecret?: string; timeoutMs?: number } = {}): Transport {
  ledger.secret("client_secret", options.clientSecret);
  const transport = createFetchTransport({
    domain: world.url,
    clientId: options.clientId ?? PUBLIC_CLIENT,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    timeoutMs: options.timeoutMs ?? 5_000,
    now: () => world.clock.now(),
  });
  return new CallTracker().wrap(transport);
}

const jwksCache = new WeakMap<World, ReturnType<typeof createRemoteJWKSet>>();

/** Verifies one of the emulator's RS256 JWTs against its JWKS, fetched over HTTP, at the tenant's time. */
export async function verifyJwt(world: World, token: string, audience?: string): Promise<JWTPayload> {
  let jwks = jwksCache.get(world);
  if (jwks === undefined) {
    jwks = createRemoteJWKSet(new URL(world.emulator.jwksUrl));
    jwksCache.set(world, jwks);
  }
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: world.emulator.issuer,
    algorithms: ["RS256"],
    currentDate: new Date(world.clock.now()),
    ...(audience === undefined ? {} : { audience }),
  });
  expect(protectedHeader.alg).toBe("RS256");
  return payload;
}

type EventName = keyof FlowEvents;
export type Recorded = { [K in EventName]: { readonly name: K; readonly at: number; readonly payload: FlowEvents[K][0] } }[EventName];

export interface RunSetup extends Omit<AdapterOptions, "clock" | "domain" | "clientId"> {
  readonly clientId?: string;
  /** The fetch transport's per-request timeout (not the challenge's `timeoutMs`). */
  readonly requestTimeoutMs?: number;
}

/** A flow over HTTP: the shared adapter API with the real fetch transport, on the world's clock. */
export interface Run {
  readonly handle: FlowHandle<FlowOutput, { type: string; [key: string]: unknown }, unknown>;
  readonly tracker: CallTracker;
  readonly events: Recorded[];
  readonly warnings: string[];
  /** The payloads of one kind of event, in order. */
  of<K extends EventName>(name: K): FlowEvents[K][0][];
  /**
   * Steps the clock from timer to timer, waiting for the real HTTP round trips in between, until
   * the flow ends. `beforeAdvance` runs whenever the flow is idle (no call in flight), before the
   * clock moves: the place for a user's action or for waiting on something real.
   */
  drive(options?: { readonly beforeAdvance?: () => void | Promise<void>; readonly maxSteps?: number }): Promise<FlowOutput>;
}

export function launch(world: World, kind: "enroll" | "challenge", setup: RunSetup): Run {
  const tracker = new CallTracker();
  const warnings: string[] = [];
  const { requestTimeoutMs, clientId, ...options } = setup;
  const adapter = createAdapter({
    createTransport: (connection) =>
      tracker.wrap(
        createFetchTransport({ ...connection, timeoutMs: requestTimeoutMs ?? 5_000, now: () => world.clock.now() }),
      ),
  });
  const adapterOptions: AdapterOptions = {
    random: () => 0,
    warn: (message) => warnings.push(message),
    ...options,
    domain: world.url,
    clientId: clientId ?? PUBLIC_CLIENT,
    clock: world.clock,
  };
  ledger.secret("mfa_token", setup.mfaToken);
  ledger.secret("client_secret", setup.clientSecret);
  ledger.secret("password", setup.password);
  // Runs may leave the credentials out on purpose, to see the flow refuse them at run time.
  const given = adapterOptions as AdapterOptions & CredentialsGiven;
  const handle = (kind === "enroll" ? adapter.enroll(given) : adapter.challenge(given)) as Run["handle"];
  const events: Recorded[] = [];
  const names: EventName[] = ["state", "qr", "recovery-codes", "poll", "backoff", "done"];
  for (const name of names) {
    (handle.events.on as (event: EventName, listener: (payload: unknown) => void) => void)(name, (payload) => {
      events.push({ name, at: world.clock.now(), payload } as Recorded);
      if (name === "recovery-codes") ledger.secret("recovery_code", ...(payload as FlowEvents["recovery-codes"][0]).codes);
      if (name === "state" || name === "poll" || name === "backoff") ledger.expose(`${kind} ${name} event`, payload);
    });
  }
  let finished = false;
  void handle.outcome.then(() => (finished = true));

  const run: Run = {
    handle,
    tracker,
    events,
    warnings,
    of: <K extends EventName>(name: K) => events.filter((e) => e.name === name).map((e) => e.payload) as FlowEvents[K][0][],
    async drive(driveOptions = {}) {
      const maxSteps = driveOptions.maxSteps ?? 400;
      for (let step = 0; step < maxSteps && !finished; step++) {
        await tracker.idle();
        if (finished) break;
        await driveOptions.beforeAdvance?.();
        await tracker.idle();
        if (finished) break;
        const due = world.clock.nextDue();
        if (due === undefined) throw new Error(`the ${kind} flow is stuck in ${JSON.stringify(handle.view())}: no call in flight, no timer`);
        world.clock.set(Math.max(world.clock.now(), due));
      }
      if (!finished) throw new Error(`the ${kind} flow did not end within ${maxSteps} steps`);
      const output = await handle.outcome;
      settleLedger(world, output, warnings);
      expectNoLeaks();
      return output;
    },
  };
  return run;
}

/** After a run: the secrets only the emulator saw (oob_codes of every poll) and what the outcome shows. */
function settleLedger(world: World, output: FlowOutput, warnings: readonly string[]): void {
  for (const entry of world.emulator.requests.entries) ledger.secret("oob_code", entry.oobCode);
  for (const warning of warnings) ledger.expose("warning", warning);
  const { tokens, newRecoveryCode, mfaToken, ...shown } = output as FlowOutput & {
    tokens?: { accessToken: string; idToken?: string; refreshToken?: string };
    newRecoveryCode?: string;
    mfaToken?: string;
  };
  ledger.secret("token", tokens?.accessToken, tokens?.idToken, tokens?.refreshToken);
  ledger.secret("recovery_code", newRecoveryCode);
  ledger.secret("mfa_token", mfaToken);
  ledger.expose(`${output.outcome} outcome (reason, error)`, shown);
}

/** Waits (real time, briefly) until a condition about the real world holds. */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The problem of a failed result (fails the test on a value); every problem is checked for secrets. */
export function problemOf<T>(result: Result<T>): Problem {
  if (result.ok) throw new Error(`expected a problem, got a value: ${Object.keys(result.value ?? {}).join(", ")}`);
  exposeProblem("transport problem", result.problem);
  return result.problem;
}

export function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.problem.code}: ${result.problem.message}`);
  noteValue(result.value);
  return result.value;
}
