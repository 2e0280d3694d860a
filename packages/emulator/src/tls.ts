import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { generate } from "selfsigned";

/** A certificate authority made for one run, and the server certificate it signed. */
export interface TlsMaterial {
  /** The CA certificate (PEM): what a client trusts. Its private key is never written anywhere. */
  readonly caCert: string;
  /** The server's private key and certificate (PEM), for `https.createServer`. */
  readonly key: string;
  readonly cert: string;
}

/** The names the server certificate covers: the loopback names a client may dial. */
export const TLS_HOSTS = { dns: ["localhost"], ip: ["127.0.0.1", "::1"] } as const;

const HOUR_MS = 3_600_000;

/**
 * Makes a fresh CA and a server certificate for `localhost`, `127.0.0.1` and `::1`, valid for a
 * day (from an hour ago, for clock skew). A new pair at each start, and the CA key kept in memory
 * only, so trusting the CA file trusts nothing beyond this run of the emulator. Wall-clock dates:
 * TLS clients check them against the real time, not the tenant's clock.
 */
export async function createTlsMaterial(now: Date = new Date()): Promise<TlsMaterial> {
  const validity = { notBeforeDate: new Date(now.getTime() - HOUR_MS), notAfterDate: new Date(now.getTime() + 24 * HOUR_MS) };
  const ca = await generate([{ name: "commonName", value: "pushflow emulator CA (one run)" }], {
    ...validity,
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    ...validity,
    keyType: "ec",
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...TLS_HOSTS.dns.map((value) => ({ type: 2 as const, value })), ...TLS_HOSTS.ip.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { caCert: ca.cert, key: server.private, cert: server.cert };
}

/** The CA certificate's file, and how to remove what was written for it. */
export interface CaFile {
  readonly path: string;
  remove(): void;
}

/**
 * Writes the CA certificate to `path`, or to a new temporary directory. Returns the absolute path
 * and how to remove what was written (the temporary directory; a chosen path is left in place).
 */
export function writeCaFile(caCert: string, path?: string): CaFile {
  if (path !== undefined) {
    const absolute = resolve(path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, caCert);
    return { path: absolute, remove: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), "pushflow-emulator-"));
  const file = join(dir, "ca.pem");
  writeFileSync(file, caCert);
  return { path: file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
