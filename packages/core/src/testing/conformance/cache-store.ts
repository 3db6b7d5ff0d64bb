import assert from 'node:assert/strict';
import { unique, type StorageRef } from './fixtures.js';

const MINUTE = 60_000;

/** cacheAdd, cacheGet, cacheTake, cacheDelete and sweepCache. */
export function describeCacheStore(storage: StorageRef): void {
  describe('shared cache', () => {
    const later = (now: Date, ms: number) => new Date(now.getTime() + ms);

    it('adds an entry once and reads it back until it expires', async () => {
      const key = `k-${unique()}`;
      const now = new Date();
      assert.equal(await storage().cacheAdd(key, 'first', later(now, MINUTE), now), true);
      assert.equal(await storage().cacheAdd(key, 'second', later(now, MINUTE), now), false);
      assert.equal(await storage().cacheGet(key, now), 'first');
      assert.equal(await storage().cacheGet(key, later(now, MINUTE)), null, 'expiry is exclusive');
    });

    it('lets an expired entry be added again', async () => {
      const key = `k-${unique()}`;
      const now = new Date();
      assert.equal(await storage().cacheAdd(key, 'old', later(now, 1000), now), true);
      const afterExpiry = later(now, 1000);
      assert.equal(await storage().cacheAdd(key, 'new', later(afterExpiry, MINUTE), afterExpiry), true);
      assert.equal(await storage().cacheGet(key, afterExpiry), 'new');
    });

    it('takes an entry exactly once, and not after its expiry', async () => {
      const key = `k-${unique()}`;
      const now = new Date();
      await storage().cacheAdd(key, 'v', later(now, MINUTE), now);
      assert.equal(await storage().cacheTake(key, now), 'v');
      assert.equal(await storage().cacheTake(key, now), null);
      assert.equal(await storage().cacheGet(key, now), null);
      const expiring = `k-${unique()}`;
      await storage().cacheAdd(expiring, 'v', later(now, 10), now);
      assert.equal(await storage().cacheTake(expiring, later(now, 10)), null);
    });

    it('of 20 concurrent adds of one key, exactly one wins', async () => {
      const key = `k-${unique()}`;
      const now = new Date();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => storage().cacheAdd(key, `v${i}`, later(now, MINUTE), now)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('of 20 concurrent takes of one key, at most one gets the value', async () => {
      const key = `k-${unique()}`;
      const now = new Date();
      await storage().cacheAdd(key, 'once', later(now, MINUTE), now);
      const results = await Promise.all(Array.from({ length: 20 }, () => storage().cacheTake(key, now)));
      assert.deepEqual(results.filter((r) => r !== null), ['once']);
    });

    it('keeps long values and keys of 255 characters', async () => {
      const key = `k-${unique()}-`.padEnd(255, 'x');
      const value = 'v'.repeat(8000);
      const now = new Date();
      assert.equal(await storage().cacheAdd(key, value, later(now, MINUTE), now), true);
      assert.equal(await storage().cacheGet(key, now), value);
    });

    it('deletes an entry, and sweeps only expired ones', async () => {
      const now = new Date();
      const gone = `k-${unique()}`;
      await storage().cacheAdd(gone, 'v', later(now, MINUTE), now);
      await storage().cacheDelete(gone);
      assert.equal(await storage().cacheGet(gone, now), null);
      const expired = `k-${unique()}`;
      const kept = `k-${unique()}`;
      await storage().cacheAdd(expired, 'v', later(now, 5), now);
      await storage().cacheAdd(kept, 'v', later(now, MINUTE), now);
      assert.ok((await storage().sweepCache(later(now, 10))) >= 1);
      assert.equal(await storage().cacheAdd(expired, 'again', later(now, MINUTE), later(now, 10)), true);
      assert.equal(await storage().cacheGet(kept, later(now, 10)), 'v');
    });
  });
}
