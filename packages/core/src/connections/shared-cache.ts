import type { Clock } from '../clock.js';
import type { CacheStore } from '../ports.js';

/**
 * A short-lived key/value cache shared by every instance of the app: SAML request ids, assertion
 * replay markers, login transactions. Entries vanish at their expiry.
 */
export interface SharedCache {
  /** Stores `value` unless an unexpired entry has the key; resolves true when stored. Of concurrent adds of one key exactly one wins (a replay check). */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The unexpired value, or null. */
  get(key: string): Promise<string | null>;
  /** Removes the entry and resolves to its unexpired value, or null; of concurrent takes exactly one gets it. */
  take(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
}

/** Keys longer than this are refused: they end up in an indexed column. */
export const MAX_CACHE_KEY_LENGTH = 255;

/**
 * A SharedCache over the storage layer's cache table, with keys under `namespace` so two
 * connections (or two features) never read each other's entries.
 */
export function storageCache(store: CacheStore, clock: Clock, namespace: string): SharedCache {
  const keyOf = (key: string) => {
    const full = `${namespace}:${key}`;
    if (full.length > MAX_CACHE_KEY_LENGTH) throw new TypeError(`cache key too long (${full.length} > ${MAX_CACHE_KEY_LENGTH})`);
    return full;
  };
  return {
    add: (key, value, ttlMs) => {
      const now = clock();
      return store.cacheAdd(keyOf(key), value, new Date(now.getTime() + ttlMs), now);
    },
    get: (key) => store.cacheGet(keyOf(key), clock()),
    take: (key) => store.cacheTake(keyOf(key), clock()),
    delete: (key) => store.cacheDelete(keyOf(key)),
  };
}
