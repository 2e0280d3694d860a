import { PushflowError } from "@pushflow/core";

/** Turns a flow's data into the text kept at rest and back; `context` binds it to its key. */
export interface Sealer {
  seal(text: string, context: string): Promise<string>;
  /** Throws `SealedWithUnknownKey` for a value this instance holds no key for. */
  open(sealed: string, context: string): Promise<string>;
}

/** One AES-GCM key and the id sealed values name it by. */
export interface EncryptionKey {
  /** 1 to 32 characters of `A-Z a-z 0-9 _ -`, stored beside every value sealed with it. */
  readonly id: string;
  /** Raw 16, 24 or 32 bytes, or a CryptoKey for AES-GCM. */
  readonly key: CryptoKey | Uint8Array;
}

/**
 * A value this instance cannot open and must not touch: sealed with a key it does not hold, or
 * kept in clear where keys are required (or the other way round). Another instance may read it.
 */
export class SealedWithUnknownKey extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SealedWithUnknownKey";
  }
}

const PLAIN = "plain:";
const GCM = "aes-gcm:";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Checks the keys now (a bad length or id throws at once, not on the first request) and builds
 * the sealer: AES-GCM with a random 12-byte IV per write (WebCrypto), the store key as additional
 * data so a sealed flow cannot be moved under another flow's id, and the key id in clear
 * (`aes-gcm:<id>:<iv>:<data>`). The first key seals; any of them opens. Without keys (the
 * development flag) the text is kept as is.
 */
export function createSealer(keys: readonly EncryptionKey[]): () => Promise<Sealer> {
  const ids = new Set<string>();
  for (const { id, key } of keys) {
    if (!KEY_ID.test(id)) throw new PushflowError("bad_input", "an encryption key id is 1 to 32 characters of A-Z a-z 0-9 _ -");
    if (ids.has(id)) throw new PushflowError("bad_input", `encryption key id ${id} is given twice`);
    ids.add(id);
    if (key instanceof Uint8Array && ![16, 24, 32].includes(key.byteLength)) {
      throw new PushflowError("bad_input", `encryption key ${id} must be 16, 24 or 32 bytes, got ${key.byteLength}`);
    }
  }
  let ready: Promise<Sealer> | undefined;
  return () => (ready ??= keys.length === 0 ? Promise.resolve(plainSealer()) : gcmSealer(keys));
}

function plainSealer(): Sealer {
  return {
    seal: async (text) => PLAIN + text,
    open: async (sealed) => {
      if (sealed.startsWith(PLAIN)) return sealed.slice(PLAIN.length);
      throw new SealedWithUnknownKey(`it is sealed with key ${keyIdOf(sealed)}, and this instance has no encryption key`);
    },
  };
}

async function gcmSealer(keys: readonly EncryptionKey[]): Promise<Sealer> {
  const imported = new Map<string, CryptoKey>();
  for (const { id, key } of keys) {
    imported.set(id, key instanceof Uint8Array ? await crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, ["encrypt", "decrypt"]) : key);
  }
  const [sealingId, sealingKey] = [...imported][0] ?? [];
  if (sealingId === undefined || sealingKey === undefined) throw new PushflowError("internal", "no encryption key");
  return {
    async seal(text, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, sealingKey, encoder.encode(text));
      return `${GCM}${sealingId}:${toBase64(iv)}:${toBase64(new Uint8Array(data))}`;
    },
    async open(sealed, context) {
      if (!sealed.startsWith(GCM)) throw new SealedWithUnknownKey("it is kept in clear (written by an instance without keys), and this instance requires sealing");
      const [id, iv, data] = sealed.slice(GCM.length).split(":");
      const key = imported.get(id ?? "");
      if (key === undefined) throw new SealedWithUnknownKey(`it is sealed with key ${keyIdOf(sealed)}, which this instance does not hold`);
      try {
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv ?? ""), additionalData: encoder.encode(context) }, key, fromBase64(data ?? ""));
        return decoder.decode(plain);
      } catch {
        throw new PushflowError("invalid_record", `the saved flow could not be decrypted with key ${id} (altered, or moved under another id)`);
      }
    },
  };
}

/** The key id a sealed value names, for messages (it is not secret). */
function keyIdOf(sealed: string): string {
  const id = sealed.startsWith(GCM) ? sealed.slice(GCM.length).split(":")[0] : undefined;
  return id !== undefined && KEY_ID.test(id) ? JSON.stringify(id) : "(none)";
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
