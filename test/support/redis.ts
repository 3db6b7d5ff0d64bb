import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/** The machine's Redis (GATEHOUSE_TEST_REDIS_URL to override). */
export const TEST_REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses, so tests share the machine's Redis without seeing each other. */
export function testRedisPrefix(): string {
  return `gatehouse-test-${randomBytes(5).toString('hex')}:`;
}

type Client = ReturnType<typeof createClient>;

/** A connected client of the test Redis, for looking at what Gatehouse stored. */
export async function testRedisClient(url = TEST_REDIS_URL): Promise<Client> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The keys under `prefix`. */
export async function keysUnder(client: Client, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
  return keys;
}

/** Deletes the keys under `prefix` (a test's own). */
export async function dropKeys(client: Client, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(keys);
}

/**
 * For a mocha `before` hook: skips the suite (reason on stderr) when Redis does not answer,
 * except on CI (`CI=true`), where that fails the run.
 */
export async function requireTestRedis(context: Mocha.Context): Promise<void> {
  const client = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    client.destroy();
  } catch {
    const reason = `the test Redis at ${TEST_REDIS_URL} does not answer`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: not skipping).`);
    console.warn(`      skipped: ${reason}`);
    context.skip();
  }
}
