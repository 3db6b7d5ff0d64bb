import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Sequelize, Transaction, type Options, type TransactionOptions } from 'sequelize';
import type { Dialect, ResolvedOptions } from './options.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { sqliteFileLock, WriteLock } from './write-lock.js';

/** A Sequelize instance set up for Gatehouse, and how writes must be run on it. */
export interface Connection {
  sequelize: Sequelize;
  dialect: Dialect;
  /** Whether close() should close the instance (not when the caller passed it in). */
  owned: boolean;
  /** SQLite only: the in-process queue every write goes through (see write-lock.ts). */
  writeLock: WriteLock | null;
  /**
   * How Gatehouse's transactions begin. SQLite: IMMEDIATE, taking the write lock up front.
   * MySQL/MariaDB: READ COMMITTED, as PostgreSQL's default. Under InnoDB's default (repeatable
   * read) a DELETE that finds nothing gap-locks around the key, and two transactions that then
   * insert into each other's gap deadlock: 8 of 16 concurrent sign-ups failed that way (a new
   * user's metadata rows are replaced, delete then insert). Row locks (FOR UPDATE) and unique
   * checks are the same in both levels, and every read-modify-write here takes its row lock.
   */
  transactionOptions: TransactionOptions;
}

const memoryLocks = new WeakMap<Sequelize, WriteLock>();

/** Opens (lazily: Sequelize connects on the first query) the database the options name. */
export function connect(options: ResolvedOptions): Connection {
  const { source } = options;
  const common: Options = { logging: options.logging };
  let sequelize: Sequelize;
  let owned = true;
  switch (source.kind) {
    case 'instance':
      sequelize = source.sequelize;
      owned = false;
      break;
    case 'sqlite-memory':
      sequelize = new Sequelize({ ...common, dialect: 'sqlite', storage: ':memory:' });
      break;
    case 'sqlite-file':
      mkdirSync(dirname(source.storage), { recursive: true });
      sequelize = new Sequelize({ ...common, dialect: 'sqlite', storage: source.storage });
      break;
    case 'url':
      sequelize = new Sequelize(source.url, {
        ...common,
        dialect: source.dialect === 'postgres' ? 'postgres' : 'mysql',
        // A short connect timeout turns an unreachable database into a failed request, not a hang.
        dialectOptions:
          source.dialect === 'postgres'
            ? { connectionTimeoutMillis: options.connectTimeoutMs }
            : { connectTimeout: options.connectTimeoutMs, charset: 'utf8mb4' },
        pool: { max: 10, min: 0, idle: 10_000, acquire: options.connectTimeoutMs + 30_000 },
      });
      break;
  }
  const sqlite = source.dialect === 'sqlite';
  if (sqlite) applySqlitePragmas(sequelize, options.busyTimeoutMs);
  return {
    sequelize,
    dialect: source.dialect,
    owned,
    writeLock: sqlite ? sqliteLockFor(sequelize) : null,
    transactionOptions: sqlite
      ? { type: Transaction.TYPES.IMMEDIATE }
      : source.dialect === 'postgres'
        ? {}
        : { isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED },
  };
}

function sqliteLockFor(sequelize: Sequelize): WriteLock {
  const storage = (sequelize as unknown as { options: { storage?: string } }).options.storage;
  if (storage && storage !== ':memory:') return sqliteFileLock(storage);
  // An in-memory database lives in its one connection: the lock is per instance.
  let lock = memoryLocks.get(sequelize);
  if (!lock) {
    lock = new WriteLock();
    memoryLocks.set(sequelize, lock);
  }
  return lock;
}
