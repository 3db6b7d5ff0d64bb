import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPasswordHasher, hashingSlots } from '../src/index.js';

describe('hashing slots', () => {
  const hasher = createPasswordHasher();

  it('runs at most one hash per core, and leaves a thread-pool thread free', () => {
    const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
    assert.equal(hashingSlots.concurrency, Math.max(1, Math.min(availableParallelism(), pool - 1)));
  });

  it('keeps file reads (and so SQLite queries) moving during a burst of logins', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    const finished: string[] = [];
    const burst = Array.from({ length: 12 }, (_, i) =>
      hasher.verify(stored, i % 2 ? 'correct horse battery staple' : 'wrong').then((ok) => {
        finished.push(`hash ${i} ${ok}`);
      }),
    );
    // Without the limit the twelve hashes queue in libuv's pool ahead of the read (four pool trips:
    // open, stat, read, close), so it ends only after eight or nine of them; with it, the read
    // has a thread of its own and ends among the first (scheduling on a busy machine aside).
    const read = readFile(fileURLToPath(import.meta.url)).then(() => finished.push('read'));
    await Promise.all([...burst, read]);
    assert.equal(finished.length, 13);
    assert.ok(finished.indexOf('read') < 4, finished.join(', '));
  });
});
