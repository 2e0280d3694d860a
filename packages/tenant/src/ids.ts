/** Random bytes; injectable so a tenant can be made deterministic. */
export type RandomBytes = (size: number) => Uint8Array;

/** Web Crypto: available in browsers, Node ≥ 19 and Deno, so the package stays platform neutral. */
export const cryptoRandomBytes: RandomBytes = (size) => globalThis.crypto.getRandomValues(new Uint8Array(size));

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** The characters of Auth0's recovery codes, as captured: digits 1–9 and A–Z without I and O. */
const RECOVERY_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const HEX = "0123456789abcdef";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A string of `length` characters of `alphabet` (modulo bias is irrelevant for test ids). */
export function randomString(random: RandomBytes, alphabet: string, length: number): string {
  const bytes = random(length);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return out;
}

/** The id generators of a tenant, all built on one random source. */
export interface IdSource {
  /** `dev_` + 16 alphanumerics, shared by the push authenticator and its OTP twin. */
  deviceId(): string;
  /** The 32-character enrollment transaction id of a barcode_uri. */
  enrollmentTxId(): string;
  /** 24 characters of Auth0's recovery-code alphabet (no 0, I or O). */
  recoveryCode(): string;
  /** `auth0|` + 24 hex digits. */
  userId(): string;
  /** An opaque iron-sealed-looking string: `Fe26.2*…` (mfa_token, oob_code). */
  sealed(expiresAt: number, now: number): string;
  /** An opaque token with a readable prefix (mock access tokens, grant ids). */
  opaque(prefix: string): string;
}

export function idSource(random: RandomBytes): IdSource {
  const s = (alphabet: string, length: number) => randomString(random, alphabet, length);
  return {
    deviceId: () => `dev_${s(ALNUM, 16)}`,
    enrollmentTxId: () => s(ALNUM, 32),
    recoveryCode: () => s(RECOVERY_ALPHABET, 24),
    userId: () => `auth0|${s(HEX, 24)}`,
    // Iron's layout: prefix, password id, salt, iv, payload, expiration (ms), hmac salt, hmac.
    // The 6th field carries the expiry like Auth0's, so a curious reader sees a plausible value.
    sealed: (expiresAt, now) =>
      [
        "Fe26.2",
        `SERVER_${Math.floor(now / 1000)}`,
        s(HEX, 64),
        s(B64URL, 22),
        s(B64URL, 86),
        String(Math.floor(expiresAt)),
        s(HEX, 64),
        s(B64URL, 43),
      ].join("*"),
    opaque: (prefix) => `${prefix}${s(ALNUM, 32)}`,
  };
}

/** True when `value` has the shape of an iron-sealed string (8 `*`-separated fields). */
export function looksSealed(value: string): boolean {
  const parts = value.split("*");
  return parts.length === 8 && parts[0] === "Fe26.2" && parts.every((p) => p.length > 0);
}

/** base64url of a UTF-8 string, with the Web APIs every runtime has. */
export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** An unsigned JWT (`alg: none`): the mock's id_token, readable by tests, verifiable by nobody. */
export function unsignedJwt(claims: Readonly<Record<string, unknown>>): string {
  return `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}.`;
}
