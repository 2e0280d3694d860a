import { DEFAULTS, isPushflowError, PushflowError, type FlowKind, type FlowRecord, type FlowSettings } from "@pushflow/core";
import { credentialsOf, flowSettingsOf, loginForMfaToken, systemClock, type Credentials } from "@pushflow/core/adapter";
import { createFetchTransport } from "@pushflow/transport-fetch";
import { checkRecord, ENTRY_FORMAT, parseEntry, serializeEntry, type FlowData, type FlowEntry, type OutcomeData } from "./envelope.ts";
import { parseEvent } from "./events.ts";
import { leasesOn, type ClaimedLease, type Lease } from "./lease.ts";
import { createSealer, SealedWithUnknownKey } from "./sealer.ts";
import { LeaseLapsed, runStep, type StepReport } from "./step.ts";
import type {
  BusyAnswer,
  DoneAnswer,
  FlowAccess,
  FlowAnswer,
  FlowServer,
  FlowServerEvent,
  FlowServerOptions,
  GoneAnswer,
  PendingAnswer,
  ServerView,
  StartOptions,
} from "./types.ts";

const FLOW_ID = /^[A-Za-z0-9_-]{16,128}$/;
/** Tries to claim a flow before answering from what is stored (someone else is on it). */
const CLAIM_TRIES = 3;

interface Loaded {
  readonly version: number;
  readonly entry: FlowEntry;
  readonly lease: Lease | undefined;
  readonly data: FlowData | undefined;
  /** The outcome with its tokens, while its answer window lasts. */
  readonly outcome: OutcomeData | undefined;
}

/** A step's hold on a flow: its fencing token, and until when (server clock) it may send. */
interface Claim {
  readonly token: number;
  readonly sendUntil: number;
  /**
   * Until when (`performance.now()`) a write of the step that the store failed is tried again:
   * leaseMs after it asked for its lease, which lasts one poll interval longer, so nobody else
   * can have claimed the flow meanwhile (and the token fences the write if someone did).
   */
  readonly writeUntil: number;
  /** The last step's lease had lapsed unreleased: it may have sent a poll whose answer was lost. */
  readonly abandoned: boolean;
}

/** A write the store failed is tried again after 100 ms, then twice as long each time, at most 1 s apart. */
const FIRST_WRITE_RETRY_MS = 100;
const LAST_WRITE_RETRY_MS = 1_000;

/**
 * Runs pushflow flows in a request/response back-end whose instances share `store`. Any
 * instance may start a flow and any other advance it. A step is claimed with a lease (judged by
 * the store's clock: Redis `TIME`) and writes fenced by its token, so two instances never run one
 * flow at once; a step sends nothing once its lease may have lapsed. The step that ends a flow
 * commits the outcome, sealed with its tokens, before it answers: every caller within
 * `answerWindowMs` gets it.
 */
export function createFlowServer(options: FlowServerOptions): FlowServer {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const requestTimeoutMs = duration(options.requestTimeoutMs ?? 10_000, "requestTimeoutMs", 1);
  const transport = options.transport ?? transportFrom(options, requestTimeoutMs);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const prefix = options.keyPrefix ?? "pushflow:flow:";
  const leaseMs = duration(options.leaseMs ?? 30_000, "leaseMs", 1);
  if (leaseMs <= requestTimeoutMs) throw new PushflowError("bad_input", `leaseMs (${leaseMs}) must exceed requestTimeoutMs (${requestTimeoutMs}): a step's last call must end within its lease`);
  const graceMs = duration(options.graceMs ?? 60_000, "graceMs", 0);
  const keepReportedMs = duration(options.keepReportedMs ?? 0, "keepReportedMs", 0);
  const answerWindowMs = duration(options.answerWindowMs ?? 60_000, "answerWindowMs", 0);
  const mfaTokenLifetimeMs = duration(options.mfaTokenLifetimeMs ?? 300_000, "mfaTokenLifetimeMs", 1);
  const requireBinding = options.requireBinding ?? true;
  const owner = options.instanceId ?? randomId(9);
  const createId = options.createId ?? (() => randomId(16));
  const keys = options.encryptionKeys ?? [];
  if (keys.length === 0 && options.unsealedForDevelopment !== true) {
    throw new PushflowError("bad_input", "pass encryptionKeys (the flows at rest hold the mfa_token and oob_code), or unsealedForDevelopment: true in development");
  }
  const sealing = createSealer(keys);
  const leases = leasesOn(store, clock);

  const step = (kind: FlowKind, from: { input: FlowSettings & { mfaToken: string } } | { record: FlowRecord }, event: FlowServerEvent | undefined, fallbackExpiresAt: number, mayCall?: () => boolean) =>
    runStep({
      kind,
      transport,
      clock,
      warn,
      from,
      fallbackExpiresAt,
      ...(event ? { event } : {}),
      ...(mayCall ? { mayCall } : {}),
      ...(options.random ? { random: options.random } : {}),
    });

  /** The entry of a flow that goes on after `report`. */
  async function entryAfter(key: string, kind: FlowKind, createdAt: number, binding: string | undefined, report: StepReport) {
    const record = report.record;
    if (record === undefined) throw new PushflowError("internal", "a step that did not end the flow left no record");
    const data: FlowData = { record, view: report.view };
    const expiresAt = record.expiresAt + graceMs;
    const entry: FlowEntry = {
      format: ENTRY_FORMAT,
      kind,
      createdAt,
      expiresAt,
      ...(report.nextDueAt === undefined ? {} : { nextDueAt: report.nextDueAt }),
      ...(binding === undefined ? {} : { binding }),
      data: await (await sealing()).seal(JSON.stringify(data), key),
    };
    return { entry, text: serializeEntry(entry), expiresAt };
  }

  /** The ended flow: its outcome sealed with its tokens for the answer window, then name and reason only. */
  async function outcomeEntry(key: string, kind: FlowKind, createdAt: number, binding: string | undefined, outcome: OutcomeData) {
    const at = clock.now();
    const expiresAt = at + Math.max(answerWindowMs, keepReportedMs, 1);
    const sealed = answerWindowMs > 0 ? { outcome: await (await sealing()).seal(JSON.stringify(outcome), key), answerUntil: at + answerWindowMs } : {};
    const entry: FlowEntry = {
      format: ENTRY_FORMAT,
      kind,
      createdAt,
      expiresAt,
      ...(binding === undefined ? {} : { binding }),
      reported: { outcome: outcome.output.outcome, reason: outcome.output.reason, at },
      ...sealed,
    };
    return { text: serializeEntry(entry), expiresAt };
  }

  function pending(flowId: string, entry: FlowEntry, lease: Lease | undefined, view: ServerView, extra: { recoveryCodes?: readonly string[]; binding?: string } = {}): PendingAnswer {
    const now = clock.now();
    const at = lease !== undefined && lease.until > now ? lease.until : entry.nextDueAt;
    return {
      status: "pending",
      flowId,
      flow: entry.kind,
      view,
      retryAfterMs: at === undefined ? undefined : Math.max(0, at - now),
      ...(extra.recoveryCodes ? { recoveryCodes: extra.recoveryCodes } : {}),
      ...(extra.binding ? { binding: extra.binding } : {}),
    };
  }

  function busy(flowId: string, entry: FlowEntry, lease: Lease | undefined, view: ServerView): BusyAnswer {
    return { status: "busy", flowId, flow: entry.kind, view, retryAfterMs: Math.max(0, (lease?.until ?? 0) - clock.now()) };
  }

  const gone = (flowId: string): GoneAnswer => ({ status: "gone", flowId });

  function done(flowId: string, kind: FlowKind, outcome: OutcomeData): DoneAnswer {
    return {
      status: "done",
      flowId,
      flow: kind,
      ...(outcome.view ? { view: outcome.view } : {}),
      outcome: outcome.output,
      ...(outcome.recoveryCodes ? { recoveryCodes: outcome.recoveryCodes } : {}),
    };
  }

  /** Runs a store call; its failure (Redis down, a timeout) is `server_error`, which apps answer 503. */
  async function stored<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw storeFailed(error);
    }
  }

  /**
   * A write of a step that ran (its save, or its outcome with the tokens): tried again while the
   * store fails (a Redis restart takes about a second) until `claim.writeUntil`, then `server_error`.
   * Safe to repeat: it is fenced by the step's token. Without it, an approval the step had
   * redeemed was lost with the failed write.
   */
  async function fencedWrite(claim: Claim, write: () => Promise<number | undefined>): Promise<number | undefined> {
    for (let waitMs = FIRST_WRITE_RETRY_MS; ; waitMs = Math.min(waitMs * 2, LAST_WRITE_RETRY_MS)) {
      try {
        return await write();
      } catch (error) {
        const leftMs = claim.writeUntil - performance.now();
        if (leftMs <= 0) throw storeFailed(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, leftMs)));
      }
    }
  }

  /** Drops a stored flow that can never be read (corrupt, altered, moved). */
  async function discard(flowId: string, key: string, error: unknown): Promise<undefined> {
    await stored(() => store.delete(key));
    warn(`pushflow: flow ${short(flowId)}: ${isPushflowError(error) ? error.message : String(error)}; it was discarded`);
    return undefined;
  }

  async function load(flowId: string, key: string): Promise<Loaded | undefined> {
    const found = await stored(() => leases.read(key));
    if (found === undefined) return undefined;
    try {
      const entry = parseEntry(found.value);
      const sealer = await sealing();
      const data = entry.data === undefined ? undefined : (JSON.parse(await sealer.open(entry.data, key)) as FlowData);
      const answering = entry.outcome !== undefined && (entry.answerUntil ?? 0) > clock.now();
      const outcome = answering && entry.outcome ? (JSON.parse(await sealer.open(entry.outcome, key)) as OutcomeData) : undefined;
      return { version: found.version, entry, lease: found.lease ?? entry.lease, data, outcome };
    } catch (error) {
      // Another instance may hold the key: leave the flow as it is and say why.
      if (error instanceof SealedWithUnknownKey) {
        warn(`pushflow: flow ${short(flowId)} was left as is: ${error.message}`);
        throw new PushflowError("misconfigured", `this instance cannot open the saved flow: ${error.message}; it was left as is`);
      }
      const unreadable = error instanceof SyntaxError || (isPushflowError(error) && error.code === "invalid_record");
      if (!unreadable) throw error;
      return discard(flowId, key, error);
    }
  }

  /** How the flow stands in the store, without running it. */
  async function peek(flowId: string, key: string, event: boolean): Promise<FlowAnswer> {
    const loaded = await load(flowId, key);
    if (loaded === undefined) return gone(flowId);
    return fromStore(flowId, loaded, event);
  }

  function fromStore(flowId: string, { entry, data, outcome, lease }: Loaded, event: boolean): FlowAnswer {
    if (outcome) return done(flowId, entry.kind, outcome);
    if (entry.reported) return { status: "reported", flowId, flow: entry.kind, ...entry.reported };
    if (data === undefined) return gone(flowId);
    return event ? busy(flowId, entry, lease, data.view) : pending(flowId, entry, lease, data.view);
  }

  async function start(kind: FlowKind, startOptions: StartOptions): Promise<PendingAnswer | DoneAnswer> {
    if (kind !== "enroll" && kind !== "challenge") throw new PushflowError("bad_input", "kind must be enroll or challenge");
    const { input: given, credentials } = splitStart(kind, startOptions);
    const flowId = createId();
    if (!FLOW_ID.test(flowId)) throw new PushflowError("bad_input", "createId must make ids of 16 to 128 characters of A-Z a-z 0-9 _ -");
    const key = prefix + flowId;
    let mfaToken: string;
    let input = given;
    if ("mfaToken" in credentials) mfaToken = credentials.mfaToken;
    else {
      // Counted from before the login: the token can only be younger than that.
      const loginAt = clock.now();
      const login = await loginForMfaToken(transport, credentials);
      if (!login.ok) return { status: "done", flowId, flow: kind, outcome: login.output };
      mfaToken = login.mfaToken;
      input = { ...input, mfaTokenExpiresAt: input.mfaTokenExpiresAt ?? loginAt + mfaTokenLifetimeMs };
    }
    const createdAt = clock.now();
    // Until the flow has a deadline (the QR, the first push), its record expires one window after
    // the start, or with the mfa_token when that is sooner (docs/server.md, "States before the push").
    const windowMs = kind === "enroll" ? (input.enrollmentWindowMs ?? DEFAULTS.enrollmentWindowMs) : (input.timeoutMs ?? DEFAULTS.challengeTimeoutMs);
    const fallbackExpiresAt = Math.min(createdAt + windowMs, input.mfaTokenExpiresAt ?? Number.POSITIVE_INFINITY);
    const report = await step(kind, { input: { ...input, mfaToken } }, undefined, fallbackExpiresAt);
    const codes = report.recoveryCodes ? { recoveryCodes: report.recoveryCodes } : {};
    if (report.output) {
      if (keepReportedMs > 0) {
        const ended = await outcomeEntry(key, kind, createdAt, undefined, { output: report.output });
        await stored(() => store.put(key, ended.text, { expiresAt: ended.expiresAt, expectedVersion: null }));
      }
      return { status: "done", flowId, flow: kind, view: report.view, outcome: report.output, ...codes };
    }
    const binding = randomId(16);
    const next = await entryAfter(key, kind, createdAt, await hashOf(binding), report);
    const version = await stored(() => store.put(key, next.text, { expiresAt: next.expiresAt, expectedVersion: null }));
    if (version === undefined) throw new PushflowError("internal", "a flow with this id exists already (createId must make unique ids)");
    return pending(flowId, next.entry, undefined, report.view, { ...codes, binding });
  }

  async function advance(flowId: string, event?: unknown, access: FlowAccess = {}): Promise<FlowAnswer> {
    if (typeof flowId !== "string" || !FLOW_ID.test(flowId)) return gone(flowId);
    const key = prefix + flowId;
    for (let tries = 0; tries < CLAIM_TRIES; tries++) {
      const loaded = await load(flowId, key);
      if (loaded === undefined) return gone(flowId);
      const { entry, data, version, lease } = loaded;
      // Another browser (a stolen flow id): as if there were no such flow.
      if (requireBinding && entry.binding !== undefined && (access.binding === undefined || (await hashOf(access.binding)) !== entry.binding)) return gone(flowId);
      if (entry.reported || data === undefined) return fromStore(flowId, loaded, false);
      const parsed = event === undefined ? undefined : parseEvent(entry.kind, event);
      const now = clock.now();
      // Nothing is due and nobody asks for anything: answer from the store, send nothing.
      if (parsed === undefined && (entry.nextDueAt === undefined || now < entry.nextDueAt)) return pending(flowId, entry, lease, data.view);
      if (lease !== undefined && lease.until > now) return fromStore(flowId, loaded, parsed !== undefined);
      // The step may start calls until leaseMs - requestTimeoutMs after it asked, so they have all
      // ended by leaseMs; the lease lasts one poll interval more, so a poll sent by a step that
      // then died is one interval old before another step may send.
      const asked = clock.now();
      const askedAt = performance.now();
      const taken: ClaimedLease | undefined = await stored(() =>
        leases.claim(key, version, owner, leaseMs + data.view.intervalMs, (l) => serializeEntry({ ...entry, lease: l }), entry.expiresAt),
      );
      if (taken === undefined) continue;
      const claim = { token: taken.token, sendUntil: asked + leaseMs - requestTimeoutMs, writeUntil: askedAt + leaseMs, abandoned: lease !== undefined };
      return runClaimed(flowId, key, loaded, data, claim, parsed);
    }
    return peek(flowId, key, event !== undefined);
  }

  async function runClaimed(flowId: string, key: string, { entry }: Loaded, data: FlowData, claim: Claim, event: FlowServerEvent | undefined): Promise<FlowAnswer> {
    let report: StepReport;
    try {
      const record = checkRecord(data.record, entry.kind);
      report = await step(entry.kind, { record: claim.abandoned ? lastAnswerLost(record) : record }, event, data.record.expiresAt, () => clock.now() < claim.sendUntil);
    } catch (error) {
      if (isPushflowError(error) && error.code === "invalid_record") return (await discard(flowId, key, error)) ?? gone(flowId);
      // Hand the flow back now rather than when the lease runs out, unless this step sent a
      // request (the lease keeps the next one an interval away) or took over an abandoned step
      // (its lapsed lease must stay for the next step to see: a poll of it may have been answered).
      if (!claim.abandoned && (!(error instanceof LeaseLapsed) || error.sent === 0)) {
        const { lease: _lease, ...released } = entry;
        await leases.release(key, claim.token, serializeEntry(released), entry.expiresAt).catch(() => undefined);
      }
      if (error instanceof LeaseLapsed) return peek(flowId, key, event !== undefined);
      throw error;
    }
    if (report.output) {
      const ended = await outcomeEntry(key, entry.kind, entry.createdAt, entry.binding, {
        output: report.output,
        view: report.view,
        ...(report.recoveryCodes ? { recoveryCodes: report.recoveryCodes } : {}),
      });
      // Committed before anyone is told: a caller that loses this answer asks again and gets it.
      const won = await fencedWrite(claim, () => store.put(key, ended.text, { expiresAt: ended.expiresAt, expectedVersion: claim.token }));
      if (won === undefined) return peek(flowId, key, false);
      return done(flowId, entry.kind, { output: report.output, view: report.view, ...(report.recoveryCodes ? { recoveryCodes: report.recoveryCodes } : {}) });
    }
    const next = await entryAfter(key, entry.kind, entry.createdAt, entry.binding, report);
    const saved = await fencedWrite(claim, () => store.put(key, next.text, { expiresAt: next.expiresAt, expectedVersion: claim.token }));
    if (saved === undefined) return peek(flowId, key, event !== undefined);
    return pending(flowId, next.entry, undefined, report.view);
  }

  return { start, advance, cancel: (flowId, access) => advance(flowId, { type: "CANCEL" }, access) };
}

/**
 * The record as core would have it had the last poll's answer been lost in transit (a step cut
 * off after sending): core resumes it with its lost-answer flag set (`answerLost`, kept through
 * slow_down and 429 answers until a pending answer or a new push), so a poll refused as invalid
 * later ends the flow with core's words for a lost approval (`isAnswerLost`) instead of a bare
 * "Invalid oob_code".
 */
function lastAnswerLost(record: FlowRecord): FlowRecord {
  const context = record.context;
  if (context === null || typeof context !== "object") return record;
  return { ...record, context: { ...context, lastWait: "network" } };
}

function transportFrom(options: FlowServerOptions, timeoutMs: number) {
  if (!options.domain || !options.clientId) throw new PushflowError("bad_input", "pass a transport, or domain and clientId");
  return createFetchTransport({
    domain: options.domain,
    clientId: options.clientId,
    timeoutMs,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
  });
}

function splitStart(kind: FlowKind, options: StartOptions): { input: FlowSettings; credentials: Credentials } {
  const credentials = credentialsOf(options);
  if (!credentials) throw new PushflowError("bad_input", "pass mfaToken, or username and password");
  const input = flowSettingsOf(options);
  // A first enrollment's recovery codes go out in the start answer, once, and a flow that holds
  // tokens is never stored: core counts them acknowledged as it emits them (`auto`).
  if (input.acknowledgeRecoveryCodes !== undefined && input.acknowledgeRecoveryCodes !== "auto") {
    throw new PushflowError("bad_input", 'acknowledgeRecoveryCodes must be "auto" on the server: the recovery codes are in the start answer, once');
  }
  return { input: kind === "enroll" ? { ...input, acknowledgeRecoveryCodes: "auto" } : input, credentials };
}

function duration(value: number, name: string, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new PushflowError("bad_input", `${name} must be a number of ms ≥ ${min}`);
  return value;
}

function storeFailed(error: unknown): PushflowError {
  return new PushflowError("server_error", `the flow store failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function short(flowId: string): string {
  return `${flowId.slice(0, 6)}…`;
}

async function hashOf(secret: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))));
}

function randomId(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(raw: Uint8Array): string {
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
