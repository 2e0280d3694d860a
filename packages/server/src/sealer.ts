import { PushflowError } from "@pushflow/core";

/** Turns a flow's data into the text kept at rest and back; `context` binds it to its key. */
export interface Sealer {
  seal(text: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

const PLAIN = "plain:";
const GCM = "aes-gcm:";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * AES-GCM with a random 12-byte IV per write (WebCrypto), the store key as additional data so a
 * sealed flow cannot be moved under another flow's id. Without a key the text is kept as is.
 */
export async function createSealer(key: CryptoKey | Uint8Array | undefined): Promise<Sealer> {
  if (key === undefined) {
    return {
      seal: async (text) => PLAIN + text,
      open: async (sealed) => {
        if (sealed.startsWith(PLAIN)) return sealed.slice(PLAIN.length);
        throw new PushflowError("invalid_record", "the saved flow is encrypted and this server has no encryptionKey");
      },
    };
  }
  const cryptoKey = key instanceof Uint8Array ? await importKey(key) : key;
  return {
    async seal(text, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
        cryptoKey,
        encoder.encode(text),
      );
      return `${GCM}${toBase64(iv)}:${toBase64(new Uint8Array(data))}`;
    },
    async open(sealed, context) {
      if (!sealed.startsWith(GCM)) throw new PushflowError("invalid_record", "the saved flow is not encrypted, and this server requires it");
      const [iv, data] = sealed.slice(GCM.length).split(":");
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: fromBase64(iv ?? ""), additionalData: encoder.encode(context) },
          cryptoKey,
          fromBase64(data ?? ""),
        );
        return decoder.decode(plain);
      } catch {
        throw new PushflowError("invalid_record", "the saved flow could not be decrypted (another key, or altered)");
      }
    },
  };
}

async function importKey(raw: Uint8Array): Promise<CryptoKey> {
  if (![16, 24, 32].includes(raw.byteLength)) {
    throw new PushflowError("bad_input", `encryptionKey must be 16, 24 or 32 bytes, got ${raw.byteLength}`);
  }
  return crypto.subtle.importKey("raw", new Uint8Array(raw), "AES-GCM", false, ["encrypt", "decrypt"]);
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
