import type { AttemptCounterFactory } from '@gatehouse/core';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * A Redis client that rate-limiter-flexible can drive: an `ioredis` instance, or a connected
 * `redis` (node-redis 4+) client. Typed loosely so neither package is a dependency of Gatehouse.
 */
export type RedisClientLike = object;

/** node-redis 4+ clients have `isOpen`; ioredis clients have `status`. */
function isNodeRedis(client: RedisClientLike): boolean {
  return typeof (client as { isOpen?: unknown }).isOpen === 'boolean';
}

/**
 * The login guard's counters over rate-limiter-flexible: in memory (one process), or in Redis so
 * every instance counts together. With Redis, an in-memory limiter stands in while Redis is
 * unreachable (rate-limiter-flexible's insurance limiter): an outage of the counter store must
 * neither open the gates entirely nor take logins down.
 */
export function rateLimiterCounters(store: 'memory' | RedisClientLike, keyPrefix = 'gatehouse'): AttemptCounterFactory {
  return (name, limit) => {
    const options = { points: limit.points, duration: limit.durationSec, keyPrefix: `${keyPrefix}:${name}` };
    const limiter: RateLimiterAbstract =
      store === 'memory'
        ? new RateLimiterMemory(options)
        : new RateLimiterRedis({
            ...options,
            storeClient: store,
            useRedisPackage: isNodeRedis(store),
            // A client that is reconnecting fails over to the insurance limiter at once instead of queueing.
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          });
    return {
      // penalty() counts without ever rejecting: what the count means is the guard's decision.
      async hit(key) {
        const res = await limiter.penalty(key, 1);
        return { count: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) };
      },
      async peek(key) {
        const res = await limiter.get(key);
        return res ? { count: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) } : null;
      },
      async reset(key) {
        await limiter.delete(key);
      },
      async release(key) {
        await limiter.reward(key, 1);
      },
    };
  };
}
