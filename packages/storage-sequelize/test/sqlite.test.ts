import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { QueryTypes, Sequelize, type Transaction } from 'sequelize';
import sqlite3 from 'sqlite3';
import { createSequelizeStorage, type SequelizeStorage } from '../src/index.js';
import { sqliteTempPath } from '../../../test/support/test-database.js';

const newRecord = () => {
  const id = randomBytes(6).toString('hex');
  return {
    user_id: `auth0|${id}`,
    connection: 'db',
    email: `${id}@example.com`,
    email_verified: false,
    username: null,
    phone_number: null,
    phone_verified: false,
    name: null,
    given_name: null,
    family_name: null,
    nickname: null,
    picture: null,
    blocked: false,
    user_metadata: {},
    app_metadata: {},
    identity: { connection: 'db', provider: 'auth0', user_id: id, isSocial: false },
    password_hash: 'hash',
    created_at: new Date(),
  };
};

/** Holds SQLite's write lock from outside Gatehouse (as another process would) until released. */
async function holdWriteLock(file: string): Promise<() => Promise<void>> {
  const db = new sqlite3.Database(file);
  const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
  await exec('BEGIN IMMEDIATE');
  return async () => {
    await exec('COMMIT');
    await new Promise<void>((resolve) => db.close(() => resolve()));
  };
}

describe('SQLite specifics', () => {
  let root: string;
  let file: string;
  let storage: SequelizeStorage;

  beforeEach(async () => {
    root = dirname(sqliteTempPath());
    file = join(root, 'nested', 'deeper', 'gatehouse.sqlite');
    storage = createSequelizeStorage({ url: `sqlite:${file}`, busyTimeoutMs: 1234 });
    await storage.migrate();
  });

  afterEach(async () => {
    await storage.close();
    await rm(root, { recursive: true, force: true });
  });

  it('creates the parent directories of the file and switches it to WAL', async () => {
    assert.ok(existsSync(file));
    const [rows] = await storage.sequelize.query('PRAGMA journal_mode');
    assert.deepEqual(rows, [{ journal_mode: 'wal' }]);
    assert.ok(existsSync(`${file}-wal`));
  });

  it('sets busy_timeout and foreign_keys on the shared connection and on every transaction connection', async () => {
    const pragmas = async (transaction?: Transaction) => {
      const busy = await storage.sequelize.query('PRAGMA busy_timeout', { transaction, type: QueryTypes.SELECT });
      const fk = await storage.sequelize.query('PRAGMA foreign_keys', { transaction, type: QueryTypes.SELECT });
      return { busy: busy[0], fk: fk[0] };
    };
    assert.deepEqual(await pragmas(), { busy: { timeout: 1234 }, fk: { foreign_keys: 1 } });
    // Each Sequelize SQLite transaction opens its own sqlite3 connection.
    for (let i = 0; i < 2; i += 1) {
      const inTransaction = await storage.sequelize.transaction((t) => pragmas(t));
      assert.deepEqual(inTransaction, { busy: { timeout: 1234 }, fk: { foreign_keys: 1 } });
    }
  });

  it('waits for another process holding the write lock instead of failing', async () => {
    const release = await holdWriteLock(file);
    const write = storage.createUser(newRecord());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await release();
    assert.ok(await write);
  });

  it('fails with storage_unavailable when the write lock stays taken past busyTimeoutMs', async function () {
    this.timeout(20_000);
    const short = createSequelizeStorage({ url: `sqlite:${file}`, busyTimeoutMs: 50 });
    const release = await holdWriteLock(file);
    try {
      await assert.rejects(short.createUser(newRecord()), { code: 'storage_unavailable' });
    } finally {
      await release();
      await short.close();
    }
  });

  it('serializes writers of two storages on one file in this process', async () => {
    const other = createSequelizeStorage({ url: `sqlite:${file}` });
    const record = newRecord();
    await storage.createUser(record);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? storage : other).modifyUser(record.user_id, (u) => ({ logins_count: u.logins_count + 1, updated_at: new Date() })),
      ),
    );
    assert.equal((await other.getUser(record.user_id))?.logins_count, 30);
    await other.close();
  });

  it('rejects calls after close with storage_unavailable', async () => {
    await storage.close();
    await assert.rejects(storage.countUsers(), { code: 'storage_unavailable' });
  });

  it('works on an existing Sequelize instance and leaves it open on close', async () => {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
    const shared = createSequelizeStorage({ sequelize, tablePrefix: 'app_gh_' });
    await shared.migrate();
    await shared.createUser(newRecord());
    assert.equal(await shared.countUsers(), 1);
    await shared.close();
    await sequelize.query('SELECT 1');
    await sequelize.close();
  });
});

describe('SQLite in memory', () => {
  it('keeps concurrent read-modify-writes correct on its single shared connection', async () => {
    const storage = createSequelizeStorage({ url: 'sqlite::memory:' });
    await storage.migrate();
    const record = newRecord();
    await storage.createUser(record);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        storage.modifyUser(record.user_id, (u) => ({ user_metadata: { ...u.user_metadata, [`k${i}`]: i }, updated_at: new Date() })),
      ),
    );
    assert.equal(Object.keys((await storage.getUser(record.user_id))?.user_metadata ?? {}).length, 20);
    await storage.close();
  });
});
