import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseQuery, type NewUserRecord, type Storage } from '@gatehouse/core';
import { createSequelizeStorage, type SequelizeStorage } from '../src/index.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

// Search values are bound parameters (Sequelize replacements on PostgreSQL and MariaDB, prepared
// statements on SQLite): these hold every character that means something to SQL, to LIKE/GLOB or
// to the query syntax to its literal self, and NOT to Lucene's meaning.
describe(`search values on ${testDatabaseKind()}`, function () {
  let url: string;
  let storage: SequelizeStorage;
  const run = `v${randomBytes(5).toString('hex')}`;
  const users = new Map<string, string>();

  // Each value has a decoy that matches it if a character is taken as syntax: `%`/`_` as LIKE
  // wildcards, `*`/`[...]` as GLOB's, a quote or a backslash as the end of an escape.
  const VALUES: Record<string, string> = {
    quotes: `o'brien "the" quote`,
    likeChars: 'what? 100% sure_ok!',
    likeDecoy: 'what? 1000 surexok!',
    globChars: 'st*r[ab]cd',
    globDecoy: 'stxrbcd',
    backslashes: 'back\\slash \\\\ twice\\',
    backslashDecoy: 'back\\\\slash',
    nonAscii: 'zoë ünïcödé 東京 🙂',
  };

  function record(key: string, value: string, overrides: Partial<NewUserRecord> = {}): NewUserRecord {
    const id = randomBytes(6).toString('hex');
    users.set(key, `auth0|${id}`);
    return {
      user_id: `auth0|${id}`, connection: 'db', email: null, email_verified: false, username: null, phone_number: value, phone_verified: false,
      name: value, given_name: null, family_name: null, nickname: null, picture: null, blocked: false,
      user_metadata: { note: value }, app_metadata: { run }, identity: { connection: 'db', provider: 'auth0', user_id: id, isSocial: false },
      password_hash: null, created_at: new Date(), ...overrides,
    };
  }

  before(async function () {
    url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
    storage = createSequelizeStorage({ url });
    await storage.migrate();
    for (const [key, value] of Object.entries(VALUES)) await storage.createUser(record(key, value));
    await storage.createUser(record('blank', 'blank', { phone_number: null, name: null, given_name: 'given', user_metadata: {} }));
    await storage.createUser(record('linked', 'linked', { given_name: 'x', identity: { connection: 'github', provider: 'github', user_id: run, isSocial: true } }));
  });

  after(async () => {
    await storage?.close();
    if (url) await removeTestDatabase(url);
  });

  /** The keys of the users a query finds (among this run's), checking the total and the loaded values too. */
  async function find(q: string): Promise<string[]> {
    const result = await (storage as Storage).searchUsers({
      query: parseQuery(`(${q}) AND app_metadata.run:"${run}"`), page: 0, perPage: 50, includeTotals: true, sort: { field: 'user_id', direction: 1 },
    });
    assert.equal(result.total, result.users.length, `${q}: the total counts the matches`);
    const keys = [...users].filter(([, id]) => result.users.some((u) => u.user_id === id)).map(([key]) => key);
    for (const user of result.users) {
      const key = keys.find((k) => users.get(k) === user.user_id)!;
      if (key in VALUES) assert.equal(user.name, VALUES[key], `${q}: the name reads back whole`);
    }
    return keys.sort();
  }

  const phrase = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const word = (value: string) => value.replace(/[\\:*()"[\]{}/+\-!?^~&| ]/g, (c) => `\\${c}`);

  for (const key of ['quotes', 'likeChars', 'globChars', 'backslashes', 'nonAscii']) {
    it(`matches ${key} exactly, by prefix and by infix, and nothing else`, async () => {
      const value = VALUES[key]!;
      // Cut by code points: half a surrogate pair is not a valid query.
      const chars = [...value];
      const prefix = word(chars.slice(0, -2).join(''));
      const infix = word(chars.slice(2, -1).join(''));
      for (const field of ['name', 'phone_number', 'user_metadata.note']) {
        assert.deepEqual(await find(`${field}:${phrase(value)}`), [key], `${field} exact`);
        assert.deepEqual(await find(`${field}:${word(value)}`), [key], `${field} as a word`);
        assert.deepEqual(await find(`${field}:${prefix}*`), [key], `${field} prefix`);
        assert.deepEqual(await find(`${field}:*${infix}*`), [key], `${field} infix`);
      }
    });
  }

  it('compares case-insensitive fields in lower case, non-ASCII included', async () => {
    assert.deepEqual(await find(`name:${phrase(VALUES.nonAscii!.toUpperCase())}`), ['nonAscii']);
    assert.deepEqual(await find(`phone_number:${phrase(VALUES.nonAscii!.toUpperCase())}`), []);
  });

  it('keeps users whose field is NULL under NOT', async () => {
    const all = [...users.keys()].sort();
    assert.deepEqual(await find('NOT name:*a*'), ['blank', 'globDecoy', 'linked', 'nonAscii', 'quotes']);
    assert.deepEqual(await find(`NOT phone_number:${phrase(VALUES.quotes!)}`), all.filter((k) => k !== 'quotes'));
    assert.deepEqual(await find('NOT given_name:x'), all.filter((k) => k !== 'linked'));
    assert.deepEqual(await find('NOT _exists_:user_metadata.note'), ['blank']);
    assert.deepEqual(await find('NOT identities.connection:github'), all.filter((k) => k !== 'linked'));
    assert.deepEqual(await find('NOT last_login:[2000 TO *]'), all);
    // blank: given_name is not x, it has no note, and its NULL name leaves `name LIKE` unknown.
    assert.deepEqual(await find('NOT (given_name:x OR user_metadata.note:linked OR name:*ë*)'), all.filter((k) => !['linked', 'nonAscii'].includes(k)));
    assert.deepEqual(await find('NOT NOT given_name:given'), ['blank']);
  });

  it('answers concurrent searches of one shape each with its own values', async () => {
    const keys = Object.keys(VALUES);
    const found = await Promise.all(Array.from({ length: 24 }, (_, i) => find(`user_metadata.note:${phrase(VALUES[keys[i % keys.length]!]!)}`)));
    found.forEach((got, i) => assert.deepEqual(got, [keys[i % keys.length]], `search ${i}`));
  });
});
