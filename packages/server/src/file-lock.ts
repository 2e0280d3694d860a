import { open, readFile, stat, unlink } from "node:fs/promises";

export interface LockOptions {
  /** A lock older than this is taken as left by a crashed writer; default 10 s. */
  readonly staleMs?: number;
  /** Give up after this long; default 5 s. */
  readonly timeoutMs?: number;
}

/**
 * Runs `action` while holding `<path>.lock`, created with O_EXCL so that writers in other
 * processes wait too. A lock whose owner process is gone, or older than `staleMs`, is broken.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = `${path}.lock`;
  const giveUpAt = Date.now() + (options.timeoutMs ?? 5_000);
  const staleMs = options.staleMs ?? 10_000;
  for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if (code(error) !== "EEXIST") throw error;
      if ((await isStale(lockPath, staleMs)) && (await breakStale(lockPath, staleMs))) continue;
      if (Date.now() > giveUpAt) throw new Error(`pushflow: ${lockPath} is held by another writer`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  try {
    return await action();
  } finally {
    await unlink(lockPath).catch(() => {});
  }
}

/**
 * Removes a stale lock, judged again while holding `<lock>.break`: waiters that all found the
 * same dead writer's lock must not each remove it, or the later ones would remove the fresh lock
 * the first one took meanwhile. False when another waiter is breaking it.
 */
async function breakStale(lockPath: string, staleMs: number): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  try {
    await (await open(breaker, "wx", 0o600)).close();
  } catch (error) {
    if (code(error) !== "EEXIST") throw error;
    // A breaker is held for a few file calls; an old one was left by a crash.
    const age = await stat(breaker).then((info) => Date.now() - info.mtimeMs, () => 0);
    if (age > staleMs) await unlink(breaker).catch(() => {});
    return false;
  }
  try {
    if (await isStale(lockPath, staleMs)) await unlink(lockPath).catch(() => {});
    return true;
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    const pid = Number(text);
    // An empty lock is one being written right now, unless it is old.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) return true;
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === "EPERM";
  }
}

export function code(error: unknown): string | undefined {
  return error !== null && typeof error === "object" && "code" in error ? String(error.code) : undefined;
}
