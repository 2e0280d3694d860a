/**
 * Runs `action` holding an exclusive advisory lock (flock) on `lockPath`, so that writers in other
 * processes, and concurrent calls in this one, wait their turn. The operating system drops the
 * lock when its holder dies, so a killed process never leaves a lock behind (a lock file made with
 * `createNew` would, and telling a dead owner from a live one needs `--allow-run`). The lock file
 * itself stays: removing it would let two writers lock two different files.
 */
export async function withFileLock<T>(lockPath: string, action: () => Promise<T>): Promise<T> {
  const file = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  try {
    await file.lock(true);
    return await action();
  } finally {
    // Closing the file releases the lock.
    file.close();
  }
}
