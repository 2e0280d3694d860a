import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli-main.ts";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../src/index.ts";
import { httpsJson } from "./https.ts";

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

const USER = { username: "ada@example.com", password: "pw-1" };
const OTP = "http://auth0.com/oauth/grant-type/mfa-otp";

async function startTls(options: EmulatorOptions = {}) {
  const emulator = await startEmulator({ tls: true, seed: false, clients: [{ clientId: "app" }], users: [USER], ...options });
  running.push(emulator);
  return emulator;
}

/** The tokens of an OTP login over HTTPS (the device is enrolled in process). */
async function tokensOf(emulator: RunningEmulator, ca: string) {
  emulator.device(USER.username).enroll(USER.username);
  const login = await httpsJson(`${emulator.url}/oauth/token`, ca, {
    form: { grant_type: "password", client_id: "app", ...USER, audience: "https://api.example.test/", scope: "openid profile" },
  });
  const answer = await httpsJson(`${emulator.url}/oauth/token`, ca, {
    form: { grant_type: OTP, client_id: "app", mfa_token: String(login.body.mfa_token), otp: emulator.device(USER.username).totp() },
  });
  expect(answer.status).toBe(200);
  return { accessToken: String(answer.body.access_token), idToken: String(answer.body.id_token) };
}

/** Discovery, then the JWKS at its jwks_uri, then both tokens verified against it with `issuer`. */
async function checkIssuer(emulator: RunningEmulator, ca: string, issuer: string, jwksAt: string) {
  const discovery = (await httpsJson(`${emulator.url}/.well-known/openid-configuration`, ca)).body;
  expect(discovery).toMatchObject({ issuer, jwks_uri: `${issuer}.well-known/jwks.json`, token_endpoint: `${issuer}oauth/token` });
  expect(emulator.issuer).toBe(issuer);
  expect(emulator.jwksUrl).toBe(discovery.jwks_uri);
  const { keys } = (await httpsJson(jwksAt, ca)).body;
  if (!Array.isArray(keys)) throw new Error(`no keys at ${jwksAt}`);
  const jwks = createLocalJWKSet({ keys });
  const { accessToken, idToken } = await tokensOf(emulator, ca);
  const access = await jwtVerify(accessToken, jwks, { issuer, audience: "https://api.example.test/" });
  expect(access.payload.aud).toEqual(["https://api.example.test/", `${issuer}userinfo`]);
  await jwtVerify(idToken, jwks, { issuer, audience: "app" });
}

describe("the emulator over TLS", () => {
  it("serves HTTPS as https://localhost:PORT with a certificate its CA file verifies, on localhost and 127.0.0.1", async () => {
    const emulator = await startTls();
    expect(emulator.url).toBe(`https://localhost:${emulator.port}`);
    const caPath = emulator.caCertPath ?? "";
    const ca = readFileSync(caPath, "utf8");
    expect(ca).toBe(emulator.caCert);
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    for (const base of [emulator.url, `https://127.0.0.1:${emulator.port}`]) {
      expect((await httpsJson(`${base}/.well-known/jwks.json`, ca)).status).toBe(200);
    }
    // Without the CA, Node's default trust refuses the chain.
    await expect(httpsJson(`${emulator.url}/.well-known/jwks.json`, undefined)).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/),
    });
    await emulator.close();
    running.splice(0);
    expect(existsSync(caPath)).toBe(false);
  });

  it("makes a one-day CA and a localhost / 127.0.0.1 / ::1 server certificate it signed, new at each start", async () => {
    const first = await startTls();
    const second = await startTls();
    expect(first.caCert).not.toBe(second.caCert);
    const ca = new X509Certificate(first.caCert ?? "");
    expect(ca.ca).toBe(true);
    const leaf = await peerCertificate(first.port, first.caCert ?? "");
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName?.split(", ").sort()).toEqual(["DNS:localhost", "IP Address:0:0:0:0:0:0:0:1", "IP Address:127.0.0.1"]);
    for (const cert of [ca, leaf]) {
      const lifetimeMs = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
      expect(lifetimeMs).toBeLessThanOrEqual(25 * 3_600_000);
      expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now());
    }
  });

  it("announces one issuer everywhere: discovery, jwks_uri, the access and id tokens' iss", async () => {
    const emulator = await startTls();
    await checkIssuer(emulator, emulator.caCert ?? "", `${emulator.url}/`, emulator.jwksUrl);
  });

  it("takes another issuer (behind a proxy) for discovery, jwks_uri and tokens, and writes the CA where asked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pushflow-tls-test-"));
    try {
      const caFile = join(dir, "nested", "ca.pem");
      const emulator = await startTls({ issuer: "https://auth.example.test", caFile });
      expect(emulator.caCertPath).toBe(caFile);
      const ca = readFileSync(caFile, "utf8");
      // The proxy is not there: the JWKS is read from the emulator itself, the issuer is checked in the tokens.
      await checkIssuer(emulator, ca, "https://auth.example.test/", `${emulator.url}/.well-known/jwks.json`);
      expect(emulator.tenant.mfaAudience).toBe("https://auth.example.test/mfa/");
      await emulator.close();
      running.splice(0);
      expect(existsSync(caFile)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an issuer that is not a URL, is plain http to a non-loopback host, or carries a query", async () => {
    await expect(startEmulator({ issuer: "auth.example.test" })).rejects.toThrow(/absolute URL/);
    await expect(startEmulator({ issuer: "http://auth.example.test/" })).rejects.toThrow(/https:\/\//);
    await expect(startEmulator({ issuer: "https://auth.example.test/?tenant=1" })).rejects.toThrow(/no query/);
    const loopback = await startEmulator({ issuer: "http://127.0.0.1:9/", seed: false });
    running.push(loopback);
    expect(loopback.issuer).toBe("http://127.0.0.1:9/");
  });
});

/** The server certificate the emulator presents, read over a TLS connection. */
function peerCertificate(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername: "localhost", ca }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer === undefined) reject(new Error("no peer certificate"));
      else resolve(peer);
    });
    socket.once("error", reject);
  });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe("pushflow-emulator --tls", () => {
  it("refuses a bad --issuer and --ca-file without --tls, with exit code 2", async () => {
    for (const argv of [["--issuer", "not a url"], ["--issuer", "http://auth.example.test/"], ["--ca-file", "ca.pem"]]) {
      const { io, err } = capture();
      expect((await runCli(argv, io)).exitCode).toBe(2);
      expect(err.join("\n")).toMatch(/--issuer|--ca-file/);
    }
  });

  it("prints the issuer and the CA file in --json", async () => {
    const { io, out } = capture();
    const { emulator } = await runCli(["--tls", "--json", "--issuer", "https://auth.example.test"], io);
    if (emulator !== undefined) running.push(emulator);
    const info = JSON.parse(out[0] ?? "") as Record<string, unknown>;
    expect(info).toMatchObject({ url: emulator?.url, issuer: "https://auth.example.test/", ca_file: emulator?.caCertPath });
    expect(info.url).toMatch(/^https:\/\/localhost:\d+$/);
  });

  const built = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
  // The bin runs the built packages it depends on: only after a workspace build.
  const dependencies = ["../../core/dist/index.mjs", "../../tenant/dist/index.mjs"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  it.skipIf(![built, ...dependencies].every((f) => existsSync(f)))(
    "the built bin serves HTTPS, prints the CA file and the NODE_EXTRA_CA_CERTS line, and removes the file on Ctrl-C",
    async () => {
      const child = spawn(process.execPath, [built, "--tls"], { stdio: ["ignore", "pipe", "pipe"] });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        const text = await new Promise<string>((resolve, reject) => {
          let seen = "";
          child.stdout.on("data", (chunk: Buffer) => {
            seen += chunk.toString();
            if (seen.includes("Ctrl-C stops it.")) resolve(seen);
          });
          child.once("exit", (code) => reject(new Error(`exited with ${String(code)}: ${seen}`)));
        });
        const url = /listening on (https:\/\/localhost:\d+)$/m.exec(text)?.[1] ?? "";
        const caFile = /^ {2}NODE_EXTRA_CA_CERTS=(\S+)$/m.exec(text)?.[1] ?? "";
        expect(url).not.toBe("");
        expect(text).toContain(`CA certificate   ${caFile}`);
        expect(text).toContain(`curl -s --cacert ${caFile} -X POST ${url}/__emulator/devices/grace@example.com/approve`);
        const discovery = await httpsJson(`${url}/.well-known/openid-configuration`, readFileSync(caFile, "utf8"));
        expect(discovery.body).toMatchObject({ issuer: `${url}/`, jwks_uri: `${url}/.well-known/jwks.json` });
        child.kill("SIGINT");
        expect(await exited).toBe(0);
        expect(existsSync(caFile)).toBe(false);
      } finally {
        child.kill("SIGKILL");
      }
    },
  );
});
