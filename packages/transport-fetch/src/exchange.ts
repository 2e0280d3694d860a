import type { Problem } from "@pushflow/core";
import type { KyInstance, Options } from "ky";
import { isTimeoutError } from "ky";
import { problemMessage, type RequestLabel } from "./message.ts";
import { errorDetail, isAborted, MAX_BODY_BYTES, readBody } from "./read-body.ts";

/** One HTTP request, described without ky or fetch types. */
export interface ExchangeRequest {
  readonly label: RequestLabel;
  readonly url: string;
  /** Sent as `Authorization: Bearer …`; the MFA endpoints that take the token in the body get none. */
  readonly bearer?: string;
  /** Sent as JSON. */
  readonly json?: Readonly<Record<string, unknown>>;
  /** Sent as `application/x-www-form-urlencoded`, as the token endpoint documents. */
  readonly form?: Readonly<Record<string, string>>;
}

/** An answer that arrived in full, or the problem that stopped it. */
export type Exchange =
  | { readonly ok: true; readonly status: number; readonly headers: Headers; readonly text: string }
  | { readonly ok: false; readonly problem: Problem };

/**
 * Sends one request and reads its answer within `timeoutMs` (ky times the headers, `readBody`
 * the rest of the budget). Resolves for every outcome; never throws.
 */
export async function exchange(
  client: KyInstance,
  request: ExchangeRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Exchange> {
  const { label } = request;
  const aborted = (): Exchange => ({ ok: false, problem: { code: "network", message: "aborted" } });
  if (isAborted(signal)) return aborted();

  const headers: Record<string, string> = {};
  if (request.bearer !== undefined) headers["authorization"] = `Bearer ${request.bearer}`;
  const options: Options = {
    method: label.method,
    headers,
    ...(request.json === undefined ? {} : { json: request.json }),
    ...(request.form === undefined ? {} : { body: new URLSearchParams(request.form) }),
    ...(signal === undefined ? {} : { signal }),
  };

  const started = performance.now();
  let response: Response;
  try {
    response = await client(request.url, options);
  } catch (error) {
    if (isAborted(signal)) return aborted();
    if (isTimeoutError(error)) {
      return { ok: false, problem: { code: "timeout", message: problemMessage(label, `no answer within ${timeoutMs} ms`) } };
    }
    return { ok: false, problem: { code: "network", message: problemMessage(label, `network error (${errorDetail(error)})`) } };
  }

  const read = await readBody(response, {
    maxBytes: MAX_BODY_BYTES,
    remainingMs: timeoutMs - (performance.now() - started),
    signal,
  });
  const status = response.status;
  switch (read.kind) {
    case "text":
      return { ok: true, status, headers: response.headers, text: read.text };
    case "aborted":
      return aborted();
    case "timeout":
      return {
        ok: false,
        problem: { code: "timeout", status, message: problemMessage(label, `${status}, but the body did not arrive within ${timeoutMs} ms`) },
      };
    case "network":
      return {
        ok: false,
        problem: { code: "network", status, message: problemMessage(label, `${status}, but the body broke off (${read.detail})`) },
      };
    case "too_large":
      return {
        ok: false,
        problem: {
          code: "invalid_response",
          status,
          message: problemMessage(label, `${status} with a body over 1 MiB (${read.declared ? "by its content-length" : "as read"})`),
        },
      };
  }
}
