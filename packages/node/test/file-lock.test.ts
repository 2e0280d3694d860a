import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_STALE_MS, withFileLock } from "../src/node-fs.ts";

const dir = mkdtempSync(join(tmpdir(), "pushflow-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const register = fileURLToPath(new URL("./helpers/register-ts.mjs", import.meta.url));
const holder = fileURLToPath(new URL("./helpers/lock-holder.ts", import.meta.url));

/** helpers/lock-holder.ts in a child process: a writer the test can kill -9. */
function writer(...args: string[]) {
  const child = spawn(process.execPath, ["--conditions=@pushflow/source", "--import", register, holder, ...args]);
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("held")) resolve();
    });
    void exit.then(() => reject(new Error(`the writer exited first: ${err}`)));
  });
  held.catch(() => {}); // awaited only by the tests that hold the lock

  return { child, held, exit, stderr: () => err };
}

/** A lock left by a writer killed with SIGKILL while it held it. */
async function deadWritersLock(path: string): Promise<number> {
  const dead = writer(path, "hold");
  await dead.held;
  dead.child.kill("SIGKILL");
  expect((await dead.exit).signal).toBe("SIGKILL");
  expect(statSync(`${path}.lock`).isDirectory()).toBe(true);
  return Date.now();
}

describe("file lock (proper-lockfile)", () => {
  it("breaks the lock of a writer killed with SIGKILL within the stale time, and lets the waiters in one at a time", async () => {
    const path = join(dir, "killed");
    const killedAt = await deadWritersLock(path);
    let inside = 0;
    let most = 0;
    const entered: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withFileLock(path, async () => {
          inside++;
          entered.push(Date.now());
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inside--;
        }),
      ),
    );
    expect(entered).toHaveLength(6);
    expect(most).toBe(1);
    // The stale time, plus up to 1 s as proper-lockfile stamps a new lock at the next whole second,
    // plus the waiters' polling: far below the former 10 s, after which a save had given up.
    const waited = Math.min(...entered) - killedAt;
    console.log(`a SIGKILLed writer's lock held the next writer ${waited} ms`);
    expect(waited).toBeLessThan(DEFAULT_STALE_MS + 1_300);
  });

  it("lets one waiter at a time break a dead writer's lock: none removes the lock another has just taken", async () => {
    // Waiters that all find the same stale lock: proper-lockfile's own breaking (stat, rmdir,
    // mkdir) let one remove the fresh lock another had just made in its place, so that both held
    // it, or the other failed (ENOENT on its lock): moxystudio/node-proper-lockfile#121.
    for (let round = 0; round < 20; round++) {
      const path = join(dir, `stale-${round}`);
      mkdirSync(`${path}.lock`);
      const old = new Date(Date.now() - DEFAULT_STALE_MS * 5);
      utimesSync(`${path}.lock`, old, old);
      let inside = 0;
      let most = 0;
      // Six waiters: a quarter of the rounds failed so before (twelve are no likelier, only slower).
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          withFileLock(path, async () => {
            most = Math.max(most, ++inside);
            await new Promise((resolve) => setTimeout(resolve, 1));
            inside--;
          }),
        ),
      );
      const errors = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
      expect({ round, errors, most }).toEqual({ round, errors: [], most: 1 });
    }
  });

  it("keeps two writers in two processes out of each other's way: no increment is lost", async () => {
    const path = join(dir, "counter");
    const runs = [writer(path, "count", "40"), writer(path, "count", "40")];
    const exits = await Promise.all(runs.map((run) => run.exit));
    expect(exits.map((e) => e.code), runs.map((run) => run.stderr()).join("\n")).toEqual([0, 0]);
    expect(Number(readFileSync(path, "utf8"))).toBe(80);
  });

  it("waits for a live holder, then goes in", async () => {
    const path = join(dir, "live");
    const order: string[] = [];
    await Promise.all([
      withFileLock(path, async () => {
        order.push("first in");
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push("first out");
      }),
      new Promise((resolve) => setTimeout(resolve, 5)).then(() => withFileLock(path, async () => void order.push("second in"))),
    ]);
    expect(order).toEqual(["first in", "first out", "second in"]);
  });

  it("never breaks the lock of a live holder in another process, however long it holds it", async () => {
    const path = join(dir, "held-long");
    const live = writer(path, "hold");
    await live.held;
    await expect(withFileLock(path, async () => "in", { timeoutMs: DEFAULT_STALE_MS * 2 })).rejects.toThrow(/held by another writer/);
    live.child.kill("SIGKILL");
    await live.exit;
  });

  it("fails at once, without waiting, when the directory is missing", async () => {
    const started = Date.now();
    await expect(withFileLock(join(dir, "missing", "entry"), async () => "in")).rejects.toMatchObject({ code: "ENOENT" });
    expect(Date.now() - started).toBeLessThan(500);
  });
});
