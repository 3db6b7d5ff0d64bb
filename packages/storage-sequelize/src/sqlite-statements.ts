import type { Sequelize } from 'sequelize';
import { finalize, StatementCache, type Finalizable } from './sqlite-statement-cache.js';

/** The part of a node-sqlite3 Statement this module uses. */
interface Statement extends Finalizable {
  all(params: unknown[], callback: (err: Error | null, rows?: unknown[]) => void): unknown;
  run(params: unknown[], callback: (this: { changes: number }, err: Error | null) => void): unknown;
}

interface Database {
  prepare(sql: string, callback: (err: Error | null) => void): Statement;
}

interface ConnectionManager {
  getConnection(options: object): Promise<Database>;
}

/** The parts of a Sequelize instance that observe queries: the logging option and the query hooks. */
interface Observed {
  options: { logging?: false | ((sql: string, ...rest: unknown[]) => void) };
  hasHook(name: string): boolean;
  runHooks(name: string, ...args: unknown[]): Promise<void> | void;
}

/**
 * Statements kept by `allDynamic`: a search's SQL varies with the query's shape (its operators and
 * fields, not its values), and an application's searches come in few shapes.
 */
const DYNAMIC_STATEMENTS = 100;

/**
 * Statements prepared once on the SQLite connection Sequelize shares for work outside
 * transactions, for the few statements on the hot paths (the session read of every signed-in
 * request, and a login's reads and writes).
 *
 * Why not Sequelize: on SQLite one model query costs ~0.5 ms, most of it waiting on
 * node-sqlite3's worker thread three times (prepare, step, finalize) plus building the query and
 * parsing its rows; a prepared statement is one trip (~0.05 ms). Under a login storm those trips
 * queue behind Argon2 in libuv's thread pool, so each one saved is worth milliseconds.
 * The SQL is written per statement, with `?` parameters, and values in the forms Sequelize writes
 * (dates as `sqliteDate`, booleans as 0/1), so rows written either way read the same. They are
 * logged and seen by `beforeQuery`/`afterQuery` hooks like Sequelize's own queries.
 *
 * The fixed statements stay prepared for the connection's life; SQL whose text varies with its
 * input (searches) goes through `allDynamic`, whose statements are kept in a bounded LRU.
 */
export class SqliteStatements {
  private db: Database | undefined;
  private readonly prepared = new Map<string, Promise<Statement>>();
  private readonly dynamic = new StatementCache<Statement>(DYNAMIC_STATEMENTS);

  constructor(private readonly sequelize: Sequelize) {}

  /**
   * The first row, or undefined (write the SQL with LIMIT 1). Read with `all`, never node-sqlite3's
   * `get`: `get` leaves its statement mid-step, holding a read transaction open on the shared
   * connection until its next use; `all` steps to the end, which ends the statement's transaction.
   */
  async first<Row>(sql: string, params: unknown[]): Promise<Row | undefined> {
    return (await this.all<Row>(sql, params))[0];
  }

  async all<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    return this.allOn(await this.statement(sql), sql, params);
  }

  /** `all` for SQL whose text varies with its input, prepared in the bounded cache. */
  async allDynamic<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    const db = await this.connection();
    return this.dynamic.use(sql, () => prepare(db, sql), (statement) => this.allOn<Row>(statement, sql, params));
  }

  private async allOn<Row>(statement: Statement, sql: string, params: unknown[]): Promise<Row[]> {
    await this.before(sql, params);
    const rows = await new Promise<Row[]>((resolve, reject) => statement.all(params, (err, found) => (err ? reject(err) : resolve((found ?? []) as Row[]))));
    await this.after(sql, params);
    return rows;
  }

  /** Runs a write; resolves to the number of rows it changed. */
  async run(sql: string, params: unknown[]): Promise<number> {
    const statement = await this.statement(sql);
    await this.before(sql, params);
    const changes = await new Promise<number>((resolve, reject) =>
      statement.run(params, function (err) {
        if (err) reject(err);
        else resolve(this.changes);
      }),
    );
    await this.after(sql, params);
    return changes;
  }

  private before(sql: string, params: unknown[]): Promise<void> | void {
    const observed = this.sequelize as unknown as Observed;
    if (typeof observed.options.logging === 'function') observed.options.logging(`Executing (default): ${sql}`);
    if (observed.hasHook('beforeQuery')) return observed.runHooks('beforeQuery', { bind: params }, { sql });
  }

  private after(sql: string, params: unknown[]): Promise<void> | void {
    const observed = this.sequelize as unknown as Observed;
    if (observed.hasHook('afterQuery')) return observed.runHooks('afterQuery', { bind: params }, { sql });
  }

  /** Finalizes every statement: SQLite refuses to close a connection that still has some. */
  async close(): Promise<void> {
    const statements = [...this.prepared.values()];
    this.prepared.clear();
    this.db = undefined;
    await Promise.all([...statements.map(finalize), this.dynamic.clear()]);
  }

  /**
   * The shared connection (Sequelize's "default"; the only one of an in-memory database). Should
   * Sequelize ever reopen it, statements of the old one are dropped with it.
   */
  private async connection(): Promise<Database> {
    const manager = (this.sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
    const db = await manager.getConnection({});
    if (db !== this.db) {
      this.prepared.clear();
      void this.dynamic.clear();
      this.db = db;
    }
    return db;
  }

  private async statement(sql: string): Promise<Statement> {
    const db = await this.connection();
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = prepare(db, sql);
      this.prepared.set(sql, statement);
      // A statement that failed to prepare (its table not created yet) is tried again next time.
      statement.catch(() => {
        if (this.prepared.get(sql) === statement) this.prepared.delete(sql);
      });
    }
    return statement;
  }
}

function prepare(db: Database, sql: string): Promise<Statement> {
  return new Promise<Statement>((resolve, reject) => {
    const prepared = db.prepare(sql, (err) => (err ? reject(err) : resolve(prepared)));
  });
}

/** A date as Sequelize writes a DATE column on SQLite (UTC, milliseconds, offset): text that sorts as time. */
export function sqliteDate(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')} +00:00`;
}
