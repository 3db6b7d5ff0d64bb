import { MAX_CACHE_KEY_LENGTH, type SharedCache } from '@gatehouse/core';
import { command, redisUnavailable, type GatehouseRedis } from './redis-connection.js';

/**
 * The shared cache (SAML request ids and assertion replay markers, login transactions) in Redis,
 * with the same contract as the database's cache table: `add` is SET NX (of concurrent adds of a
 * key exactly one wins), `take` is GETDEL (of concurrent takes exactly one gets the value), and
 * entries expire with Redis's own TTL. Keys are namespaced as in storageCache.
 */
export function redisCache(redis: GatehouseRedis, namespace: string): SharedCache {
  const keyOf = (key: string) => {
    const full = `${namespace}:${key}`;
    if (full.length > MAX_CACHE_KEY_LENGTH) throw new TypeError(`cache key too long (${full.length} > ${MAX_CACHE_KEY_LENGTH})`);
    return `${redis.prefix}cache:${full}`;
  };
  const run = async <T>(args: string[]): Promise<T> => {
    try {
      return await command<T>(redis, args);
    } catch (err) {
      throw redisUnavailable(err, 'storage_unavailable');
    }
  };
  return {
    add: async (key, value, ttlMs) => (await run<string | null>(['SET', keyOf(key), value, 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))])) === 'OK',
    get: (key) => run<string | null>(['GET', keyOf(key)]),
    take: (key) => run<string | null>(['GETDEL', keyOf(key)]),
    delete: async (key) => {
      await run(['DEL', keyOf(key)]);
    },
  };
}
