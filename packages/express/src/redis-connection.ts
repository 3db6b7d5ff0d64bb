import { GatehouseError } from '@gatehouse/core';
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { RedisClientLike } from './rate-limiter-counters.js';

/**
 * `identity({ redis })`: a Redis server shared by every instance of the app, for sessions, rate
 * limit and brute-force counters, and the shared cache. Either a URL (identity() makes, connects
 * and closes the client) or a node-redis 5 client of the host's (the host connects and closes it).
 */
export type RedisOption =
  | {
      /** `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS. */
      url: string;
      /** Prefix of every key Gatehouse writes, so apps can share a server. @default 'gatehouse:' */
      prefix?: string;
    }
  | {
      /** A node-redis 5 client (`createClient()` from `redis`); ioredis is not supported (connect-redis 9 needs node-redis). */
      client: RedisClientLike;
      /** @default 'gatehouse:' */
      prefix?: string;
    };

/** The commands Gatehouse sends, typed for what it uses of node-redis. */
export interface RedisCommands {
  isOpen: boolean;
  isReady: boolean;
  sendCommand<T = unknown>(args: string[]): Promise<T>;
}

/** The resolved `redis` option: the client, whether identity() owns it, and the key prefix. */
export interface GatehouseRedis {
  client: RedisCommands & RedisClientLike;
  owned: boolean;
  prefix: string;
}

/**
 * How long a command may take before the request fails with 503. The client identity() makes
 * also refuses commands at once while it is reconnecting (no offline queue), so an outage answers
 * 503 quickly instead of holding requests until Redis returns.
 */
const COMMAND_TIMEOUT_MS = 2000;

/** Validates `redis` and makes the client for a URL (not connected yet: that is start-up's job). */
export function resolveRedisOption(input: unknown): GatehouseRedis | null {
  if (input === undefined) return null;
  const fail = (expected: string): never => {
    throw new TypeError(`identity(): option "redis" must be ${expected}`);
  };
  if (input === null || typeof input !== 'object') fail('{ url } or { client }');
  const { url, client, prefix = 'gatehouse:' } = input as { url?: unknown; client?: unknown; prefix?: unknown };
  if (typeof prefix !== 'string' || !/^[\x21-\x7e]{1,64}$/u.test(prefix)) fail('given a prefix of 1 to 64 printable characters (redis.prefix)');
  if ((url === undefined) === (client === undefined)) fail('{ url } or { client }, one of the two');
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^rediss?:\/\/[^\s]+$/u.test(url)) fail('given a redis:// or rediss:// URL (redis.url)');
    const made = createClient({
      url: url as string,
      disableOfflineQueue: true,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
    });
    return { client: made as unknown as GatehouseRedis['client'], owned: true, prefix: prefix as string };
  }
  const c = client as Partial<RedisCommands> | null;
  if (c === null || typeof c !== 'object' || typeof c.sendCommand !== 'function' || typeof c.isOpen !== 'boolean') {
    fail('given a node-redis 5 client (redis.client: createClient() from the redis package)');
  }
  return { client: c as GatehouseRedis['client'], owned: false, prefix: prefix as string };
}

/**
 * Connects a client identity() made, waiting at most `waitMs`: past that, start-up goes on and
 * requests that need Redis answer 503 until the client (which keeps retrying) gets through.
 * Connection errors are logged once per outage, not once per retry.
 */
export async function connectRedis(redis: GatehouseRedis, logger: Pick<Console, 'warn' | 'info'>, waitMs = 10_000): Promise<void> {
  if (!redis.owned) return;
  const client = redis.client as unknown as { on(event: string, fn: (arg?: unknown) => void): void; connect(): Promise<unknown> };
  let down = false;
  client.on('error', (err) => {
    if (down) return;
    down = true;
    logger.warn('[gatehouse] Redis unreachable (requests that need it answer 503 until it is back):', (err as Error | undefined)?.message ?? err);
  });
  client.on('ready', () => {
    if (down) logger.info('[gatehouse] Redis reachable again.');
    down = false;
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.connect().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/** Closes a client identity() made (the host's own client is the host's to close). */
export async function closeRedis(redis: GatehouseRedis): Promise<void> {
  if (!redis.owned) return;
  const client = redis.client as unknown as { isOpen: boolean; close?(): Promise<unknown>; destroy(): void };
  if (!client.isOpen) return;
  if (redis.client.isReady && client.close) await client.close().catch(() => client.destroy());
  else client.destroy();
}

/** Turns a Redis failure into the 503 a request answers. */
export function redisUnavailable(err: unknown, code: 'session_store_unavailable' | 'storage_unavailable' = 'session_store_unavailable'): GatehouseError {
  return new GatehouseError(code, { cause: err });
}

const shas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA-1 (EVALSHA), loading it with EVAL the first time a server has not
 * seen it. Refuses at once while the client is not ready, so a host's client with an offline queue
 * cannot hold a request until Redis returns.
 */
export async function runScript<T>(redis: GatehouseRedis, script: string, keys: string[], args: string[]): Promise<T> {
  if (!redis.client.isReady) throw new Error('Redis client is not ready');
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await redis.client.sendCommand<T>(['EVALSHA', sha, String(keys.length), ...keys, ...args]);
  } catch (err) {
    // Redis names the condition only in the reply text.
    if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
    return redis.client.sendCommand<T>(['EVAL', script, String(keys.length), ...keys, ...args]);
  }
}

/** One command, refused at once while the client is not ready (see runScript). */
export async function command<T>(redis: GatehouseRedis, args: string[]): Promise<T> {
  if (!redis.client.isReady) throw new Error('Redis client is not ready');
  return redis.client.sendCommand<T>(args);
}
