/** The largest answer we read: Auth0's answers are a few kB; anything near this is not Auth0. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How reading a body ended. Never thrown: every way out is a value. */
export type BodyRead =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "too_large"; readonly declared: boolean }
  | { readonly kind: "timeout" }
  | { readonly kind: "aborted" }
  | { readonly kind: "network"; readonly detail: string };

export interface ReadBodyOptions {
  /** Bytes above this are refused (checked on content-length and on the bytes read). */
  readonly maxBytes: number;
  /** The time left for the whole call; the body must arrive within it. */
  readonly remainingMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads a response body as UTF-8 text, with a cap and a deadline. ky's timeout stops at the
 * headers, and `response.text()` buffers without limit, so the stream is read by hand here.
 */
export async function readBody(response: Response, options: ReadBodyOptions): Promise<BodyRead> {
  const body = response.body;
  const declared = response.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > options.maxBytes) {
    cancelQuietly(body);
    return { kind: "too_large", declared: true };
  }
  if (body === null) return { kind: "text", text: "" };
  if (isAborted(options.signal)) {
    cancelQuietly(body);
    return { kind: "aborted" };
  }

  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let settle: (read: BodyRead) => void = () => undefined;
  // Resolves when the deadline passes or the caller aborts, whichever comes first.
  const interrupted = new Promise<BodyRead>((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => settle({ kind: "timeout" }), Math.max(0, options.remainingMs));
  const onAbort = (): void => settle({ kind: "aborted" });
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    for (;;) {
      const next = await Promise.race([reader.read().then(
        (chunk) => ({ kind: "chunk" as const, chunk }),
        (error: unknown) => ({ kind: "failed" as const, error }),
      ), interrupted]);
      if (next.kind === "chunk") {
        if (next.chunk.done) break;
        total += next.chunk.value.byteLength;
        if (total > options.maxBytes) {
          cancelReader(reader);
          return { kind: "too_large", declared: false };
        }
        chunks.push(next.chunk.value);
        continue;
      }
      if (next.kind === "failed") {
        return isAborted(options.signal) ? { kind: "aborted" } : { kind: "network", detail: errorDetail(next.error) };
      }
      cancelReader(reader);
      return next;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }

  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "text", text: new TextDecoder("utf-8").decode(bytes) };
}

/**
 * A short, secret-free name for a failure: the `code` of the error or of its cause
 * (`ECONNRESET`, `UND_ERR_SOCKET`), else its class name. Never the message, which an injected
 * fetch may fill with anything.
 */
export function errorDetail(error: unknown): string {
  const codeOf = (value: unknown): string | undefined => {
    if (typeof value !== "object" || value === null || !("code" in value)) return undefined;
    const code = value.code;
    return typeof code === "string" && /^[A-Za-z0-9_]{1,40}$/.test(code) ? code : undefined;
  };
  const cause = error instanceof Error ? error.cause : undefined;
  const code = codeOf(cause) ?? codeOf(error);
  if (code !== undefined) return code;
  if (error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name)) return error.name;
  return "unknown error";
}

/** A function, not an inline check, because TypeScript would narrow `aborted` to false. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function cancelReader(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  reader.cancel().catch(() => undefined);
}

function cancelQuietly(body: ReadableStream<Uint8Array> | null): void {
  body?.cancel().catch(() => undefined);
}
