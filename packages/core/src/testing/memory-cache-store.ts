import type { CacheStore } from '../ports.js';

/**
 * The reference cache store. Each method runs without an `await`, so on Node's single thread
 * add-if-absent and take are atomic, which is what the replay checks rely on.
 */
export function createMemoryCacheStore(assertOpen: () => void): CacheStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string, now: Date) => {
    const entry = entries.get(key);
    return entry && entry.expiresAt > now.getTime() ? entry : undefined;
  };
  return {
    async cacheAdd(key, value, expiresAt, now) {
      assertOpen();
      if (live(key, now)) return false;
      entries.set(key, { value, expiresAt: expiresAt.getTime() });
      return true;
    },
    async cacheGet(key, now) {
      assertOpen();
      return live(key, now)?.value ?? null;
    },
    async cacheTake(key, now) {
      assertOpen();
      const entry = live(key, now);
      entries.delete(key);
      return entry?.value ?? null;
    },
    async cacheDelete(key) {
      assertOpen();
      entries.delete(key);
    },
    async sweepCache(now) {
      assertOpen();
      let removed = 0;
      for (const [key, entry] of entries) {
        if (entry.expiresAt <= now.getTime()) {
          entries.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
