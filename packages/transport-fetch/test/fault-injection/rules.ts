import type { FlowOutput } from "@pushflow/core";
import type { HandedOut } from "./hostile-answers.ts";
import type { FlowSide } from "./hostile-server.ts";
import type { WatchedCall } from "./watched-transport.ts";

/** The polling rules of DESIGN.md. */
const SLOW_DOWN_STEP_MS = 5_000;
/** The least backoff after a first failure: half of the 1 s base. */
const LEAST_BACKOFF_MS = 500;
/** How late an outcome may come after the deadline, on the flow clock. */
export const GRACE_MS = 1_000;

/** What one flow did, as the suite saw it from both ends. */
export interface FlowTrace {
  readonly pollIntervalMs: number;
  readonly deadlineAt: number;
  readonly mfaToken: string;
  readonly output: FlowOutput | undefined;
  readonly endedAt: number | undefined;
  readonly maxInFlight: number;
  readonly calls: readonly WatchedCall[];
  readonly server: FlowSide;
  /** Every event emitted, state view and saved record, by where it was seen. */
  readonly exposed: readonly { readonly where: string; readonly value: unknown }[];
  readonly errors: readonly string[];
}

/** Every rule the flow broke, in words; empty when it survived. */
export function violations(trace: FlowTrace): string[] {
  const found = [...trace.errors];
  if (trace.output === undefined || trace.endedAt === undefined) found.push("no outcome");
  else if (trace.endedAt > trace.deadlineAt + GRACE_MS) found.push(`outcome ${trace.output.outcome} at ${trace.endedAt}, deadline ${trace.deadlineAt}`);
  if (trace.output?.outcome === "failed" && trace.output.error.code === "internal") found.push(`internal failure: ${trace.output.reason}`);
  if (trace.maxInFlight > 1) found.push(`${trace.maxInFlight} requests in flight at once`);
  found.push(...unexpectedRequests(trace), ...pollTooSoon(trace), ...retryTooSoon(trace.calls), ...leaks(trace));
  return found;
}

/** The server's name for the route of each transport call. */
export const ROUTE_OF: Readonly<Record<string, string>> = { associate: "associate", listAuthenticators: "authenticators", challenge: "challenge", verifyOob: "oob-grant" };

/**
 * The server saw no request the flow did not send, nor one at another time: every request that
 * arrived while the flow waited for it (the flow clock stands still then) matches a call of the
 * flow at that time. One that arrived after the flow gave up on it (a timeout) arrives late by
 * nature, and is left out.
 */
function unexpectedRequests(trace: FlowTrace): string[] {
  const sent = new Set(trace.calls.map((c) => `${ROUTE_OF[c.method] ?? "other"}@${c.at}`));
  return trace.server.received.filter((r) => !r.late && !sent.has(`${r.route}@${r.at}`)).map((r) => `the server got ${r.route} at ${r.at}, which the flow did not send then`);
}

/**
 * No poll sooner than the current interval after the previous one (slow_down grows it by 5 s for
 * good), nor than a 429's or slow_down's Retry-After; the first one interval after the push or
 * association. Times are when each poll went out (the server gets it then: the flow clock stands
 * still while a request is in flight); answers are what the flow got.
 */
function pollTooSoon(trace: FlowTrace): string[] {
  const polls = trace.calls.filter((c) => c.method === "verifyOob");
  const started = trace.calls.find((c) => (c.method === "challenge" || c.method === "associate") && c.answered && c.problem === undefined);
  if (polls.length === 0) return [];
  if (started === undefined) return ["a poll before any push or association"];
  let intervalMs = trace.pollIntervalMs;
  let earliest = started.at + intervalMs;
  const found: string[] = [];
  for (const [i, poll] of polls.entries()) {
    if (poll.at < earliest) found.push(`poll ${i + 1} at ${poll.at}, not before ${earliest}`);
    const problem = poll.problem;
    if (problem?.code === "slow_down") intervalMs += SLOW_DOWN_STEP_MS;
    const asked = problem?.code === "slow_down" || problem?.code === "rate_limited" ? (problem.retryAfterMs ?? 0) : 0;
    earliest = poll.at + Math.max(intervalMs, asked);
  }
  return found;
}

/** A failed one-shot call (list, challenge, associate) is tried again no sooner than the backoff or the server's wait. */
function retryTooSoon(calls: readonly WatchedCall[]): string[] {
  const found: string[] = [];
  const oneShot = calls.filter((c) => c.method === "listAuthenticators" || c.method === "challenge" || c.method === "associate");
  for (let i = 1; i < oneShot.length; i++) {
    const previous = oneShot[i - 1];
    const call = oneShot[i];
    if (!previous?.problem || !call || previous.method !== call.method) continue;
    const earliest = previous.at + Math.max(LEAST_BACKOFF_MS, previous.problem.retryAfterMs ?? 0);
    if (call.at < earliest) found.push(`${call.method} retried at ${call.at}, not before ${earliest}`);
  }
  return found;
}

/** The fields of an outcome that carry secrets by design: the tokens, a new recovery code, a new mfa_token. */
const OUTCOME_SECRETS = ["tokens", "newRecoveryCode", "mfaToken"];

/**
 * No secret the server handed out (oob_codes, tokens, a new mfa_token, recovery codes) nor the
 * flow's mfa_token in any event, view, record or reason, but where they belong: the `done`
 * outcome's tokens, the `recovery-codes` event, and in a record the mfa_token and oob_code it
 * needs to resume (DESIGN.md, Persistence).
 */
function leaks(trace: FlowTrace): string[] {
  const handed: HandedOut = trace.server.handed;
  const found: string[] = [];
  for (const { where, value } of trace.exposed) {
    const allowed = new Set<string>();
    let shown = value;
    if (where === "recovery-codes") handed.recoveryCodes.forEach((c) => allowed.add(c));
    if (where === "record") [trace.mfaToken, ...handed.oobCodes].forEach((s) => allowed.add(s));
    if ((where === "done" || where === "outcome") && value !== null && typeof value === "object") {
      shown = Object.fromEntries(Object.entries(value).filter(([key]) => !OUTCOME_SECRETS.includes(key)));
    }
    const text = JSON.stringify(shown) ?? "";
    for (const secret of [trace.mfaToken, ...handed.oobCodes, ...handed.tokens, ...handed.recoveryCodes]) {
      if (!allowed.has(secret) && text.includes(secret)) found.push(`a secret (${secret.split("-")[0]}…) in ${where}: ${text.replaceAll(secret, "<SECRET>").slice(0, 300)}`);
    }
  }
  return found;
}
