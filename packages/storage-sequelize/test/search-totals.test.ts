import assert from 'node:assert/strict';
import { parseQuery } from '@gatehouse/core';
import { createSequelizeStorage } from '../src/index.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

describe(`search totals on ${testDatabaseKind()}`, function () {
  let url: string;
  before(async function () {
    url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
  });
  after(async () => removeTestDatabase(url));

  it('counts exactly up to exactCountUpTo, then (PostgreSQL, MySQL/MariaDB) answers a flagged estimate', async () => {
    const storage = createSequelizeStorage({ url, exactCountUpTo: 2 });
    try {
      await storage.migrate();
      const tag = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      const users = storage as unknown as import('@gatehouse/core').Storage;
      for (let i = 0; i < 4; i++) {
        const id = `${tag}${i}`;
        await users.createUser({
          user_id: `auth0|${id}`, connection: 'c', email: `${id}@x.io`, email_verified: false, username: null, phone_number: null,
          phone_verified: false, name: null, given_name: null, family_name: null, nickname: null, picture: null, blocked: false,
          user_metadata: {}, app_metadata: { tag }, identity: { connection: 'c', provider: 'auth0', user_id: id, isSocial: false },
          password_hash: null, created_at: new Date(),
        });
      }
      const few = await storage.searchUsers({ query: parseQuery(`app_metadata.tag:"${tag}" AND email:${tag}0*`), page: 0, perPage: 10, includeTotals: true });
      assert.equal(few.total, 1);
      assert.equal(few.totalIsEstimate, undefined);
      const many = await storage.searchUsers({ query: parseQuery(`app_metadata.tag:"${tag}"`), page: 0, perPage: 10, includeTotals: true });
      assert.equal(many.users.length, 4);
      if (storage.dialect !== 'sqlite') {
        assert.equal(many.totalIsEstimate, true);
        assert.ok((many.total ?? 0) >= 3, 'an estimate is never below what was seen to exist');
      } else {
        assert.equal(many.total, 4);
        assert.equal(many.totalIsEstimate, undefined);
      }
    } finally {
      await storage.close();
    }
  });
});
