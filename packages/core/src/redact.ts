/** Keys whose values are secrets wherever they appear (DESIGN.md, Security). */
const SECRET_KEYS = new Set([
  "mfaToken",
  "mfa_token",
  "oobCode",
  "oob_code",
  "accessToken",
  "access_token",
  "idToken",
  "id_token",
  "refreshToken",
  "refresh_token",
  "tokens",
  "recoveryCode",
  "recovery_code",
  "recoveryCodes",
  "recovery_codes",
  "newRecoveryCode",
  "newMfaToken",
  "codes",
  "otp",
  "clientSecret",
  "client_secret",
  "password",
]);

export const REDACTED = "[redacted]";

/**
 * A plain copy of `value` with every secret-named field replaced. For the inspector stream and
 * anything else that shows internals; views and events are built from whitelists instead.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 12 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  // Class instances (state nodes, actor refs, errors) carry definitions, not data: kept as they are.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === "function") continue;
    out[key] = isSecret(value, key) && inner !== undefined ? REDACTED : redactDeep(inner, depth + 1);
  }
  return out;
}

/** `code` is an error code almost everywhere, but the recovery code in SUBMIT_RECOVERY_CODE. */
function isSecret(owner: object, key: string): boolean {
  return SECRET_KEYS.has(key) || (key === "code" && (owner as { type?: unknown }).type === "SUBMIT_RECOVERY_CODE");
}

/**
 * The parts of an XState snapshot an inspector shows, with secrets redacted. The snapshot itself
 * links to the whole machine definition, which is neither secret nor worth copying.
 */
export function redactSnapshot(snapshot: unknown): unknown {
  if (snapshot === null || typeof snapshot !== "object") return snapshot;
  const s = snapshot as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ["status", "value", "context", "output", "error", "input"]) {
    if (key in s) out[key] = redactDeep(s[key]);
  }
  return out;
}
