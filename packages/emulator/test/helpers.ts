import { SimulatedClock } from "xstate";
import { afterEach } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../src/index.ts";

export const CLIENT = "app";
export const SECRET_CLIENT = { id: "backend", secret: "s3cret" };
export const USER = { username: "ada@example.com", password: "correct horse" };

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/** An emulator on a simulated clock (set to now, so that JWT times are plausible) with one user. */
export async function start(options: EmulatorOptions = {}) {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const emulator = await startEmulator({
    clock,
    seed: false,
    clients: [{ clientId: CLIENT }, { clientId: SECRET_CLIENT.id, clientSecret: SECRET_CLIENT.secret }, { clientId: "no-mfa", mfaGrant: false }],
    users: [USER],
    ...options,
  });
  running.push(emulator);
  return { emulator, clock, url: emulator.url, ...calls(emulator.url) };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** The JSON object of the answer ({} when it is not one). */
  readonly body: Record<string, unknown>;
  /** The JSON array of the answer ([] when it is not one). */
  readonly list: Record<string, unknown>[];
  readonly text: string;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const isObject = typeof body === "object" && body !== null && !Array.isArray(body);
  return {
    status: response.status,
    headers: response.headers,
    body: isObject ? (body as Record<string, unknown>) : {},
    list: Array.isArray(body) ? (body as Record<string, unknown>[]) : [],
    text,
  };
}

/** Small HTTP helpers bound to the emulator's URL. */
export function calls(url: string) {
  const form = async (path: string, params: Record<string, string>) =>
    answer(await fetch(`${url}${path}`, { method: "POST", body: new URLSearchParams(params) }));
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    answer(
      await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
    );
  const get = async (path: string, headers: Record<string, string> = {}) => answer(await fetch(`${url}${path}`, { headers }));
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    answer(
      await fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );

  /** A password login for the user: the mfa_token of its `mfa_required` answer. */
  const login = async (extra: Record<string, string> = {}, client = CLIENT): Promise<string> => {
    const a = await form("/oauth/token", { grant_type: "password", client_id: client, ...USER, ...extra });
    if (a.status !== 403 || typeof a.body.mfa_token !== "string") throw new Error(`login: ${a.status} ${a.text}`);
    return a.body.mfa_token;
  };
  const associate = (mfaToken: string) =>
    post("/mfa/associate", { authenticator_types: ["oob"], oob_channels: ["auth0"] }, { authorization: `Bearer ${mfaToken}` });
  const poll = (mfaToken: string, oobCode: string, client: Record<string, string> = { client_id: CLIENT }) =>
    form("/oauth/token", { grant_type: "http://auth0.com/oauth/grant-type/mfa-oob", mfa_token: mfaToken, oob_code: oobCode, ...client });
  const challenge = (mfaToken: string, authenticatorId: string) =>
    post("/mfa/challenge", { client_id: CLIENT, mfa_token: mfaToken, challenge_type: "oob", authenticator_id: authenticatorId });
  return { form, post, get, send, login, associate, poll, challenge };
}

/** The user enrolled with the emulator's device; returns the push authenticator id and the recovery code. */
export function enroll(emulator: RunningEmulator, username = USER.username) {
  const { account, recoveryCode } = emulator.device(username).enroll(username);
  return { pushId: account.pushAuthenticatorId, otpId: account.totpAuthenticatorId, recoveryCode: recoveryCode ?? "" };
}
