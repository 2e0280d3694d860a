import { PushflowError, type ErrorCode, type Problem, type Result, type Transport } from "@pushflow/core";
import type { TransportMethod } from "./calls.ts";
import { LABELS } from "./problems.ts";
import { PROBLEM_DEFAULTS, RECOVERY_CODE_REJECTED, SUCCESS_DEFAULTS } from "./script-defaults.ts";

/** The success value of a method (`Tokens` for verifyOob, …). */
export type SuccessOf<M extends TransportMethod> = Awaited<ReturnType<Transport[M]>> extends Result<infer T> ? T : never;
/** The request of a method. */
export type RequestOf<M extends TransportMethod> = Parameters<Transport[M]>[0];

/** A typed step: the object form of the vocabulary. `times` repeats it (default 1). */
export type ScriptObjectStep<M extends TransportMethod> =
  /** Success: a value, or `true` for the method's default value. */
  | { readonly ok: SuccessOf<M> | true; readonly times?: number }
  /** A problem; unspecified fields get the defaults of a real answer for that code. */
  | {
      readonly problem: ErrorCode;
      readonly status?: number;
      readonly error?: string;
      readonly message?: string;
      readonly retryAfterMs?: number;
      readonly mfaToken?: string;
      readonly times?: number;
    }
  /** Never answers until the call's signal aborts (then a `network` problem). */
  | { readonly hang: true; readonly times?: number }
  /** Computes the answer from the request. */
  | {
      readonly answer: (request: RequestOf<M>) => Result<SuccessOf<M>> | Promise<Result<SuccessOf<M>>>;
      readonly times?: number;
    };

/** One step: a string of the vocabulary (see README) or a typed object. */
export type ScriptStep<M extends TransportMethod> = string | ScriptObjectStep<M>;

/**
 * A scenario: the answers of each method, in order. A single string may hold several steps
 * separated by commas: `{ verifyOob: "pending×3, slow_down, approve" }`.
 */
export type Script = { readonly [M in TransportMethod]?: string | ScriptStep<M> | readonly ScriptStep<M>[] };

/** A step after parsing: exactly one answer. */
export type PlannedAnswer<M extends TransportMethod> =
  | { readonly kind: "ok"; readonly value: SuccessOf<M> }
  | { readonly kind: "problem"; readonly problem: Problem }
  | { readonly kind: "hang" }
  | { readonly kind: "compute"; readonly answer: (request: RequestOf<M>) => Result<SuccessOf<M>> | Promise<Result<SuccessOf<M>>> };

/** Words for problem codes besides the codes themselves (hyphens and underscores alike). */
const PROBLEM_ALIASES: Readonly<Record<string, ErrorCode>> = {
  pending: "authorization_pending",
  slow: "slow_down",
  reject: "rejected",
  deny: "rejected",
  denied: "rejected",
  expire: "expired",
  wrong: "invalid_code",
  wrong_code: "invalid_code",
  wrong_password: "invalid_credentials",
  locked: "too_many_attempts",
  locked_out: "too_many_attempts",
  limited: "rate_limited",
  offline: "network",
};

/** Words for the default success value of any method. */
const SUCCESS_WORDS: ReadonlySet<string> = new Set([
  "ok",
  "success",
  "approve",
  "approved",
  "accept",
  "accepted",
  "tokens",
  "done",
  "deleted",
  "sent",
  "enrolled",
]);

const ERROR_CODES = new Set(Object.keys(PROBLEM_DEFAULTS));

/** The code a bare status stands for: 401 an mfa_token problem, 404 an authenticator, 429 a limit, 5xx the server. */
function codeOfStatus(status: number): ErrorCode {
  if (status >= 500) return "server_error";
  if (status === 429) return "rate_limited";
  if (status === 401) return "mfa_token_invalid";
  if (status === 404) return "invalid_authenticator";
  return "invalid_request";
}

/** Numbers default values so that every answer carries distinct codes and tokens. */
export class Counter {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

/** A problem as a real answer of `method` would classify. */
export function scriptedProblem<M extends TransportMethod>(
  method: M,
  code: ErrorCode,
  overrides: { status?: number; error?: string; message?: string; retryAfterMs?: number; mfaToken?: string },
  counter: Counter,
): Problem {
  const defaults = PROBLEM_DEFAULTS[code];
  const status = overrides.status ?? defaults.status;
  const error = overrides.error ?? defaults.error;
  const description = method === "verifyRecoveryCode" && code === "invalid_code" ? RECOVERY_CODE_REJECTED : defaults.description;
  const label = LABELS[method];
  const where = `${label.what} failed: ${label.method} ${label.path} →`;
  const message =
    overrides.message ??
    (status !== undefined && error !== undefined ? `${where} ${status} ${error}: ${description}` : `${where} ${description}`);
  const mfaToken = overrides.mfaToken ?? (code === "mfa_required" ? SUCCESS_DEFAULTS.mfaToken(counter.next()) : undefined);
  return {
    code,
    message,
    ...(status === undefined ? {} : { status }),
    ...(error === undefined ? {} : { error }),
    ...(overrides.retryAfterMs === undefined ? {} : { retryAfterMs: overrides.retryAfterMs }),
    ...(mfaToken === undefined ? {} : { mfaToken }),
  };
}

/** The method's value for a success word (and its variants: `mfa_required` for login, `otp` for challenge…). */
function successOf<M extends TransportMethod>(method: M, word: string, counter: Counter): SuccessOf<M> | undefined {
  const n = counter.next();
  // Each case returns the value of that method; the casts only re-state what `method` proves.
  switch (method) {
    case "login":
      if (word === "mfa_required" || word === "mfa") return SUCCESS_DEFAULTS.login(n) as SuccessOf<M>;
      return SUCCESS_WORDS.has(word) ? (SUCCESS_DEFAULTS.loginTokens(n) as SuccessOf<M>) : undefined;
    case "associate":
      if (word === "no_recovery") return SUCCESS_DEFAULTS.association(n, false) as SuccessOf<M>;
      return SUCCESS_WORDS.has(word) ? (SUCCESS_DEFAULTS.association(n, true) as SuccessOf<M>) : undefined;
    case "listAuthenticators":
      if (word === "empty") return SUCCESS_DEFAULTS.authenticators("empty") as SuccessOf<M>;
      if (word === "inactive") return SUCCESS_DEFAULTS.authenticators("inactive") as SuccessOf<M>;
      return SUCCESS_WORDS.has(word) ? (SUCCESS_DEFAULTS.authenticators("active") as SuccessOf<M>) : undefined;
    case "challenge":
      if (word === "otp") return SUCCESS_DEFAULTS.otpChallenge() as SuccessOf<M>;
      return SUCCESS_WORDS.has(word) || word === "oob" ? (SUCCESS_DEFAULTS.challenge(n) as SuccessOf<M>) : undefined;
    case "verifyRecoveryCode":
      return SUCCESS_WORDS.has(word) ? (SUCCESS_DEFAULTS.recoveryTokens(n) as SuccessOf<M>) : undefined;
    case "deleteAuthenticator":
      return SUCCESS_WORDS.has(word) ? (undefined as SuccessOf<M>) : undefined;
    default:
      return SUCCESS_WORDS.has(word) ? (SUCCESS_DEFAULTS.tokens(n) as SuccessOf<M>) : undefined;
  }
}

function refused(method: string, step: string, why: string): PushflowError {
  return new PushflowError("bad_input", `script step ${JSON.stringify(step)} for ${method}: ${why}`);
}

/**
 * Parses one string step into its answers (several with a repeat):
 * `[status] [word] [retry-after <seconds>] [×N | *N | xN]`, e.g. `pending×3`,
 * `429 retry-after 7`, `slow_down`, `503`, `approve`, `hang`.
 */
export function parseStringStep<M extends TransportMethod>(method: M, text: string, counter: Counter): PlannedAnswer<M>[] {
  let body = text.trim();
  let times = 1;
  const repeat = /\s*(?:×|\*|\bx)\s*(\d+)\s*$/i.exec(body);
  if (repeat !== null) {
    times = Number(repeat[1]);
    body = body.slice(0, repeat.index).trim();
  }
  let status: number | undefined;
  let retryAfterMs: number | undefined;
  let word: string | undefined;
  const tokens = body.replace(/retry[-_]after\s*[=:]?\s*/i, "retry-after ").split(/\s+/).filter((t) => t !== "");
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (/^\d{3}$/.test(token)) {
      if (status !== undefined) throw refused(method, text, "two statuses");
      status = Number(token);
    } else if (token.toLowerCase() === "retry-after") {
      const seconds = tokens[++i];
      if (seconds === undefined || !/^\d+(\.\d+)?$/.test(seconds)) throw refused(method, text, "retry-after needs seconds");
      retryAfterMs = Math.round(Number(seconds) * 1000);
    } else {
      if (word !== undefined) throw refused(method, text, `two answers (${word}, ${token})`);
      word = token.toLowerCase().replace(/-/g, "_");
    }
  }
  if (word === undefined && status === undefined) throw refused(method, text, "empty step");

  const one = (): PlannedAnswer<M> => {
    if (word === "hang") return { kind: "hang" };
    if (word !== undefined && status === undefined && retryAfterMs === undefined) {
      const value = successOf(method, word, counter);
      // `undefined` is the success value of deleteAuthenticator, so check the word, not the value.
      if (value !== undefined || (method === "deleteAuthenticator" && SUCCESS_WORDS.has(word))) {
        return { kind: "ok", value: value as SuccessOf<M> };
      }
    }
    let code: ErrorCode;
    if (word === undefined) code = codeOfStatus(status ?? 500);
    else if (ERROR_CODES.has(word)) code = word as ErrorCode;
    else {
      const alias = PROBLEM_ALIASES[word];
      if (alias === undefined) {
        throw refused(method, text, `unknown word "${word}" (use an ErrorCode, an alias such as pending, or ok)`);
      }
      code = alias;
    }
    const overrides = {
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    return { kind: "problem", problem: scriptedProblem(method, code, overrides, counter) };
  };
  if (!Number.isInteger(times) || times < 1) throw refused(method, text, "repeat count must be ≥ 1");
  return Array.from({ length: times }, one);
}

/** Parses one step of either form into its answers. */
export function parseStep<M extends TransportMethod>(method: M, step: ScriptStep<M>, counter: Counter): PlannedAnswer<M>[] {
  if (typeof step === "string") return parseStringStep(method, step, counter);
  const times = step.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw refused(method, JSON.stringify(step), "times must be ≥ 1");
  const one = (): PlannedAnswer<M> => {
    if ("ok" in step) {
      if (step.ok !== true) return { kind: "ok", value: step.ok };
      const value = successOf(method, "ok", counter);
      return { kind: "ok", value: value as SuccessOf<M> };
    }
    if ("problem" in step) {
      if (!ERROR_CODES.has(step.problem)) throw refused(method, step.problem, "unknown problem code");
      const { problem, times: _times, ...overrides } = step;
      return { kind: "problem", problem: scriptedProblem(method, problem, overrides, counter) };
    }
    if ("hang" in step) return { kind: "hang" };
    return { kind: "compute", answer: step.answer };
  };
  return Array.from({ length: times }, one);
}

/** Splits the comma-separated form and parses every step of a method. */
export function parseSteps<M extends TransportMethod>(
  method: M,
  steps: string | ScriptStep<M> | readonly ScriptStep<M>[],
  counter: Counter,
): PlannedAnswer<M>[] {
  const list: readonly ScriptStep<M>[] = isStepList(steps) ? steps : [steps];
  // A string may hold several comma-separated steps, alone or inside a list.
  const flat: ScriptStep<M>[] = [];
  for (const step of list) {
    if (typeof step === "string") flat.push(...step.split(",").filter((s) => s.trim() !== ""));
    else flat.push(step);
  }
  return flat.flatMap((step) => parseStep(method, step, counter));
}

function isStepList<M extends TransportMethod>(
  steps: string | ScriptStep<M> | readonly ScriptStep<M>[],
): steps is readonly ScriptStep<M>[] {
  return Array.isArray(steps);
}
