import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/index.ts";

const run = promisify(execFile);
const story = fileURLToPath(new URL("./auth0-sdk/story.mjs", import.meta.url));
const AUDIENCE = "https://api.example.test/";

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/**
 * Runs story.mjs (@auth0/auth0-auth-js, a confidential client) against the emulator, in a Node
 * process started the way the docs tell a user to start their tests: with NODE_EXTRA_CA_CERTS.
 */
async function runStory(emulator: RunningEmulator, env: Record<string, string>) {
  const seed = emulator.seed;
  if (seed === undefined) throw new Error("the story uses the seeded client and user");
  const config = {
    domain: new URL(emulator.url).host,
    clientId: seed.confidentialClient.clientId,
    clientSecret: seed.confidentialClient.clientSecret,
    username: seed.user.username,
    password: seed.user.password,
    audience: AUDIENCE,
  };
  const { NODE_EXTRA_CA_CERTS: _inherited, ...parent } = process.env;
  // The config goes in the environment: a failed command's message shows its arguments.
  return run(process.execPath, [story], { env: { ...parent, ...env, STORY_CONFIG: JSON.stringify(config) }, timeout: 20_000 });
}

describe("Auth0's own SDK against pushflow-emulator --tls", () => {
  it("@auth0/auth0-auth-js: list, enroll push (the device scans), challenge + approve, OTP and recovery code; tokens verify", async () => {
    const emulator = await startEmulator({ tls: true });
    running.push(emulator);
    const { stdout } = await runStory(emulator, { NODE_EXTRA_CA_CERTS: emulator.caCertPath ?? "" });
    const report = JSON.parse(stdout) as Record<string, unknown>;
    const issuer = `${emulator.url}/`;
    expect(report).toMatchObject({ issuer, jwksUri: `${issuer}.well-known/jwks.json` });
    expect(report.before).toEqual([]);
    expect(report.enrollment).toMatchObject({ authenticatorType: "oob", oobChannel: "auth0", barcode: "otpauth://totp/Pushflow%20Emulator:ada%40example.com" });
    expect(report.pending).toBe("authorization_pending");
    expect(report.after).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "oob", active: true }),
        expect.objectContaining({ type: "otp", active: true }),
        expect.objectContaining({ type: "recovery-code", active: true }),
      ]),
    );
    expect(report).toMatchObject({ challenge: "oob", otpChallenge: "otp" });

    const userId = emulator.tenant.user("ada@example.com")?.id;
    for (const step of ["enrolled", "pushed", "otp", "recovery"]) {
      expect(report[step], step).toMatchObject({
        access: { iss: issuer, sub: userId, aud: [AUDIENCE, `${issuer}userinfo`], azp: "pushflow-confidential", amr: ["mfa"] },
        id: { iss: issuer, sub: userId, aud: "pushflow-confidential", email: "ada@example.com", amr: ["mfa"] },
        claims: { iss: issuer, sub: userId },
        hasRecoveryCode: step === "recovery",
      });
    }
    // The SDK's requests reached the emulator: discovery once, each grant as told.
    expect(emulator.requests.count({ route: "GET /.well-known/openid-configuration" })).toBe(1);
    expect(emulator.requests.count({ route: "POST /oauth/token", grantType: "mfa-oob" })).toBe(3);
    expect(emulator.requests.count({ route: "POST /oauth/token", grantType: "mfa-otp" })).toBe(1);
    expect(emulator.requests.count({ route: "POST /oauth/token", grantType: "mfa-recovery-code" })).toBe(1);
  });

  it("is refused without the trust line: the SDK does not know the emulator's CA", async () => {
    const emulator = await startEmulator({ tls: true });
    running.push(emulator);
    await expect(runStory(emulator, {})).rejects.toMatchObject({ stderr: expect.stringMatching(/certificate|self[- ]signed/i) });
  });
});
