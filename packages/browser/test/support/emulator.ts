import type { RunningEmulator } from "@pushflow/emulator";

/** A fresh user on the emulator, enrolled with a device or not (tests never share users). */
export async function newUser(emulator: RunningEmulator, enrolled: boolean): Promise<{ username: string; password: string }> {
  const username = `browser-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const password = "browser-password-1";
  await control(emulator, "/users", { username, password });
  if (enrolled) await control(emulator, `/users/${encodeURIComponent(username)}/enroll`, {});
  return { username, password };
}

async function control(emulator: RunningEmulator, path: string, body: unknown): Promise<void> {
  const answer = await fetch(`${emulator.url}/__emulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`emulator ${path}: ${answer.status} ${await answer.text()}`);
}

/** mfa-oob polls the emulator answered, and the distinct oob_codes they carried. */
export function polls(emulator: RunningEmulator): { count: number; oobCodes: number } {
  const entries = emulator.requests.entries.filter((e) => e.grantType === "mfa-oob");
  return { count: entries.length, oobCodes: new Set(entries.map((e) => e.oobCode)).size };
}

/** The shortest time between two consecutive mfa-oob polls, from the `skip`-th poll on. */
export function minGap(emulator: RunningEmulator, skip = 0): number {
  const times = emulator.requests.entries.filter((e) => e.grantType === "mfa-oob").map((e) => e.at).slice(skip);
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i]! - times[i - 1]!);
  return gap;
}
