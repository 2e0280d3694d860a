/** The emulator's control API over HTTP (packages/emulator/README.md). */
export async function control(url: string, path: string, method = "GET", body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** A new enrolled user whose device ignores pushes, and an mfa_token for `pushflow-demo`. */
export async function enrolledUser(url: string, prefix: string) {
  const username = `${prefix}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const user = encodeURIComponent(username);
  await control(url, "/users", "POST", { username, password: "deno-password-1" });
  await control(url, `/users/${user}/enroll`, "POST");
  await control(url, `/devices/${user}/policy`, "PUT", { answer: "ignore" });
  const { mfa_token } = await control(url, "/mfa-token", "POST", { username, client_id: "pushflow-demo" });
  return { username, user, mfaToken: String(mfa_token) };
}
