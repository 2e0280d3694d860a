import { emulatorUrl } from "./assert.ts";

/** The emulator's control API (packages/emulator/README.md), with fetch. */
export async function control(path: string, method = "GET", body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulatorUrl()}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** A new enrolled user whose device follows `policy`, and an mfa_token for `pushflow-demo`. */
export async function enrolledUser(policy: { answer?: "approve" | "reject" | "ignore"; answer_after_ms?: number }) {
  const username = `deno-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const user = encodeURIComponent(username);
  await control("/users", "POST", { username, password: "deno-password-1" });
  await control(`/users/${user}/enroll`, "POST");
  await control(`/devices/${user}/policy`, "PUT", policy);
  const { mfa_token } = await control("/mfa-token", "POST", { username, client_id: "pushflow-demo" });
  return { username, mfaToken: String(mfa_token) };
}
