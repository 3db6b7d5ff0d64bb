import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { parseQuery, type Storage } from '@gatehouse/core';
import sqlite3 from 'sqlite3';
import { createSequelizeStorage } from '../src/index.js';
import { StatementCache } from '../src/sqlite-statement-cache.js';
import { sqliteTempPath } from '../../../test/support/test-database.js';

// Search SQL varies with the query's shape, so its prepared statements live in a bounded LRU
// (sqlite-statement-cache.ts). SQLite refuses to close a connection with a statement left
// unfinalized, so a clean close shows that none leaked.
describe('SQLite statement cache', () => {
  describe('StatementCache', () => {
    let db: sqlite3.Database;
    let finalized: string[];

    beforeEach(() => {
      db = new sqlite3.Database(':memory:');
      finalized = [];
    });

    afterEach(async () => {
      await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
    });

    /** Prepares for real, recording each finalize call. */
    const prepare = (sql: string) => () =>
      new Promise<sqlite3.Statement>((resolve, reject) => {
        const statement = db.prepare(sql, (err) => (err ? reject(err) : resolve(statement)));
        const finalize = statement.finalize.bind(statement);
        statement.finalize = (callback?: (err: Error) => void) => {
          finalized.push(sql);
          return finalize(callback);
        };
      });
    const rows = (statement: sqlite3.Statement) => new Promise<unknown[]>((resolve, reject) => statement.all([], (err, found) => (err ? reject(err) : resolve(found))));

    it('keeps at most its bound, finalizing every evicted statement', async () => {
      const cache = new StatementCache<sqlite3.Statement>(3);
      for (let i = 0; i < 20; i++) {
        assert.deepEqual(await cache.use(`SELECT ${i} AS n`, prepare(`SELECT ${i} AS n`), rows), [{ n: i }]);
      }
      await tick();
      assert.equal(cache.size, 3);
      assert.deepEqual(finalized, Array.from({ length: 17 }, (_, i) => `SELECT ${i} AS n`));
      await cache.clear();
      assert.equal(finalized.length, 20);
    });

    it('finalizes an evicted statement only once the call using it is done', async () => {
      const cache = new StatementCache<sqlite3.Statement>(2);
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = cache.use('SELECT 1 AS n', prepare('SELECT 1 AS n'), async (statement) => {
        await gate;
        return rows(statement);
      });
      for (let i = 2; i < 6; i++) await cache.use(`SELECT ${i} AS n`, prepare(`SELECT ${i} AS n`), rows);
      await tick();
      assert.ok(!finalized.includes('SELECT 1 AS n'), 'not finalized while in use');
      release();
      assert.deepEqual(await held, [{ n: 1 }]);
      await tick();
      assert.ok(finalized.includes('SELECT 1 AS n'), 'finalized after its call');
      await cache.clear();
    });

    it('prepares again a statement that failed to prepare', async () => {
      const cache = new StatementCache<sqlite3.Statement>(2);
      const sql = 'SELECT n FROM later';
      await assert.rejects(cache.use(sql, prepare(sql), rows), /no such table/);
      await new Promise<void>((resolve, reject) => db.exec('CREATE TABLE later (n); INSERT INTO later VALUES (7)', (err) => (err ? reject(err) : resolve())));
      assert.deepEqual(await cache.use(sql, prepare(sql), rows), [{ n: 7 }]);
      await cache.clear();
    });
  });

  it('runs more search shapes than it keeps, one of them held past its eviction, and closes cleanly', async () => {
    const url = `sqlite:${sqliteTempPath()}`;
    const storage = createSequelizeStorage({ url });
    try {
      await storage.migrate();
      const user = await (storage as Storage).createUser({
        user_id: 'auth0|shapes', connection: 'db', email: null, email_verified: false, username: null, phone_number: null, phone_verified: false,
        name: 'Shapes', given_name: 'g0', family_name: null, nickname: 'n0', picture: null, blocked: false, user_metadata: {}, app_metadata: {},
        identity: { connection: 'db', provider: 'auth0', user_id: 'shapes', isSocial: false }, password_hash: null, created_at: new Date(),
      });
      const search = async (q: string) => (await storage.searchUsers({ query: parseQuery(q), page: 0, perPage: 10, includeTotals: true })).users.map((u) => u.user_id);

      // The held search's id query waits in a query hook, between taking its statement and stepping it.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let waiting = false;
      storage.sequelize.addHook('beforeQuery', async (_options, query) => {
        const { sql } = query as unknown as { sql: string };
        if (!waiting && sql.includes('family_name_lower') && sql.startsWith('SELECT')) {
          waiting = true;
          await gate;
        }
      });
      const held = search('name:shapes AND NOT _exists_:family_name');
      while (!waiting) await tick();

      // 60 shapes of ORed given names and 60 of nicknames: more than the 100 statements kept.
      for (const field of ['given_name', 'nickname']) {
        for (let k = 1; k <= 60; k++) {
          const q = Array.from({ length: k }, (_, j) => `${field}:${field[0]}${j}`).join(' OR ');
          assert.deepEqual(await search(q), [user.user_id], q);
        }
      }
      release();
      assert.deepEqual(await held, [user.user_id]);
    } finally {
      // Rejects (SQLITE_BUSY) if any statement was left unfinalized.
      await storage.close();
      await rm(dirname(url.slice('sqlite:'.length)), { recursive: true, force: true });
    }
  });
});
