import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import { customDatabase, WrongUsernameOrPasswordError, type CustomDatabaseOptions, type CustomDatabaseProfile } from '@gatehouse/express';
import { QueryTypes, Sequelize } from 'sequelize';
import { MailCatcher } from '../support/mail-catcher.js';
import { browser, startTestApp, uniqueEmail, type TestApp } from '../support/test-app.js';

/*
 * The custom database connection through HTTP, against a legacy user store of its own: a separate
 * SQLite file with a `users` table of bcrypt hashes, read by scripts written as a host would write
 * them, which count their calls. Gatehouse itself runs on the database GATEHOUSE_TEST_DB selects.
 */

interface Row {
  id: number;
  email: string;
  username: string | null;
  name: string;
  password_hash: string;
}

/** The host's old user table. */
class LegacyStore {
  readonly db: Sequelize;
  constructor(readonly dir: string) {
    this.db = new Sequelize({ dialect: 'sqlite', storage: join(dir, 'legacy.sqlite'), logging: false });
  }

  async init(): Promise<void> {
    await this.db.query(
      'CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, username TEXT UNIQUE, name TEXT NOT NULL, password_hash TEXT NOT NULL)',
    );
  }

  async add(email: string, password: string, extra: { username?: string; name?: string } = {}): Promise<Row> {
    await this.db.query('INSERT INTO users (email, username, name, password_hash) VALUES (?, ?, ?, ?)', {
      replacements: [email, extra.username ?? null, extra.name ?? 'Legacy User', await bcryptHash(password, 4)],
      type: QueryTypes.INSERT,
    });
    return (await this.find(email))!;
  }

  async find(identifier: string): Promise<Row | null> {
    const rows = await this.db.query<Row>('SELECT * FROM users WHERE lower(email) = lower(?) OR lower(username) = lower(?)', {
      replacements: [identifier, identifier],
      type: QueryTypes.SELECT,
    });
    return rows[0] ?? null;
  }

  async update(email: string, changes: { name?: string; password?: string }): Promise<void> {
    if (changes.name !== undefined) await this.db.query('UPDATE users SET name = ? WHERE email = ?', { replacements: [changes.name, email] });
    if (changes.password !== undefined) {
      await this.db.query('UPDATE users SET password_hash = ? WHERE email = ?', { replacements: [await bcryptHash(changes.password, 4), email] });
    }
  }
}

/** Scripts over the legacy store, as a host ports them from Auth0, counting their calls. */
function scripts(store: LegacyStore, idPrefix: string) {
  const calls = { login: 0, getUser: 0 };
  const profileOf = (row: Row) => ({
    user_id: `${idPrefix}${row.id}`,
    email: row.email,
    email_verified: true,
    username: row.username,
    name: row.name,
    user_metadata: { legacy_id: row.id },
    // What a careless script returns along: the legacy row's hash. It must never be stored.
    password_hash: row.password_hash,
  });
  return {
    calls,
    async login(identifier: string, password: string): Promise<CustomDatabaseProfile | null> {
      calls.login += 1;
      const row = await store.find(identifier);
      if (!row || !(await bcryptVerify(password, row.password_hash))) throw new WrongUsernameOrPasswordError(identifier);
      return profileOf(row);
    },
    async getUser(email: string): Promise<CustomDatabaseProfile | null> {
      calls.getUser += 1;
      const row = await store.find(email);
      return row ? profileOf(row) : null;
    },
  };
}

const LEGACY_PASSWORD = 'legacy-pw';

describe('custom database connection (lazy migration and pass-through)', function () {
  let t: TestApp;
  const run = randomBytes(4).toString('hex');
  const store = new LegacyStore(join(tmpdir(), `gatehouse-legacy-${process.pid}-${run}`));
  const imported = scripts(store, `m${run}-`);
  const passthrough = scripts(store, `p${run}-`);
  const errors: unknown[][] = [];
  const hanging: Array<{ signal: AbortSignal; release(): void }> = [];
  let collidingId = '';

  before(async () => {
    await mkdir(store.dir, { recursive: true });
    await store.init();
    const malformed = async (identifier: string) =>
      identifier.startsWith('collide')
        ? { user_id: collidingId, email: identifier }
        : ({ user_id: { nested: true }, email: identifier } as unknown as CustomDatabaseProfile);
    const connections = [
      customDatabase({ name: 'legacy', displayName: 'Legacy accounts', import: true, login: imported.login, getUser: imported.getUser }),
      customDatabase({ name: 'legacy-live', import: false, login: passthrough.login }),
      customDatabase({
        name: 'legacy-broken',
        import: true,
        login: async () => {
          throw new Error('ECONNREFUSED legacy-db.internal:5432 password=hunter2');
        },
        getUser: async () => null,
      }),
      customDatabase({
        name: 'legacy-hang',
        import: true,
        timeoutMs: 300,
        // Answers only when the test says so, long after the limit: the late answer must be ignored.
        login: (_u, _p, { signal }) =>
          new Promise((resolve) => {
            hanging.push({ signal, release: () => resolve({ user_id: `late-${run}`, email: `late-${run}@example.com` }) });
          }),
        getUser: async () => null,
      }),
      customDatabase({ name: 'legacy-malformed', import: true, login: malformed, getUser: async () => null }),
      customDatabase({ name: 'legacy-malformed-live', import: false, login: malformed }),
    ];
    t = await startTestApp({ connections, logger: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => errors.push(args) } });
  });
  after(async () => {
    await t?.close();
    await store.db.close();
    await rm(store.dir, { recursive: true, force: true });
  });

  const login = async (connection: string, username: string, password: string, expect: number) => {
    const agent = browser(t.app);
    const res = await agent.post('/auth/login').send({ _csrf: await agent.csrf(), connection, username, password }).expect(expect);
    return { agent, res };
  };

  it('offers the connection on the hosted login form', async () => {
    const page = await browser(t.app).get('/auth/login').expect(200);
    assert.match(page.text, /<option value="legacy"\s*>Legacy accounts<\/option>/u);
  });

  it('migrates a user at the first login: a Gatehouse user on the connection with the password re-hashed to Argon2id', async () => {
    const email = uniqueEmail('migrate');
    const row = await store.add(email, LEGACY_PASSWORD, { name: 'Mia Grant' });
    const before = imported.calls.login;
    const { agent, res } = await login('legacy', email, LEGACY_PASSWORD, 200);
    const userId = `auth0|m${run}-${row.id}`;
    assert.equal(res.body.user_id, userId);
    assert.equal(imported.calls.login, before + 1);
    await agent.get('/private').expect(200, { user_id: userId });

    const user = (await t.storage.getUser(userId))!;
    assert.equal(user.email, email);
    assert.equal(user.email_verified, true);
    assert.equal(user.name, 'Mia Grant');
    assert.deepEqual(user.user_metadata, { legacy_id: row.id });
    assert.deepEqual(user.identities, [{ connection: 'legacy', provider: 'auth0', user_id: `m${run}-${row.id}`, isSocial: false }]);
    assert.equal(user.logins_count, 1);
    const hash = (await t.storage.getPasswordHash(userId))!;
    assert.match(hash, /^\$argon2id\$/u);
    // The legacy row's bcrypt hash the script returned along is stored nowhere.
    assert.doesNotMatch(JSON.stringify(user), /\$2[aby]\$/u);
  });

  it('never asks the legacy store again about a migrated user: right and wrong passwords are checked by Gatehouse', async () => {
    const email = uniqueEmail('local');
    const row = await store.add(email, LEGACY_PASSWORD, { username: `u${run}` });
    await login('legacy', email, LEGACY_PASSWORD, 200);
    const after = imported.calls.login;

    const wrong = await login('legacy', email, 'not-the-password', 401);
    assert.equal(wrong.res.body.errorCode, 'invalid_credentials');
    await login('legacy', email.toUpperCase(), LEGACY_PASSWORD, 200);
    // By username too (the profile brought it along).
    await login('legacy', `U${run}`, LEGACY_PASSWORD, 200);
    // The legacy store changes or forgets the user: Gatehouse's copy is what counts now.
    await store.update(email, { password: 'changed-in-legacy' });
    await login('legacy', email, 'changed-in-legacy', 401);
    await login('legacy', email, LEGACY_PASSWORD, 200);
    assert.equal(imported.calls.login, after);
    assert.equal((await t.storage.getUser(`auth0|m${run}-${row.id}`))!.logins_count, 4);
  });

  it('signs a browser in through the hosted form and redirects to returnTo', async () => {
    const email = uniqueEmail('form');
    await store.add(email, LEGACY_PASSWORD);
    const agent = browser(t.app);
    const res = await agent.post('/auth/login').type('form').set('accept', 'text/html')
      .send({ _csrf: await agent.csrf(), connection: 'legacy', username: email, password: LEGACY_PASSWORD, returnTo: '/private' }).expect(303);
    assert.equal(res.headers.location, '/private');
    await agent.get('/private').expect(200);
    const page = await agent.post('/auth/login').type('form').set('accept', 'text/html')
      .send({ _csrf: await agent.csrf(), connection: 'legacy', username: email, password: 'wrong' }).expect(401);
    assert.match(page.text, /Wrong email or password/u);
  });

  it('answers an unknown user and a wrong legacy password like a migrated user\'s wrong password, creating nothing', async () => {
    const email = uniqueEmail('wrong');
    await store.add(email, LEGACY_PASSWORD);
    const migrated = uniqueEmail('known');
    await store.add(migrated, LEGACY_PASSWORD);
    await login('legacy', migrated, LEGACY_PASSWORD, 200);

    const unknown = await login('legacy', uniqueEmail('nobody'), LEGACY_PASSWORD, 401);
    const wrongLegacy = await login('legacy', email, 'wrong-password', 401);
    const wrongLocal = await login('legacy', migrated, 'wrong-password', 401);
    assert.deepEqual(unknown.res.body, wrongLocal.res.body);
    assert.deepEqual(wrongLegacy.res.body, wrongLocal.res.body);
    assert.equal(unknown.res.body.errorCode, 'invalid_credentials');
    assert.equal(await t.storage.findUserByEmail('legacy', email), null);
  });

  it('with import: false asks the script at every login, mirrors the profile and stores no password', async () => {
    const email = uniqueEmail('live');
    const row = await store.add(email, LEGACY_PASSWORD, { name: 'Lee Live' });
    const userId = `auth0|p${run}-${row.id}`;
    const before = passthrough.calls.login;
    const first = await login('legacy-live', email, LEGACY_PASSWORD, 200);
    assert.equal(first.res.body.user_id, userId);
    await first.agent.get('/private').expect(200, { user_id: userId });
    assert.equal(await t.storage.getPasswordHash(userId), null);

    await store.update(email, { name: 'Lee Renamed', password: 'new-legacy-pw' });
    await login('legacy-live', email, LEGACY_PASSWORD, 401);
    await login('legacy-live', email, 'new-legacy-pw', 200);
    assert.equal(passthrough.calls.login, before + 3);
    const user = (await t.storage.getUser(userId))!;
    assert.equal(user.name, 'Lee Renamed');
    assert.equal(user.logins_count, 2);
    assert.deepEqual(user.user_metadata, { legacy_id: row.id });
    assert.equal(await t.storage.getPasswordHash(userId), null);
  });

  it('turns a throwing script into 503 connection_unavailable, logs the reason on the server only, and writes nothing', async () => {
    const email = uniqueEmail('broken');
    errors.length = 0;
    const { res } = await login('legacy-broken', email, LEGACY_PASSWORD, 503);
    assert.equal(res.body.errorCode, 'connection_unavailable');
    assert.doesNotMatch(JSON.stringify(res.body), /ECONNREFUSED|hunter2/u);
    assert.match(String(errors.flat().map((e) => (e instanceof Error ? e.message : e)).join(' ')), /ECONNREFUSED/u);
    assert.equal(await t.storage.findUserByEmail('legacy-broken', email), null);
  });

  it('bounds a hanging script by timeoutMs: 503, its signal aborted, its late answer ignored', async () => {
    const { res } = await login('legacy-hang', `late-${run}@example.com`, LEGACY_PASSWORD, 503);
    assert.equal(res.body.errorCode, 'connection_unavailable');
    assert.equal(hanging.length, 1);
    assert.equal(hanging[0]!.signal.aborted, true);
    hanging[0]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await t.storage.findUserByIdentity('auth0', `late-${run}`), null);
  });

  it('refuses a malformed profile with 502 invalid_profile and creates no user', async () => {
    const email = uniqueEmail('malformed');
    const { res, agent } = await login('legacy-malformed', email, LEGACY_PASSWORD, 502);
    assert.equal(res.body.errorCode, 'invalid_profile');
    await agent.get('/private').expect(401);
    assert.equal(await t.storage.findUserByEmail('legacy-malformed', email), null);
  });

  for (const connection of ['legacy-malformed', 'legacy-malformed-live']) {
    it(`never signs in as a user of another connection whose id the script returns (${connection})`, async () => {
      const victim = await t.auth.gatehouse.users.createUser({ email: uniqueEmail('victim'), password: 'a long enough password 123' });
      collidingId = victim.user_id;
      const { res, agent } = await login(connection, uniqueEmail('collide'), LEGACY_PASSWORD, 502);
      assert.equal(res.body.errorCode, 'invalid_profile');
      await agent.get('/private').expect(401);
      assert.equal((await t.storage.getUser(victim.user_id))!.logins_count, 0);
    });
  }

  it('resets the password of a user not migrated yet (getUser), which completes the migration', async () => {
    const email = uniqueEmail('reset');
    const row = await store.add(email, LEGACY_PASSWORD);
    const agent = browser(t.app);
    await agent.post('/auth/password/forgot').send({ _csrf: await agent.csrf(), email }).expect(200);
    const link = MailCatcher.link(await t.mail.waitFor(email, /Reset your/u));
    const token = link.searchParams.get('token')!;
    await agent.post('/auth/password/reset').send({ _csrf: await agent.csrf(), token, password: 'a brand new passphrase' }).expect(200);
    const userId = `auth0|m${run}-${row.id}`;
    assert.match((await t.storage.getPasswordHash(userId))!, /^\$argon2id\$/u);

    const before = imported.calls.login;
    await login('legacy', email, 'a brand new passphrase', 200);
    await login('legacy', email, LEGACY_PASSWORD, 401);
    assert.equal(imported.calls.login, before);
  });

  it('checks its options at construction', () => {
    const login = async () => null;
    assert.throws(() => customDatabase({ name: 'x', login } as unknown as CustomDatabaseOptions), /import must be true/u);
    assert.throws(() => customDatabase({ name: 'x', import: true, login }), /getUser/u);
    assert.throws(() => customDatabase({ name: 'Bad Name', import: false, login }), /name must be/u);
    assert.throws(() => customDatabase({ name: 'x', import: false, login, timeoutMs: 0 }), /timeoutMs/u);
    assert.throws(() => customDatabase({ name: 'x', import: false } as unknown as CustomDatabaseOptions), /login/u);
  });
});
