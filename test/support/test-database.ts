import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';

/** The databases tests can run against, chosen with GATEHOUSE_TEST_DB. */
export type TestDatabaseKind = 'sqlite' | 'postgres' | 'mariadb';

const DEFAULT_URLS = {
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
  mariadb: 'mysql://root@127.0.0.1:3306/test',
} as const;

/** `GATEHOUSE_TEST_DB`: sqlite (default), postgres or mariadb. */
export function testDatabaseKind(): TestDatabaseKind {
  const kind = process.env.GATEHOUSE_TEST_DB ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres' && kind !== 'mariadb') {
    throw new TypeError(`GATEHOUSE_TEST_DB must be sqlite, postgres or mariadb, got "${kind}".`);
  }
  return kind;
}

/** A new temp directory path for a SQLite test file; the directory itself is not created. */
export function sqliteTempPath(): string {
  return join(tmpdir(), `gatehouse-test-${process.pid}-${randomBytes(6).toString('hex')}`, 'gatehouse.sqlite');
}

/**
 * The URL of the test database. For SQLite a fresh file under the OS temp dir (not `:memory:`,
 * so Sequelize's per-transaction connections are real); for PostgreSQL and MariaDB the shared
 * database of GATEHOUSE_TEST_POSTGRES_URL / GATEHOUSE_TEST_MARIADB_URL or the local default.
 */
export async function testDatabaseUrl(kind: TestDatabaseKind = testDatabaseKind()): Promise<string> {
  switch (kind) {
    case 'sqlite':
      return `sqlite:${sqliteTempPath()}`;
    case 'postgres':
      return process.env.GATEHOUSE_TEST_POSTGRES_URL ?? DEFAULT_URLS.postgres;
    case 'mariadb':
      return process.env.GATEHOUSE_TEST_MARIADB_URL ?? DEFAULT_URLS.mariadb;
  }
}

const FRESH_PREFIX = 'gatehouse_t_';

/**
 * A database of its own, for a test that needs an empty one (e.g. first start): a new SQLite file,
 * or a new database on the PostgreSQL / MariaDB server. Drop it with removeTestDatabase().
 */
export async function freshTestDatabaseUrl(kind: TestDatabaseKind = testDatabaseKind()): Promise<string> {
  const shared = await testDatabaseUrl(kind);
  if (kind === 'sqlite') return shared;
  const name = `${FRESH_PREFIX}${randomBytes(6).toString('hex')}`;
  await adminQuery(shared, `CREATE DATABASE ${name}`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  return url.href;
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const storage = createSequelizeStorage({ url, connectTimeoutMs: 3000 });
  try {
    await storage.sequelize.query(sql);
  } finally {
    await storage.close();
  }
}

/** Removes a SQLite test file's directory, or drops a database made by freshTestDatabaseUrl(); shared databases are left alone. */
export async function removeTestDatabase(url: string): Promise<void> {
  if (/^(postgres|mysql|mariadb)/u.test(url)) {
    const name = new URL(url).pathname.slice(1);
    if (!name.startsWith(FRESH_PREFIX)) return;
    await adminQuery(await testDatabaseUrl(), `DROP DATABASE IF EXISTS ${name}`);
    return;
  }
  if (!url.startsWith('sqlite:') || url === 'sqlite::memory:') return;
  const file = url.slice('sqlite:'.length);
  await rm(join(file, '..'), { recursive: true, force: true });
}

/** Why the test database cannot be used, or null when it answers. */
export async function testDatabaseUnreachable(url: string): Promise<string | null> {
  if (url.startsWith('sqlite:')) return null;
  const storage = createSequelizeStorage({ url, connectTimeoutMs: 3000 });
  try {
    return (await storage.ping?.()) ? null : `the ${testDatabaseKind()} test database at ${redact(url)} does not answer`;
  } finally {
    await storage.close();
  }
}

/**
 * For a mocha `before` hook: skips the suite (with the reason on stderr) when the test database
 * is unreachable, except on CI (`CI=true`), where an unreachable database fails the run.
 */
export async function requireTestDatabase(context: Mocha.Context, url: string): Promise<void> {
  const reason = await testDatabaseUnreachable(url);
  if (reason === null) return;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: not skipping).`);
  console.warn(`      skipped: ${reason}`);
  context.skip();
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
