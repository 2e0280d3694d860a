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

/** What `redactDeep` puts in place of a class instance (an actor ref, a state node, an error) found at `depth`. */
export type InstanceRule = (instance: object, depth: number) => unknown;

/** By default a class instance is kept as it is: it carries a definition, not data. */
const keepInstance: InstanceRule = (instance) => instance;

/**
 * A plain copy of `value` with every secret-named field replaced. For the inspector stream and
 * anything else that shows internals; views and events are built from whitelists instead.
 * Objects nested deeper than 12 levels are replaced whole: unchecked, they could hold a secret.
 */
export function redactDeep(value: unknown, depth = 0, instance: InstanceRule = keepInstance): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > 12) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1, instance));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return instance(value, depth);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === "function") continue;
    out[key] = isSecret(value, key) && inner !== undefined ? REDACTED : redactDeep(inner, depth + 1, instance);
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
export function redactSnapshot(snapshot: unknown, instance: InstanceRule = keepInstance): unknown {
  if (snapshot === null || typeof snapshot !== "object") return snapshot;
  const s = snapshot as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ["status", "value", "context", "output", "error", "input"]) {
    if (key in s) out[key] = redactDeep(s[key], 0, instance);
  }
  return out;
}
