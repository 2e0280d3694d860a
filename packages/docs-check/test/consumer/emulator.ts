import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { start } from "./run.ts";

export interface EmulatorProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * The packed emulator's CLI, started from the app folder (`pushflow-emulator --json` prints one
 * line with its URL). Every device scans a QR `scan` seconds after it is shown, as in the quick
 * start; pushes wait for `approvePush`.
 */
export function startEmulatorCli(appDir: string, scan: number): Promise<EmulatorProcess> {
  const args = ["--port", "0", "--json", "--scan-after", String(scan)];
  const child = start(join(appDir, "node_modules/.bin/pushflow-emulator"), args, { cwd: appDir });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const line = output.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`pushflow-emulator exited with ${code}:\n${output}`)));
  });
}

async function call(url: string, path: string, init: RequestInit): Promise<Response> {
  const response = await fetch(`${url}${path}`, init);
  if (response.status >= 500) throw new Error(`${path}: ${response.status}`);
  return response;
}

/** A new user of the emulator's tenant, with a device enrolled or not. */
export async function newUser(url: string, prefix: string, enrolled: boolean): Promise<{ username: string; password: string }> {
  const username = `${prefix}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const password = `${prefix}-password-1`;
  const json = { "content-type": "application/json" };
  const created = await call(url, "/__emulator/users", { method: "POST", headers: json, body: JSON.stringify({ username, password }) });
  if (!created.ok) throw new Error(`creating ${username}: ${created.status}`);
  if (enrolled) {
    const enroll = await call(url, `/__emulator/users/${encodeURIComponent(username)}/enroll`, { method: "POST" });
    if (!enroll.ok) throw new Error(`enrolling ${username}: ${enroll.status}`);
  }
  return { username, password };
}

/** The mfa_token of a password login, as an app's login gets it: from Auth0's `mfa_required` answer. */
export async function mfaTokenOf(url: string, user: { username: string; password: string }): Promise<string> {
  const body = new URLSearchParams({ grant_type: "password", client_id: "pushflow-demo", username: user.username, password: user.password });
  const response = await call(url, "/oauth/token", { method: "POST", body });
  const answer = (await response.json()) as { error?: string; mfa_token?: string };
  if (answer.error !== "mfa_required" || typeof answer.mfa_token !== "string") throw new Error(`login of ${user.username}: ${answer.error ?? response.status}`);
  return answer.mfa_token;
}

/** The user's phone approves the push it has now (the control API), as a person would. */
export async function approvePush(url: string, username: string): Promise<void> {
  const response = await call(url, `/__emulator/devices/${encodeURIComponent(username)}/approve`, { method: "POST" });
  if (!response.ok) throw new Error(`approving the push of ${username}: ${response.status} ${await response.text()}`);
}
