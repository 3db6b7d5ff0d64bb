import type { Sequelize } from 'sequelize';
import { cacheTableInfo, type SqliteCallbackDatabase } from './sqlite-table-info-cache.js';

/** The part of a node-sqlite3 Database this module uses. */
interface SqliteDatabase extends SqliteCallbackDatabase {
  run(sql: string, callback: (err: Error | null) => void): unknown;
}

interface SqliteConnectionManager {
  getConnection(options?: unknown): Promise<SqliteDatabase>;
}

const configured = new WeakMap<SqliteDatabase, Promise<void>>();
const patched = new WeakSet<object>();

function run(db: SqliteDatabase, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (err) => (err ? reject(err) : resolve())));
}

/**
 * Applies Gatehouse's PRAGMAs to every SQLite connection the instance opens.
 *
 * Sequelize's sqlite dialect does not use its pool: it opens a separate sqlite3 Database for
 * each transaction (and one shared "default" one for everything else), and it never runs the
 * `afterConnect` hook for them. Per-connection settings — `busy_timeout` above all, which is
 * what makes a second process wait for the write lock instead of failing — must therefore be
 * applied where connections are handed out, so this wraps `connectionManager.getConnection`.
 * `journal_mode=WAL` lets readers go on while one connection writes, and it persists in the
 * file; `foreign_keys` gives the ON DELETE CASCADE that deleteUser relies on.
 */
export function applySqlitePragmas(sequelize: Sequelize, busyTimeoutMs: number): void {
  const manager = (sequelize as unknown as { connectionManager: SqliteConnectionManager }).connectionManager;
  if (patched.has(manager)) return;
  patched.add(manager);
  // One table_info cache for all of this instance's connections (see sqlite-table-info-cache.ts).
  const tableInfo = new Map<string, unknown[]>();
  const getConnection = manager.getConnection.bind(manager);
  manager.getConnection = async (options?: unknown) => {
    const db = await getConnection(options);
    let ready = configured.get(db);
    if (!ready) {
      cacheTableInfo(db, tableInfo);
      ready = (async () => {
        // busy_timeout first, so the journal_mode switch itself waits for other processes.
        await run(db, `PRAGMA busy_timeout = ${busyTimeoutMs}`);
        await run(db, 'PRAGMA foreign_keys = ON');
        await run(db, 'PRAGMA journal_mode = WAL');
        // In WAL mode NORMAL syncs at checkpoints instead of at every commit: a crash of the
        // process loses nothing, a power cut may lose the last commits but never corrupts the
        // file (SQLite's recommended setting for WAL). FULL made every login pay ~4 fsyncs.
        await run(db, 'PRAGMA synchronous = NORMAL');
      })();
      configured.set(db, ready);
    }
    await ready;
    return db;
  };
}
