import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Metadata, NewUserRecord } from '@gatehouse/core';
import { createSequelizeStorage, type SequelizeStorage } from '../src/index.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

/** Drops every table of the prefix; foreign keys decide the order, so drop what can go and repeat. */
async function dropTables(storage: SequelizeStorage, prefix: string): Promise<void> {
  const qi = storage.sequelize.getQueryInterface();
  for (let round = 0; round < 20; round++) {
    const all = (await qi.showAllTables()) as unknown as (string | { tableName: string })[];
    const tables = all.map((t) => (typeof t === 'string' ? t : t.tableName)).filter((name) => name.startsWith(prefix));
    if (tables.length === 0) return;
    for (const table of tables) await qi.dropTable(table).catch(() => undefined);
  }
}

function newUserRecord(metadata: { user_metadata?: Metadata; app_metadata?: Metadata }): NewUserRecord {
  const id = randomBytes(8).toString('hex');
  return {
    user_id: `auth0|${id}`, connection: 'db', email: `user-${id}@example.com`, email_verified: false, username: null, phone_number: null,
    phone_verified: false, name: null, given_name: null, family_name: null, nickname: null, picture: null, blocked: false,
    user_metadata: {}, app_metadata: {}, ...metadata, identity: { connection: 'db', provider: 'auth0', user_id: id, isSocial: false },
    password_hash: null, created_at: new Date(),
  };
}

const outcomes = (results: PromiseSettledResult<unknown>[]) => results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'));

// On a new (empty) database: the conformance suite's shared tables are full of other tests' rows,
// where InnoDB's gap locks rarely meet; on empty tables every transaction's gap is the same one.
describe(`concurrent writes on an empty ${testDatabaseKind()} database`, function () {
  this.timeout(60_000);
  const prefix = `cw${randomBytes(3).toString('hex')}_`;
  let url: string;
  let storage: SequelizeStorage;
  before(async function () {
    url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
    storage = createSequelizeStorage({ url, tablePrefix: prefix });
    await storage.migrate();
  });
  after(async () => {
    if (!storage) return;
    if (storage.dialect !== 'sqlite') await dropTables(storage, prefix);
    await storage.close();
    await removeTestDatabase(url);
  });

  it('signs up 16 users with metadata at once, then gives 16 users metadata at once: none refused', async () => {
    const records = Array.from({ length: 16 }, (_, i) => newUserRecord({ user_metadata: { plan: 'pro', n: i } }));
    assert.deepEqual(outcomes(await Promise.allSettled(records.map((r) => storage.createUser(r)))), Array(16).fill('ok'));
    const bare = Array.from({ length: 16 }, () => newUserRecord({ user_metadata: {}, app_metadata: {} }));
    for (const r of bare) await storage.createUser(r);
    const modified = await Promise.allSettled(bare.map((r, i) => storage.modifyUser(r.user_id, () => ({ app_metadata: { n: i }, updated_at: new Date() }))));
    assert.deepEqual(outcomes(modified), Array(16).fill('ok'));
    for (const [i, r] of bare.entries()) assert.deepEqual((await storage.getUser(r.user_id))?.app_metadata, { n: i });
  });

  it('stores 16 provider artifacts at once: none refused', async () => {
    const artifacts = Array.from({ length: 16 }, (_, i) => ({
      model: ['Session', 'Grant'][i % 2]!, id: `a${i}-${randomBytes(4).toString('hex')}`, payload: '{}', grant_id: null, user_code: null, uid: null, expires_at: null,
    }));
    assert.deepEqual(outcomes(await Promise.allSettled(artifacts.map((a) => storage.upsertOidcPayload(a)))), Array(16).fill('ok'));
  });
});
