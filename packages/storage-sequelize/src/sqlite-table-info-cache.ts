/**
 * Sequelize's SQLite dialect asks `PRAGMA table_info` of every table a SELECT reads, before each
 * SELECT, to learn the column types it parses values by. That is one more trip to node-sqlite3's
 * worker thread per table per query: a signed-in request's one session lookup became two, and a
 * user lookup with its identities three. The answer only changes with the schema, so each
 * instance remembers it, and forgets it whenever a statement that changes the schema runs on any
 * of its connections (migrations do). A schema changed by another process while this one runs
 * (an upgrade migrating the same file) is seen after a restart, which such an upgrade needs anyway.
 */

/** The part of a node-sqlite3 Database this module wraps. */
export interface SqliteCallbackDatabase {
  all(sql: string, ...rest: unknown[]): unknown;
  run(sql: string, ...rest: unknown[]): unknown;
  exec(sql: string, ...rest: unknown[]): unknown;
}

type Rows = unknown[];
type Callback = (err: Error | null, rows?: Rows) => void;

/** Exactly the form the dialect's Query.run sends (describeTable's upper-case form is never cached). */
const TABLE_INFO = /^PRAGMA table_info\(`([^`]+)`\)$/u;
const SCHEMA_CHANGE = /^\s*(?:ALTER|CREATE|DROP)\s/iu;

/** Answers the dialect's `PRAGMA table_info` from `cache` on `db`, and clears `cache` on DDL. Call once per connection. */
export function cacheTableInfo(db: SqliteCallbackDatabase, cache: Map<string, Rows>): void {
  const { all, run, exec } = db;
  db.all = function (this: unknown, sql: string, ...rest: unknown[]) {
    const table = TABLE_INFO.exec(sql)?.[1];
    const callback = rest[0];
    if (table === undefined || rest.length !== 1 || typeof callback !== 'function') {
      if (SCHEMA_CHANGE.test(sql)) cache.clear();
      return all.call(this, sql, ...rest);
    }
    const known = cache.get(table);
    if (known) {
      process.nextTick(callback as Callback, null, known);
      return this;
    }
    return all.call(this, sql, (err: Error | null, rows?: Rows) => {
      if (!err && rows) cache.set(table, rows);
      (callback as Callback)(err, rows);
    });
  };
  db.run = function (this: unknown, sql: string, ...rest: unknown[]) {
    if (SCHEMA_CHANGE.test(sql)) cache.clear();
    return run.call(this, sql, ...rest);
  };
  db.exec = function (this: unknown, sql: string, ...rest: unknown[]) {
    if (SCHEMA_CHANGE.test(sql)) cache.clear();
    return exec.call(this, sql, ...rest);
  };
}
