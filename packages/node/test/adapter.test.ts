import { copyFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as node from "../src/index.ts";
import { cancelOnSignal, challenge, createSingleFileStore, enroll } from "../src/index.ts";
import { useEmulator } from "./helpers/emulator.ts";

const env = useEmulator("pushflow-adapter-");

let users = 0;
function enrolledUser(answer: "approve" | "reject" | "ignore" = "ignore") {
  const username = `adapter-${++users}-${Date.now()}@example.com`;
  env.emulator.tenant.addUser({ username, password: "adapter-password-1" });
  env.emulator.device(username).enroll(username);
  env.emulator.device(username).setPolicy({ answer, answerAfterMs: 300 });
  return { username, password: "adapter-password-1" };
}
const connection = () => ({ domain: env.emulator.url, clientId: "pushflow-demo", pollIntervalMs: 100, warn: () => {} });
const firstPoll = (handle: { events: { once(name: "poll", fn: () => void): unknown } }) =>
  new Promise<void>((resolve) => handle.events.once("poll", () => resolve()));

describe("@pushflow/node", () => {
  it("re-exports core's errors next to its own API, and none of the pieces adapters are built from", () => {
    expect(node.isPushflowError).toBeTypeOf("function");
    expect(node.PushflowError).toBeTypeOf("function");
    expect(node.enroll).toBe(enroll);
    expect(Object.keys(node).sort()).toEqual(
      ["PushflowError", "cancelOnSignal", "challenge", "createFileStore", "createSingleFileStore", "enroll", "isPushflowError"].sort(),
    );
  });

  it("signs in with a password, takes the mfa_token from mfa_required, and challenges", async () => {
    const user = enrolledUser("approve");
    const output = await challenge({ ...connection(), ...user }).outcome;
    expect(output).toMatchObject({ outcome: "approved", method: "push" });
    expect(env.emulator.requests.entries.filter((e) => e.grantType === "password").at(-1)?.status).toBe(403);
  });

  it("refuses plain http to a host that is not loopback, at once", () => {
    expect(() => enroll({ domain: "http://example.com", clientId: "x", mfaToken: "t" })).toThrow(/plain http/);
  });

  it("resumes a saved challenge from its file without a second challenge", async () => {
    const user = enrolledUser();
    const file = join(env.dir, "resume.json");
    const store = createSingleFileStore(file);
    const challengesBefore = env.emulator.requests.count({ route: "POST /mfa/challenge" });
    const first = challenge({ ...connection(), ...user, store });
    await firstPoll(first);
    await store.flush();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // A process that dies keeps its file: copy it aside, end this flow (which removes it), restore it.
    await copyFile(file, `${file}.saved`);
    first.cancel();
    await first.outcome;
    await store.flush();
    await copyFile(`${file}.saved`, file);

    const second = challenge({ ...connection(), ...user, store });
    expect(await second.resumed).toBe(true);
    await firstPoll(second);
    env.emulator.device(user.username).approve(user.username);
    expect(await second.outcome).toMatchObject({ outcome: "approved", method: "push" });
    expect(env.emulator.requests.count({ route: "POST /mfa/challenge" }) - challengesBefore).toBe(1);
    await store.flush();
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it("cancels on SIGINT: outcome cancelled, no request after it, the listener removed", async () => {
    const user = enrolledUser();
    const handle = challenge({ ...connection(), ...user });
    const listeners = process.listenerCount("SIGINT");
    cancelOnSignal(handle, "SIGINT");
    expect(process.listenerCount("SIGINT")).toBe(listeners + 1);
    await firstPoll(handle);
    process.emit("SIGINT");
    const at = Date.now();
    expect((await handle.outcome).outcome).toBe("cancelled");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(env.emulator.requests.entries.filter((e) => e.at > at)).toEqual([]);
    expect(process.listenerCount("SIGINT")).toBe(listeners);
  });
});
