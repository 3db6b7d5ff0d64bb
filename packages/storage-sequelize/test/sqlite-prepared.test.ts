import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataTypes } from 'sequelize';
import sqlite3 from 'sqlite3';
import { createSequelizeStorage, type SequelizeStorage } from '../src/index.js';
import { sqliteDate } from '../src/sqlite-statements.js';
import { sqliteTempPath } from '../../../test/support/test-database.js';

// The hot paths on SQLite run prepared statements beside Sequelize's models (sqlite-statements.ts),
// and Sequelize's table_info lookups are cached (sqlite-table-info-cache.ts). These tests hold the
// two ways to the same rows, and the cache, to the same answers.
describe('SQLite prepared statements and the table_info cache', () => {
  let root: string;
  let file: string;
  let storage: SequelizeStorage;

  beforeEach(async () => {
    root = dirname(sqliteTempPath());
    file = join(root, 'prepared.sqlite');
    storage = createSequelizeStorage({ url: `sqlite:${file}` });
    await storage.migrate();
  });

  afterEach(async () => {
    await storage.close();
    await rm(root, { recursive: true, force: true });
  });

  const newUser = (email: string) => ({
    user_id: `auth0|${randomBytes(6).toString('hex')}`,
    connection: 'db',
    email,
    email_verified: true,
    username: 'Prepared',
    phone_number: null,
    phone_verified: false,
    name: 'P',
    given_name: null,
    family_name: null,
    nickname: null,
    picture: null,
    blocked: false,
    user_metadata: { a: 1 },
    app_metadata: {},
    identity: { connection: 'db', provider: 'auth0', user_id: 'x', isSocial: false },
    password_hash: 'hash-1',
    created_at: new Date('2026-01-02T03:04:05.006Z'),
  });

  it('writes dates exactly as Sequelize writes a DATE(3) column', () => {
    const generator = storage.sequelize.getQueryInterface().queryGenerator as { escape(value: unknown, field?: unknown): string };
    const field = { type: DataTypes.DATE(3) };
    for (const iso of ['2026-11-26T02:50:00.000Z', '1999-12-31T23:59:59.999Z', '2026-01-02T03:04:05.006Z']) {
      assert.equal(`'${sqliteDate(new Date(iso))}'`, generator.escape(new Date(iso), field), iso);
    }
  });

  it('reads a user written by the models the same as the model query does', async () => {
    const created = await storage.createUser(newUser('Mixed@Example.com'));
    assert.deepEqual(await storage.findUserByEmail('db', 'mixed@example.com'), created);
    assert.deepEqual(await storage.findUserByUsername('db', 'prepared'), created);
    assert.deepEqual(await storage.getUser(created.user_id), created);
    assert.equal(await storage.findUserByEmail('other', 'mixed@example.com'), null);
    assert.equal(await storage.getPasswordHash(created.user_id), 'hash-1');
  });

  it('writes sessions, logins and log events that the model queries read back', async () => {
    const user = await storage.createUser(newUser('rows@example.com'));
    const expires = new Date(Date.now() + 60_000);
    await storage.setSession('sid-1', { data: '{"a":1}', expires_at: expires, user_id: user.user_id });
    assert.deepEqual(await storage.getSession('sid-1', new Date()), { data: '{"a":1}', expires_at: expires, user_id: user.user_id });
    // The same id again replaces the row (upsert).
    await storage.setSession('sid-1', { data: '{"a":2}', expires_at: expires, user_id: user.user_id });
    assert.equal((await storage.getSessionWithUser!('sid-1', new Date()))?.session?.data, '{"a":2}');
    assert.equal(await storage.getSessionWithUser!('sid-1', new Date(expires.getTime() + 1)), null);
    assert.equal(await storage.sweepSessions(new Date(expires.getTime() + 1)), 1);

    const at = new Date('2026-11-26T01:02:03.004Z');
    assert.equal(await storage.recordLogin(user.user_id, at, '203.0.113.9'), true);
    assert.equal(await storage.recordLogin('auth0|nobody', at, null), false);
    const after = (await storage.getUser(user.user_id))!;
    assert.deepEqual([after.logins_count, after.last_login, after.last_ip, after.updated_at], [1, at, '203.0.113.9', at]);

    await storage.appendLog({ log_id: 'log-1', date: at, type: 's', description: 'Successful login', user_id: user.user_id, ip: '203.0.113.9', details: { k: 'v' } });
    const { logs } = await storage.listUserLogs(user.user_id, 0, 10);
    assert.deepEqual(logs, [{ log_id: 'log-1', date: at, type: 's', description: 'Successful login', user_id: user.user_id, ip: '203.0.113.9', details: { k: 'v' } }]);
  });

  it('finds an unexpired login block, and not an expired one', async () => {
    const now = new Date();
    const block = { id: 'b1', identifier: 'who@example.com', ip: '198.51.100.1', connection: 'db', user_id: null, created_at: now, expires_at: new Date(now.getTime() + 1000) };
    assert.equal(await storage.createLoginBlock(block), true);
    assert.deepEqual(await storage.findLoginBlock('who@example.com', '198.51.100.1', now), block);
    assert.equal(await storage.findLoginBlock('who@example.com', '198.51.100.1', new Date(now.getTime() + 1000)), null);
  });

  it('leaves no read open after a lookup: another process can write and checkpoint the whole log', async () => {
    const user = await storage.createUser(newUser('open@example.com'));
    await storage.findUserByEmail('db', 'open@example.com');
    await storage.getPasswordHash(user.user_id);
    await storage.getSessionWithUser!('nope', new Date());
    const other = new sqlite3.Database(file);
    const all = (sql: string) => new Promise<unknown[]>((resolve, reject) => other.all(sql, (err, rows) => (err ? reject(err) : resolve(rows))));
    try {
      await all('PRAGMA busy_timeout = 2000');
      await all(`UPDATE gatehouse_users SET name = 'changed' WHERE user_id = '${user.user_id}'`);
      // busy = 1 when a reader (a statement left mid-step) pins an older snapshot of the log.
      assert.deepEqual(await all('PRAGMA wal_checkpoint(TRUNCATE)'), [{ busy: 0, log: 0, checkpointed: 0 }]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
    assert.equal((await storage.getUser(user.user_id))?.name, 'changed');
  });

  it("forgets cached column types when the schema changes, so a new column's values are parsed", async () => {
    const { sequelize } = storage;
    const define = (withLater: boolean) =>
      sequelize.define('probe', { id: { type: DataTypes.INTEGER, primaryKey: true }, at: DataTypes.DATE, ...(withLater ? { later: DataTypes.DATE } : {}) }, { tableName: 'probe', timestamps: false });
    await define(false).sync();
    await define(false).create({ id: 1, at: new Date(0) });
    assert.ok((await define(false).findByPk(1))!.get('at') instanceof Date);
    await sequelize.getQueryInterface().addColumn('probe', 'later', { type: DataTypes.DATE });
    const Probe = define(true);
    await Probe.update({ later: new Date(1000) }, { where: { id: 1 } });
    const later = (await Probe.findByPk(1))!.get('later');
    assert.ok(later instanceof Date, `got ${typeof later} ${String(later)}`);
    assert.equal(later.getTime(), 1000);
  });
});
