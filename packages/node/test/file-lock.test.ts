import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withFileLock } from "../src/file-lock.ts";

const dir = mkdtempSync(join(tmpdir(), "pushflow-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Far above any pid a test machine hands out, so no process owns it.
const DEAD_PID = 4_194_000;

describe("file lock", () => {
  it("lets one holder in at a time when many waiters find a dead writer's lock together", async () => {
    for (let round = 0; round < 5; round++) {
      const path = join(dir, `entry-${round}`);
      writeFileSync(`${path}.lock`, String(DEAD_PID));
      let inside = 0;
      let most = 0;
      let entered = 0;
      await Promise.all(
        Array.from({ length: 6 }, () =>
          withFileLock(path, async () => {
            inside++;
            entered++;
            most = Math.max(most, inside);
            await new Promise((resolve) => setTimeout(resolve, 2));
            inside--;
          }),
        ),
      );
      expect(entered).toBe(6);
      expect(most).toBe(1);
    }
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
});
