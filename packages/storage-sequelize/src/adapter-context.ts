import type { Sequelize, Transaction } from 'sequelize';
import type { Connection } from './connect.js';
import type { Models } from './models/index.js';
import type { Dialect } from './options.js';
import { SqliteStatements } from './sqlite-statements.js';

/** What every store of the adapter shares: the models and the two ways to write. */
export interface AdapterContext {
  sequelize: Sequelize;
  dialect: Dialect;
  models: Models;
  /**
   * Runs `work` in one transaction. Every query inside must pass the transaction: on a pool, a
   * query without it waits for a second connection that the waiting transactions may all hold.
   */
  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T>;
  /** Runs one self-contained write statement (atomic on its own, so no transaction). */
  writeOne<T>(work: () => Promise<T>): Promise<T>;
  /** `FOR UPDATE` on a read-modify-write; false on SQLite, whose IMMEDIATE transaction already holds the write lock. */
  rowLock: boolean;
  /** SQLite only: prepared statements for the hot paths (see sqlite-statements.ts); null elsewhere. */
  sqlite: SqliteStatements | null;
  /** A table's name, quoted for raw SQL. */
  table(model: { getTableName(): unknown }): string;
}

export function createAdapterContext(connection: Connection, models: Models): AdapterContext {
  const { sequelize, writeLock, transactionOptions } = connection;
  const transaction = <T>(work: (t: Transaction) => Promise<T>): Promise<T> => sequelize.transaction({ ...transactionOptions }, work);
  return {
    sequelize,
    dialect: connection.dialect,
    models,
    // On SQLite every write queues on the in-process lock (see write-lock.ts) and begins
    // IMMEDIATE, taking the database write lock before its first read, so two read-modify-writes
    // cannot both read and then deadlock upgrading to write.
    transaction: writeLock ? (work) => writeLock.run(() => transaction(work)) : transaction,
    writeOne: writeLock ? (work) => writeLock.run(work) : (work) => work(),
    rowLock: connection.dialect !== 'sqlite',
    sqlite: connection.dialect === 'sqlite' ? new SqliteStatements(sequelize) : null,
    table: (model) => sequelize.getQueryInterface().quoteIdentifier(String(model.getTableName())),
  };
}
