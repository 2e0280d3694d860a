import { EventEmitter } from "eventemitter3";
import { systemClock } from "./clock.ts";
import type { DoneEvent, FlowEvents } from "./events.ts";
import { startChallenge, startEnrollment, type ChallengeFlow, type EnrollmentFlow, type Flow, type FlowOptions } from "./flow.ts";
import { isPushflowError, PushflowError, type Problem } from "./errors.ts";
import type { ChallengeEvent, ChallengeInput } from "./machines/challenge.types.ts";
import type { EnrollmentEvent, EnrollmentInput } from "./machines/enrollment.types.ts";
import { REASONS, type ChallengeOutput, type EnrollmentOutput, type FlowOutput } from "./machines/outcomes.ts";
import { parseRecord, serializeRecord, type FlowKind, type FlowRecord, type FlowStore } from "./persistence.ts";
import type { CallOptions, LoginRequest, Transport } from "./transport.ts";
import type { ChallengeView, EnrollmentView } from "./views.ts";

/** How a launched flow gets its mfa_token: given, or from a password login's `mfa_required` answer. */
export type Credentials = { readonly mfaToken: string } | LoginRequest;

/** Everything an adapter passes to launch a flow. */
export interface LaunchOptions<TInput> extends Omit<FlowOptions, "record" | "persist"> {
  /** Optional only with a `store`: then the saved flow is resumed, and there must be one. */
  readonly credentials?: Credentials;
  /** Flow options other than the mfa_token (poll interval, timeout, authenticator id…). */
  readonly input?: Omit<TInput, "mfaToken">;
  /** Where the flow is saved while it can be resumed; a saved flow under `storeKey` is resumed. */
  readonly store?: FlowStore;
  readonly storeKey?: string;
}

/** A launched flow: usable at once, although login and resume happen asynchronously. */
export interface FlowHandle<TOutput extends FlowOutput, TEvent, TView, TFlow extends Flow<TView, TOutput, TEvent> = Flow<TView, TOutput, TEvent>> {
  readonly kind: FlowKind;
  readonly events: EventEmitter<FlowEvents>;
  /** Settles with the outcome; never rejects. */
  readonly outcome: Promise<TOutput>;
  /** Ignored until the flow has started, like any event that does not apply. */
  send(event: TEvent): void;
  cancel(): void;
  view(): TView | undefined;
  /** Resolves once the flow runs (after login / resume), with the flow itself. */
  readonly started: Promise<TFlow | undefined>;
  /** True when a saved flow was resumed instead of starting anew. */
  readonly resumed: Promise<boolean>;
}

export type EnrollmentHandle = FlowHandle<EnrollmentOutput, EnrollmentEvent, EnrollmentView, EnrollmentFlow>;
export type ChallengeHandle = FlowHandle<ChallengeOutput, ChallengeEvent, ChallengeView, ChallengeFlow>;

export function launchEnrollment(options: LaunchOptions<EnrollmentInput>): EnrollmentHandle {
  return launch("enroll", options, (input, flowOptions, events) => startEnrollment(input as EnrollmentInput, flowOptions, events)) as EnrollmentHandle;
}

export function launchChallenge(options: LaunchOptions<ChallengeInput>): ChallengeHandle {
  return launch("challenge", options, (input, flowOptions, events) => startChallenge(input as ChallengeInput, flowOptions, events)) as ChallengeHandle;
}

type AnyFlow = Flow<unknown, FlowOutput, { type: string }>;

function launch<TInput extends object>(
  kind: FlowKind,
  options: LaunchOptions<TInput>,
  start: (input: object, flowOptions: FlowOptions, events: EventEmitter<FlowEvents>) => AnyFlow,
) {
  const events = new EventEmitter<FlowEvents>();
  const clock = options.clock ?? systemClock;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const key = options.storeKey ?? `pushflow:${kind}`;
  let flow: AnyFlow | undefined;
  // Aborted by cancel() or the caller's signal: stops a login in flight, and the flow before it starts.
  const stop = new AbortController();
  const abort = () => stop.abort();
  if (options.signal?.aborted) stop.abort();
  else options.signal?.addEventListener("abort", abort, { once: true });
  let settle: (output: FlowOutput) => void = () => {};
  const outcome = new Promise<FlowOutput>((resolve) => (settle = resolve));
  let markResumed: (value: boolean) => void = () => {};
  const resumed = new Promise<boolean>((resolve) => (markResumed = resolve));

  let ended = false;
  /** `emitDone` is false for a flow that ran: it emitted its own `done` on the same emitter. */
  const end = (output: FlowOutput, emitDone = true) => {
    if (ended) return;
    ended = true;
    options.signal?.removeEventListener("abort", abort);
    if (emitDone) events.emit("done", { type: "done", flow: kind, ...output } as DoneEvent);
    settle(output);
  };

  const run = async (): Promise<AnyFlow | undefined> => {
    const record = await loadRecord();
    markResumed(record !== undefined);
    if (stop.signal.aborted) return endCancelled(record);
    let mfaToken: string | undefined;
    if (!record) {
      const login = await mfaTokenFrom(options, stop.signal);
      // A login cut short by the cancel answers a network failure: the outcome is still `cancelled`.
      if (stop.signal.aborted) return endCancelled(undefined);
      if (!login.ok) {
        end(login.output);
        return undefined;
      }
      mfaToken = login.mfaToken;
    }
    const { credentials: _c, input, store: _s, storeKey: _k, ...rest } = options;
    const flowOptions: FlowOptions = {
      ...rest,
      ...(record ? { record } : {}),
      ...(options.store ? { persist: (saved: FlowRecord | null) => save(saved) } : {}),
    };
    try {
      // The flow emits on the handle's emitter, its `done` included.
      flow = start({ ...(input ?? {}), mfaToken: mfaToken ?? "" }, flowOptions, events);
    } catch (error) {
      if (!isPushflowError(error)) throw error;
      end({ outcome: "failed", reason: error.message, error: error.toProblem() });
      return undefined;
    }
    flow.done.then((output) => end(output, false));
    return flow;
  };
  // A store or transport that throws must still end the flow with an outcome.
  const started = run().catch((error: unknown) => {
    markResumed(false);
    const problem: Problem = { code: "internal", message: `the flow could not start: ${error instanceof Error ? error.message : String(error)}` };
    end({ outcome: "failed", reason: problem.message, error: problem });
    return undefined;
  });

  /** Cancelled before the flow ran: a saved flow goes too, as it does when a running flow is cancelled. */
  async function endCancelled(record: FlowRecord | undefined): Promise<undefined> {
    if (record) await save(null).catch((error: unknown) => warn(`pushflow: deleting the saved flow failed: ${String(error)}`));
    end({ outcome: "cancelled", reason: REASONS.cancelled });
    return undefined;
  }

  /**
   * One owner per saved flow: every save is a compare-and-set on the version this launch last
   * read or wrote (`null`: only if nothing is stored). When another process, tab or worker wrote
   * in between, it owns the flow now: this one saves nothing more, deletes nothing, and stops
   * before its next request (requests wait for their save: see requestGates).
   */
  let owned: number | null = null;
  let taken = false;

  async function loadRecord(): Promise<FlowRecord | undefined> {
    if (!options.store) return undefined;
    const entry = await options.store.get(key);
    if (!entry) return undefined;
    try {
      const record = parseRecord(entry.value, kind, clock.now());
      owned = entry.version;
      return record;
    } catch (error) {
      await options.store.delete(key);
      warn(`pushflow: ${isPushflowError(error) ? error.message : String(error)}`);
      return undefined;
    }
  }

  async function save(record: FlowRecord | null) {
    if (!options.store || taken) return;
    if (record === null) return options.store.delete(key);
    const version = await options.store.put(key, serializeRecord(record), { expiresAt: record.expiresAt, expectedVersion: owned });
    if (version === undefined) {
      taken = true;
      throw new PushflowError("conflict", `the saved flow "${key}" was taken over by another process, tab or worker: this one stops`);
    }
    owned = version;
  }

  return {
    kind,
    events,
    outcome,
    started,
    resumed,
    send: (event: { type: string }) => flow?.send(event),
    cancel: () => {
      stop.abort();
      flow?.cancel();
    },
    view: () => flow?.view(),
  };
}

/** What a login gave: the flow's mfa_token, or the outcome the flow ends with. */
export type LoginResult = { readonly ok: true; readonly mfaToken: string } | { readonly ok: false; readonly output: FlowOutput };

/**
 * A password login whose `mfa_required` answer carries the flow's mfa_token. Any other answer
 * ends the flow before it starts: a login without MFA, a misconfigured or rate-limited client,
 * or a failed login.
 */
export async function loginForMfaToken(transport: Transport, request: LoginRequest, call: CallOptions = {}): Promise<LoginResult> {
  const answer = await transport.login(request, call);
  if (answer.ok) {
    if (answer.value.type === "mfa_required") return { ok: true, mfaToken: answer.value.mfaToken };
    const error: Problem = { code: "invalid_request", message: "the login succeeded without MFA: this user has no MFA requirement" };
    return { ok: false, output: { outcome: "failed", reason: error.message, error } };
  }
  const problem = answer.problem;
  if (problem.code === "misconfigured") return { ok: false, output: { outcome: "misconfigured", reason: problem.message } };
  if (problem.code === "rate_limited") return { ok: false, output: { outcome: "rate_limited", reason: problem.message } };
  // The transports name the call in their messages already ("login failed: …").
  return { ok: false, output: { outcome: "failed", reason: problem.message, error: problem } };
}

async function mfaTokenFrom(options: LaunchOptions<object>, signal: AbortSignal): Promise<LoginResult> {
  const credentials = options.credentials;
  if (credentials === undefined) {
    const error: Problem = { code: "bad_input", message: "there is no saved flow to resume: pass mfaToken, or username and password" };
    return { ok: false, output: { outcome: "failed", reason: error.message, error } };
  }
  if ("mfaToken" in credentials) return { ok: true, mfaToken: credentials.mfaToken };
  return loginForMfaToken(options.transport, credentials, { signal });
}
