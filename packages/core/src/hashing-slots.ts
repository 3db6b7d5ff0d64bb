import { availableParallelism } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';

/**
 * How many password hashes (Argon2id, bcrypt, imported digests) a process computes at once.
 *
 * Hashing runs on libuv's thread pool (4 threads by default), which node-sqlite3, file reads and
 * DNS share. Left alone, a login storm fills every thread with 19 MiB Argon2 runs: more runs than
 * cores only time-slice (measured here: 4 at once on 2 cores give a quarter fewer hashes per
 * second than 2 at once, their memory evicting each other from the cache), and every query queues
 * behind them, so signed-in requests stall while logins go on. One slot per core, and always one
 * pool thread left free, keeps both. A machine with more cores than that wants a larger
 * `UV_THREADPOOL_SIZE` (set before Node starts); `hashingSlots.concurrency` changes the limit.
 */
export const hashingSlots: LimitFunction = pLimit(defaultSlots());

function defaultSlots(): number {
  const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}
