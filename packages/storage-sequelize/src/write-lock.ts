import { resolve } from 'node:path';

/** Runs async sections one after another, in call order. */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const fileLocks = new Map<string, WriteLock>();

/**
 * The in-process write lock of one SQLite file, shared by every storage of this process that
 * opens it.
 *
 * SQLite has one writer at a time. Left to `busy_timeout` alone, many concurrent transactions
 * each sit in `BEGIN IMMEDIATE` polling for the lock inside node-sqlite3's worker threads; with
 * libuv's 4 threads taken by waiters, the holder cannot run its COMMIT and everyone times out
 * with SQLITE_BUSY. Queueing our own writers here leaves busy_timeout for other processes only.
 */
export function sqliteFileLock(storage: string): WriteLock {
  const key = resolve(storage);
  let lock = fileLocks.get(key);
  if (!lock) {
    lock = new WriteLock();
    fileLocks.set(key, lock);
  }
  return lock;
}
