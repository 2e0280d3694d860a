/** The longest server text (`error_description`, `error`) a problem message repeats. */
export const MAX_SERVER_TEXT = 200;

/** What a problem message says about the request: never a header or a body. */
export interface RequestLabel {
  /** What the call does, for people: `associate`, `verify oob`, … */
  readonly what: string;
  readonly method: string;
  /** The endpoint path, without the base URL. */
  readonly path: string;
  /** Every secret the request carried; removed from anything the server echoes back. */
  readonly secrets: readonly string[];
}

/**
 * Builds `<what> failed: POST /mfa/associate → 403 access_denied: User is already enrolled.`.
 * The whole sentence is scrubbed, because the server text in it is not ours to trust.
 */
export function problemMessage(label: RequestLabel, detail: string): string {
  return redact(`${label.what} failed: ${label.method} ${label.path} → ${detail}`, label.secrets);
}

/**
 * Makes server text safe to repeat: secrets of the request replaced, control characters
 * flattened (a log line stays one line) and the length capped.
 */
export function serverText(text: string, secrets: readonly string[]): string {
  // Redact before truncating, so that a cut can never leave half a secret behind.
  const flat = redact(text, secrets).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return flat.length > MAX_SERVER_TEXT ? `${flat.slice(0, MAX_SERVER_TEXT - 1)}…` : flat;
}

/** Replaces every occurrence of every non-empty secret with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains a shorter one is removed whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== "") out = out.split(secret).join("[redacted]");
  }
  return out;
}
