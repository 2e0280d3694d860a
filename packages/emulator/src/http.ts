import type { Context } from "hono";
import type { Failure } from "@pushflow/tenant";

/** A request body as the routes read it: form-encoded or JSON, flattened to one object. */
export type Body = Readonly<Record<string, unknown>>;

export type BodyResult = { readonly ok: true; readonly body: Body } | { readonly ok: false; readonly reason: string };

/**
 * Reads form-encoded and JSON bodies (Auth0's token endpoint takes both). A body without a
 * content type is tried as JSON, then as a form: the `/mfa/challenge` docs sample sends none.
 */
export async function readBody(c: Context): Promise<BodyResult> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  const text = await c.req.text();
  if (text.trim() === "") return { ok: true, body: {} };
  if (type.includes("application/x-www-form-urlencoded")) return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { ok: false, reason: "The request body must be a JSON object." };
    }
    return { ok: true, body: parsed as Body };
  } catch {
    if (type === "" && text.includes("=")) return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) };
    return { ok: false, reason: "The request body is not valid JSON." };
  }
}

/** A string field; numbers and booleans are accepted as their text (forms have no types). */
export function field(body: Body, name: string): string | undefined {
  const value = body[name];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A list field: a JSON array of strings, or a space-separated string. */
export function listField(body: Body, name: string): string[] | undefined {
  const value = body[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "string") return value.split(/\s+/).filter((v) => v !== "");
  return undefined;
}

/** An OAuth error answer. */
export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** A tenant refusal as Auth0 sends it: the body, `Retry-After` and the `x-ratelimit-*` headers. */
export function failureResponse(failure: Failure): Response {
  const headers: Record<string, string> = {};
  if (failure.retryAfterMs !== undefined) headers["retry-after"] = String(failure.retryAfterMs / 1000);
  if (failure.rateLimit !== undefined) {
    headers["x-ratelimit-limit"] = String(failure.rateLimit.limit);
    headers["x-ratelimit-remaining"] = String(failure.rateLimit.remaining);
    headers["x-ratelimit-reset"] = String(Math.ceil(failure.rateLimit.resetAt / 1000));
  }
  return oauthError(failure.status, failure.error, failure.description, headers);
}

export function missing(name: string): Response {
  return oauthError(400, "invalid_request", `Missing required parameter: ${name}`);
}

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The token of an `Authorization: Bearer …` header ("" when absent). */
export function bearerOf(c: Context): string {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() ?? "";
}
