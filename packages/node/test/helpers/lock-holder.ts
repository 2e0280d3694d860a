/**
 * A writer in another process, for the lock tests: `lock-holder.ts PATH hold` takes the lock on
 * PATH, prints `held` and keeps it until killed; `lock-holder.ts PATH count N` adds 1 to the
 * number in PATH, N times, each read and write under the lock with a pause between them.
 */
import { readFile, writeFile } from "node:fs/promises";
import { withFileLock } from "../../src/node-fs.ts";

const [path = "", mode = "", times = "0"] = process.argv.slice(2);
if (mode === "hold") {
  await withFileLock(path, async () => {
    process.stdout.write("held\n");
    // A timer keeps the process alive: proper-lockfile's refresh timer does not (it is unref'd).
    await new Promise(() => setInterval(() => {}, 60_000));
  });
} else if (mode === "count") {
  for (let i = 0; i < Number(times); i++) {
    await withFileLock(path, async () => {
      const value = Number(await readFile(path, "utf8").catch(() => "0"));
      await new Promise((resolve) => setTimeout(resolve, 2));
      await writeFile(path, String(value + 1));
    });
  }
}
