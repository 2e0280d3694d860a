import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rmdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { EnvelopeFs } from "@pushflow/core/file-store";
import { lock, type LockOptions as ProperLockOptions } from "proper-lockfile";

/*
 * Core's file-store primitives on node:fs. This file is the same in @pushflow/node and
 * @pushflow/server (a server test compares them): the server binds core's file store itself
 * rather than depend on the Node adapter, and a directory both use must see one lock.
 */

export interface LockOptions {
  /**
   * A lock not refreshed for this long was left by a dead writer (kill -9) and is broken; default
   * and floor 2000 ms. Its holder refreshes it every `staleMs / 2`.
   */
  readonly staleMs?: number;
  /** Give up waiting after this long; default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * 2 s, proper-lockfile's floor. The lock is held for one read and one rename (milliseconds) and
 * refreshed every second meanwhile, so only a holder frozen for over a second can lose it (then
 * its operation rejects, see below); a writer killed holding it delays the next save by at most
 * this long, where the former 10 s made a resumed CLI give up its save.
 */
export const DEFAULT_STALE_MS = 2_000;

/**
 * How long a waiter polls a held lock: a live holder keeps it milliseconds, a dead one holds it
 * up to the stale time (plus up to 1 s: proper-lockfile stamps a new lock at the next second).
 */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_WAIT_MS = 100;
/** proper-lockfile's stale time: never, as a stale lock is broken here instead (see breakIfStale). */
const NEVER_STALE = 2 ** 31;

/**
 * Runs `action` holding `<path>.lock`, proper-lockfile's lock: a directory made with mkdir
 * (atomic, so there is no half-written lock), kept fresh by its holder, and taken for stale by
 * its mtime (then broken by one waiter at a time: see breakIfStale). Writers in other processes,
 * and in this one, wait for it.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const stale = Math.max(options.staleMs ?? DEFAULT_STALE_MS, DEFAULT_STALE_MS);
  // proper-lockfile throws from a timer when the lock is lost (its default would crash the
  // process): the operation under it rejects instead, since another writer may have gone in.
  let compromised: Error | undefined;
  const lockOptions = { stale: NEVER_STALE, update: stale / 2, realpath: false, onCompromised: (error: Error) => void (compromised = error) };
  const release = await acquire(path, lockOptions, stale, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let result: T;
  try {
    result = await action();
  } finally {
    if (compromised === undefined) await release().catch(() => {});
  }
  if (compromised !== undefined) throw new Error(`pushflow: the lock ${path}.lock was lost while held (${compromised.message})`);
  return result;
}

/**
 * Polls the lock until it is free or stale. Retried here rather than with proper-lockfile's
 * `retries`, which would retry any error: a missing directory (ENOENT, no entry) fails at once.
 */
async function acquire(path: string, lockOptions: ProperLockOptions, stale: number, timeoutMs: number): Promise<() => Promise<void>> {
  const giveUpAt = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 1.5, MAX_WAIT_MS)) {
    try {
      return await lock(path, lockOptions);
    } catch (error) {
      if (code(error) !== "ELOCKED") throw error;
      if (await breakIfStale(`${path}.lock`, stale)) continue;
      if (Date.now() > giveUpAt) throw new Error(`pushflow: ${path}.lock is held by another writer`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Removes the lock at `lockPath` if its holder stopped refreshing it `stale` ms ago (a writer
 * killed holding it; a file is the lock of pushflow's former hand-written lock, left by a crash);
 * true when the lock is gone (then the caller tries again at once).
 *
 * One waiter at a time, under `<lock>.break` (mkdir), and only after looking at the lock again
 * under it. proper-lockfile breaks a stale lock with stat, rmdir, mkdir: two waiters that both
 * saw it stale could remove it one after the other, the second removing the fresh lock the first
 * had just made in its place, and both held it (moxystudio/node-proper-lockfile#121). A breaker
 * killed within its few milliseconds leaves `<lock>.break`, broken in turn once as old.
 */
async function breakIfStale(lockPath: string, stale: number): Promise<boolean> {
  const look = async (path: string) => {
    const info = await stat(path).catch(ignoreAbsent);
    return { info, stale: info !== undefined && Date.now() - info.mtimeMs > stale };
  };
  const first = await look(lockPath);
  if (!first.stale) return first.info === undefined;
  const breakPath = `${lockPath}.break`;
  try {
    await mkdir(breakPath);
  } catch (error) {
    if (code(error) !== "EEXIST") throw error;
    if ((await look(breakPath)).stale) await rmdir(breakPath).catch(() => {});
    return false;
  }
  try {
    const { info, stale: still } = await look(lockPath);
    if (info !== undefined && still) await (info.isDirectory() ? rmdir(lockPath) : unlink(lockPath)).catch(ignoreAbsent);
    return info === undefined || still;
  } finally {
    await rmdir(breakPath).catch(() => {});
  }
}

/** For a `.catch`: a file already gone is no error. */
function ignoreAbsent(error: unknown): undefined {
  if (code(error) !== "ENOENT") throw error;
  return undefined;
}

/** Core's `EnvelopeFs` on node:fs, one lock per entry (`<file>.lock`): keys never wait on each other. */
export function nodeEnvelopeFs(options: LockOptions = {}): EnvelopeFs {
  return {
    readText: (path) => readFile(path, "utf8"),
    remove: unlink,
    ensureDirFor: async (path) => void (await mkdir(dirname(path), { recursive: true, mode: 0o700 })),
    writeAtomically,
    locked: (path, action) => withFileLock(path, action, options),
    isAbsent: (error) => code(error) === "ENOENT",
    describe: (error) => code(error) ?? String(error),
  };
}

/** Writes a new file mode 0600 beside `path`, then renames it over `path`. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

export function code(error: unknown): string | undefined {
  return error !== null && typeof error === "object" && "code" in error ? String(error.code) : undefined;
}
