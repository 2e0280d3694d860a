import { DEFAULTS, isPushflowError, PushflowError, type FlowKind, type FlowOutput, type FlowRecord, type FlowSettings } from "@pushflow/core";
import { credentialsOf, flowSettingsOf, loginForMfaToken, systemClock, type Credentials } from "@pushflow/core/adapter";
import { createFetchTransport } from "@pushflow/transport-fetch";
import { checkRecord, ENTRY_FORMAT, parseEntry, serializeEntry, type FlowData, type FlowEntry } from "./envelope.ts";
import { parseEvent } from "./events.ts";
import { createSealer } from "./sealer.ts";
import { runStep, type StepReport } from "./step.ts";
import type {
  BusyAnswer,
  DoneAnswer,
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

/**
 * Runs pushflow flows in a request/response back-end whose instances share `store`. Any
 * instance may start a flow and any other advance it. A step is claimed with a lease written by
 * compare-and-set, so two instances never run one flow at once, and an outcome is reported by
 * the one compare-and-set that replaces the flow with its outcome: exactly once.
 */
export function createFlowServer(options: FlowServerOptions): FlowServer {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const transport = options.transport ?? transportFrom(options);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const prefix = options.keyPrefix ?? "pushflow:flow:";
  const leaseMs = duration(options.leaseMs ?? 30_000, "leaseMs", 1);
  const graceMs = duration(options.graceMs ?? 60_000, "graceMs", 0);
  const keepReportedMs = duration(options.keepReportedMs ?? 0, "keepReportedMs", 0);
  const owner = options.instanceId ?? randomId(9);
  const createId = options.createId ?? (() => randomId(16));
  const sealing = createSealer(options.encryptionKey);
  // A bad key is reported by the first call that needs it, not as an unhandled rejection now.
  sealing.catch(() => undefined);

  const step = (kind: FlowKind, from: { input: FlowSettings & { mfaToken: string } } | { record: FlowRecord }, event: FlowServerEvent | undefined, fallbackExpiresAt: number) =>
    runStep({
      kind,
      transport,
      clock,
      warn,
      from,
      fallbackExpiresAt,
      ...(event ? { event } : {}),
      ...(options.random ? { random: options.random } : {}),
    });

  /** The entry of a flow that goes on after `report`. */
  async function entryAfter(key: string, kind: FlowKind, createdAt: number, report: StepReport) {
    const record = report.record!;
    const data: FlowData = { record, view: report.view };
    const expiresAt = record.expiresAt + graceMs;
    const entry: FlowEntry = {
      format: ENTRY_FORMAT,
      kind,
      createdAt,
      expiresAt,
      ...(report.nextDueAt === undefined ? {} : { nextDueAt: report.nextDueAt }),
      data: await (await sealing).seal(JSON.stringify(data), key),
    };
    return { entry, text: serializeEntry(entry), expiresAt };
  }

  function reportedEntry(kind: FlowKind, createdAt: number, output: FlowOutput) {
    const now = clock.now();
    // Without keepReportedMs the entry is deleted right after; its expiry only covers a crash in between.
    const expiresAt = now + (keepReportedMs > 0 ? keepReportedMs : leaseMs);
    const entry: FlowEntry = { format: ENTRY_FORMAT, kind, createdAt, expiresAt, reported: { outcome: output.outcome, reason: output.reason, at: now } };
    return { text: serializeEntry(entry), expiresAt };
  }

  function pending(flowId: string, entry: FlowEntry, view: ServerView, extra: { recoveryCodes?: readonly string[] } = {}): PendingAnswer {
    const now = clock.now();
    const leased = entry.lease !== undefined && entry.lease.until > now;
    const at = leased ? entry.lease!.until : entry.nextDueAt;
    return {
      status: "pending",
      flowId,
      flow: entry.kind,
      view,
      retryAfterMs: at === undefined ? undefined : Math.max(0, at - now),
      ...(extra.recoveryCodes ? { recoveryCodes: extra.recoveryCodes } : {}),
    };
  }

  function busy(flowId: string, entry: FlowEntry, view: ServerView): BusyAnswer {
    return { status: "busy", flowId, flow: entry.kind, view, retryAfterMs: Math.max(0, (entry.lease?.until ?? 0) - clock.now()) };
  }

  const gone = (flowId: string): GoneAnswer => ({ status: "gone", flowId });

  /** Drops a stored flow that cannot be read; it can never be restored. */
  async function discard(flowId: string, key: string, error: unknown): Promise<GoneAnswer> {
    await store.delete(key);
    warn(`pushflow: flow ${flowId}: ${isPushflowError(error) ? error.message : String(error)}; it was discarded`);
    return gone(flowId);
  }

  async function load(flowId: string, key: string) {
    const stored = await store.get(key);
    if (stored === undefined) return undefined;
    try {
      const entry = parseEntry(stored.value);
      const data = entry.data === undefined ? undefined : (JSON.parse(await (await sealing).open(entry.data, key)) as FlowData);
      return { version: stored.version, entry, data };
    } catch (error) {
      const unreadable = error instanceof SyntaxError || (isPushflowError(error) && error.code === "invalid_record");
      if (!unreadable) throw error;
      await discard(flowId, key, error);
      return undefined;
    }
  }

  /** How the flow stands in the store, without running it. */
  async function peek(flowId: string, key: string, event: boolean): Promise<FlowAnswer> {
    const loaded = await load(flowId, key);
    if (loaded === undefined) return gone(flowId);
    const { entry, data } = loaded;
    if (entry.reported) return { status: "reported", flowId, flow: entry.kind, ...entry.reported };
    return event ? busy(flowId, entry, data!.view) : pending(flowId, entry, data!.view);
  }

  async function finish(flowId: string, key: string, kind: FlowKind, createdAt: number, claimed: number, report: StepReport): Promise<FlowAnswer> {
    const output = report.output!;
    const reported = reportedEntry(kind, createdAt, output);
    const won = await store.put(key, reported.text, { expiresAt: reported.expiresAt, expectedVersion: claimed });
    // Our lease ran out and another instance took the flow over: it reports, not us.
    if (won === undefined) return peek(flowId, key, false);
    if (keepReportedMs === 0) await store.delete(key);
    const answer: DoneAnswer = { status: "done", flowId, flow: kind, view: report.view, outcome: output };
    return report.recoveryCodes ? { ...answer, recoveryCodes: report.recoveryCodes } : answer;
  }

  async function start(kind: FlowKind, startOptions: StartOptions): Promise<PendingAnswer | DoneAnswer> {
    if (kind !== "enroll" && kind !== "challenge") throw new PushflowError("bad_input", "kind must be enroll or challenge");
    const { input, credentials } = splitStart(kind, startOptions);
    const flowId = createId();
    if (!FLOW_ID.test(flowId)) throw new PushflowError("bad_input", "createId must make ids of 16 to 128 characters of A-Z a-z 0-9 _ -");
    const key = prefix + flowId;
    let mfaToken: string;
    if ("mfaToken" in credentials) mfaToken = credentials.mfaToken;
    else {
      const login = await loginForMfaToken(transport, credentials);
      if (!login.ok) return { status: "done", flowId, flow: kind, outcome: login.output };
      mfaToken = login.mfaToken;
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
        const reported = reportedEntry(kind, createdAt, report.output);
        await store.put(key, reported.text, { expiresAt: reported.expiresAt, expectedVersion: null });
      }
      return { status: "done", flowId, flow: kind, view: report.view, outcome: report.output, ...codes };
    }
    const next = await entryAfter(key, kind, createdAt, report);
    const version = await store.put(key, next.text, { expiresAt: next.expiresAt, expectedVersion: null });
    if (version === undefined) throw new PushflowError("internal", "a flow with this id exists already (createId must make unique ids)");
    return pending(flowId, next.entry, report.view, codes);
  }

  async function advance(flowId: string, event?: unknown): Promise<FlowAnswer> {
    if (typeof flowId !== "string" || !FLOW_ID.test(flowId)) return gone(flowId);
    const key = prefix + flowId;
    for (let tries = 0; tries < CLAIM_TRIES; tries++) {
      const loaded = await load(flowId, key);
      if (loaded === undefined) return gone(flowId);
      const { entry, data, version } = loaded;
      if (entry.reported) return { status: "reported", flowId, flow: entry.kind, ...entry.reported };
      const parsed = event === undefined ? undefined : parseEvent(entry.kind, event);
      const now = clock.now();
      // Nothing is due and nobody asks for anything: answer from the store, send nothing.
      if (parsed === undefined && (entry.nextDueAt === undefined || now < entry.nextDueAt)) return pending(flowId, entry, data!.view);
      if (entry.lease !== undefined && entry.lease.until > now) return parsed ? busy(flowId, entry, data!.view) : pending(flowId, entry, data!.view);
      // Never shorter than one interval: a poll sent by an instance that died in this step must
      // be one interval old before another instance may send the next.
      const lease = { owner, until: now + Math.max(leaseMs, data!.view.intervalMs) };
      const claimed = await store.put(key, serializeEntry({ ...entry, lease }), { expiresAt: entry.expiresAt, expectedVersion: version });
      if (claimed === undefined) continue;
      return runClaimed(flowId, key, entry, data!, claimed, parsed);
    }
    return peek(flowId, key, event !== undefined);
  }

  async function runClaimed(flowId: string, key: string, entry: FlowEntry, data: FlowData, claimed: number, event: FlowServerEvent | undefined) {
    let report: StepReport;
    try {
      const record = checkRecord(data.record, entry.kind);
      report = await step(entry.kind, { record }, event, data.record.expiresAt);
    } catch (error) {
      if (isPushflowError(error) && error.code === "invalid_record") return discard(flowId, key, error);
      // Hand the flow back now rather than when the lease runs out.
      const { lease: _lease, ...released } = entry;
      await store.put(key, serializeEntry(released), { expiresAt: entry.expiresAt, expectedVersion: claimed }).catch(() => undefined);
      throw error;
    }
    if (report.output) return finish(flowId, key, entry.kind, entry.createdAt, claimed, report);
    const next = await entryAfter(key, entry.kind, entry.createdAt, report);
    const saved = await store.put(key, next.text, { expiresAt: next.expiresAt, expectedVersion: claimed });
    if (saved === undefined) return peek(flowId, key, event !== undefined);
    return pending(flowId, next.entry, report.view);
  }

  return { start, advance, cancel: (flowId) => advance(flowId, { type: "CANCEL" }) };
}

function transportFrom(options: FlowServerOptions) {
  if (!options.domain || !options.clientId) throw new PushflowError("bad_input", "pass a transport, or domain and clientId");
  return createFetchTransport({
    domain: options.domain,
    clientId: options.clientId,
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

function randomId(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
