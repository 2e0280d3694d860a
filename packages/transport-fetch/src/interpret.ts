import type { ErrorCode, Problem, Result } from "@pushflow/core";
import * as v from "valibot";
import { type CallKind, classifyOAuthError, classifyStatus } from "./classify.ts";
import { problemMessage, type RequestLabel, serverText } from "./message.ts";
import { rateLimitResetMs, retryAfterMs } from "./retry-after.ts";
import { describeIssues } from "./schemas/issues.ts";
import { type OAuthError, OAuthErrorSchema } from "./schemas/oauth-error.ts";

/** How a call reads a 2xx answer. */
export type SuccessSpec<T> =
  /** No body expected (`DELETE` → 204): every 2xx is the value. */
  | { readonly kind: "empty"; readonly value: T }
  /** A JSON body, validated and mapped to the core type (build it with {@link jsonBody}). */
  | { readonly kind: "json"; readonly parse: (json: unknown) => Parsed<T> };

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A success read from JSON: validated with `schema`, then mapped to the core type. */
export function jsonBody<S extends v.GenericSchema, T>(schema: S, map: (output: v.InferOutput<S>) => T): SuccessSpec<T> {
  return {
    kind: "json",
    parse: (json) => {
      const parsed = v.safeParse(schema, json);
      return parsed.success ? { ok: true, value: map(parsed.output) } : { ok: false, reason: describeIssues(parsed.issues) };
    },
  };
}

/** What the interpreter needs to know about the call besides the answer. */
export interface AnswerContext<T> {
  readonly call: CallKind;
  readonly label: RequestLabel;
  readonly now: () => number;
  readonly success: SuccessSpec<T>;
  /** Turns an error answer into a success (login's `mfa_required`); undefined to classify it. */
  readonly acceptError?: (error: OAuthError) => T | undefined;
}

/** A complete answer: status, headers and the body text. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * Turns an answer into a result: the validated value, or a problem classified by the `error`
 * field. Every path ends in a value; nothing here throws on server input.
 */
export function interpretAnswer<T>(context: AnswerContext<T>, answer: Answer): Result<T> {
  const { status, text } = answer;
  const is2xx = status >= 200 && status <= 299;
  if (is2xx && context.success.kind === "empty") return { ok: true, value: context.success.value };

  const json = parseJson(text);
  if (json === undefined) return notJson(context, answer);

  let successIssue: string | undefined;
  if (is2xx && context.success.kind === "json") {
    const parsed = context.success.parse(json.value);
    if (parsed.ok) return parsed;
    successIssue = parsed.reason;
  }

  // Auth0 sends errors with 4xx, but old docs show `authorization_pending` with 200: the
  // `error` field decides, whatever the status.
  const error = v.safeParse(OAuthErrorSchema, json.value);
  if (error.success) {
    const accepted = context.acceptError?.(error.output);
    if (accepted !== undefined) return { ok: true, value: accepted };
    return { ok: false, problem: fromOAuthError(context, answer, error.output) };
  }
  if (successIssue !== undefined) return invalid(context, status, `with an invalid body: ${successIssue}`);
  const byStatus = classifyStatus(status);
  if (byStatus !== undefined) return fail(context, answer, byStatus, `${status} without an error field`);
  return invalid(context, status, `with an unexpected body: ${describeIssues(error.issues)}`);
}

function fromOAuthError<T>(context: AnswerContext<T>, answer: Answer, body: OAuthError): Problem {
  const { label } = context;
  const description = body.error_description ?? "";
  const code = classifyOAuthError(context.call, answer.status, body.error, description);
  const newMfaToken = body.mfa_token ?? undefined;
  // The new token is a secret too: keep it out of everything but its own field.
  const secrets = newMfaToken === undefined ? label.secrets : [...label.secrets, newMfaToken];
  const errorText = serverText(body.error, secrets);
  const descriptionText = serverText(description, secrets);
  const detail = `${answer.status} ${errorText}${descriptionText === "" ? "" : `: ${descriptionText}`}`;
  const message = problemMessage({ ...label, secrets }, detail);
  if (code === "mfa_required" && (newMfaToken === undefined || newMfaToken === "")) {
    return {
      code: "invalid_response",
      status: answer.status,
      error: errorText,
      message: problemMessage(label, `${detail} (an mfa_required answer without an mfa_token)`),
    };
  }
  const wait = waitFor(code, answer, context.now);
  return {
    code,
    message,
    status: answer.status,
    error: errorText,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    ...(code === "mfa_required" && newMfaToken !== undefined ? { mfaToken: newMfaToken } : {}),
  };
}

/** Retry-After for any answer that sends it; a rate limit also falls back on x-ratelimit-reset. */
function waitFor(code: ErrorCode, answer: Answer, now: () => number): number | undefined {
  const at = now();
  const retryAfter = retryAfterMs(answer.headers, at);
  if (retryAfter !== undefined || code !== "rate_limited") return retryAfter;
  return rateLimitResetMs(answer.headers, at);
}

function notJson<T>(context: AnswerContext<T>, answer: Answer): Result<T> {
  const { status } = answer;
  const contentType = serverText(answer.headers.get("content-type") ?? "no content-type", context.label.secrets);
  const what =
    status === 0
      ? "an opaque redirect, which is not followed"
      : answer.text.trim() === ""
        ? "an empty body"
        : `a body that is not JSON (${contentType.slice(0, 60)})`;
  const byStatus = classifyStatus(status);
  if (byStatus !== undefined) return fail(context, answer, byStatus, `${status} with ${what}`);
  return invalid(context, status, `with ${what}`);
}

function fail<T>(context: AnswerContext<T>, answer: Answer, code: ErrorCode, detail: string): Result<T> {
  const wait = waitFor(code, answer, context.now);
  return {
    ok: false,
    problem: {
      code,
      status: answer.status,
      message: problemMessage(context.label, detail),
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    },
  };
}

function invalid<T>(context: AnswerContext<T>, status: number, detail: string): Result<T> {
  return { ok: false, problem: { code: "invalid_response", status, message: problemMessage(context.label, `${status} ${detail}`) } };
}

function parseJson(text: string): { readonly value: unknown } | undefined {
  if (text.trim() === "") return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
