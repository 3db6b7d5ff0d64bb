import assert from 'node:assert/strict';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const EMOJI_64 = '🔐'.repeat(63) + '🗝';

describe('security: passwords and login', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  async function login(email: string | null, password: string) {
    const agent = browser(t.app);
    return agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username: email, password });
  }

  it('refuses a password under 12 characters and over 128, storing nothing', async () => {
    const agent = browser(t.app);
    for (const [password, code] of [['elevenchars', 'password_too_short'], ['x'.repeat(129), 'password_too_long']] as const) {
      const email = uniqueEmail('len');
      const res = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email, password }).expect(400);
      assert.equal(res.body.errorCode, code);
      assert.equal(res.body.statusCode, 400);
      assert.equal(await t.storage.findUserByEmail('Username-Password-Authentication', email), null);
    }
  });

  it('accepts 12 and 128 characters, and a 64-emoji password whose last character matters (no truncation)', async () => {
    await createVerifiedUser(t, 'x'.repeat(12));
    await createVerifiedUser(t, 'y'.repeat(128));
    const user = await createVerifiedUser(t, EMOJI_64);
    assert.ok(Buffer.byteLength(EMOJI_64) > 72);
    assert.equal((await login(user.email, EMOJI_64)).status, 200, 'the 64-emoji password logs in');
    const wrong = await login(user.email, '🔐'.repeat(64));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errorCode, 'invalid_credentials');
  });

  it('answers an unknown user and a wrong password identically, after the same hashing work', async () => {
    const user = await createVerifiedUser(t);
    const unknown = await login(uniqueEmail('ghost'), STRONG_PASSWORD);
    const wrong = await login(user.email, 'not the right password');
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, wrong.status);
    assert.deepEqual(unknown.body, wrong.body);
    assert.deepEqual(unknown.body, { statusCode: 401, error: 'Unauthorized', message: 'Wrong email or password.', errorCode: 'invalid_credentials' });
    const headerNames = (r: { headers: Record<string, unknown> }) => Object.keys(r.headers).filter((h) => h !== 'date' && h !== 'set-cookie' && h !== 'etag').sort();
    assert.deepEqual(headerNames(unknown), headerNames(wrong));

    // Equal timing means the unknown-user path spends a real Argon2id verification too. Medians of
    // a few runs, compared as a ratio: an unknown user answered without hashing would be ~10x faster.
    const median = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const start = process.hrtime.bigint();
        await fn();
        times.push(Number(process.hrtime.bigint() - start));
      }
      return times.sort((a, b) => a - b)[3]!;
    };
    const users = t.auth.gatehouse.users;
    const tUnknown = await median(() => users.authenticate(uniqueEmail('ghost'), STRONG_PASSWORD).catch(() => undefined));
    const tWrong = await median(() => users.authenticate(user.email!, 'not the right password').catch(() => undefined));
    const ratio = tUnknown / tWrong;
    assert.ok(ratio > 0.5 && ratio < 2, `unknown/wrong timing ratio ${ratio.toFixed(2)} is within noise`);
  });

  it('re-hashes an imported bcrypt password to Argon2id at the first login', async () => {
    const user = await createVerifiedUser(t);
    await t.storage.setPasswordHash(user.user_id, await bcryptHash('imported password 1', 10));
    const res = await login(user.email, 'imported password 1');
    assert.equal(res.status, 200);
    const stored = await t.storage.getPasswordHash(user.user_id);
    assert.match(stored!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u);
    assert.equal((await login(user.email, 'imported password 1')).status, 200);
    assert.equal((await login(user.email, 'imported password 2')).status, 401);
  });

  it('keeps every byte of a long password when an imported bcrypt hash is re-hashed (no 72-byte cut on the new hash)', async () => {
    const user = await createVerifiedUser(t);
    // bcrypt itself reads only 72 bytes: both of these match the imported hash.
    const long = `${'imported-'.repeat(9)}tail-A`;
    const sameFirst72 = `${'imported-'.repeat(9)}tail-B`;
    assert.ok(Buffer.byteLength(long) > 72);
    await t.storage.setPasswordHash(user.user_id, await bcryptHash(long, 10));
    assert.equal((await login(user.email, long)).status, 200);
    assert.match((await t.storage.getPasswordHash(user.user_id))!, /^\$argon2id\$/u);
    // The Argon2id hash made at that login covers the whole password: the last character matters now.
    assert.equal((await login(user.email, sameFirst72)).status, 401);
    assert.equal((await login(user.email, long)).status, 200);
  });

  it('never forces a rotation: a password set years ago still signs in, with no prompt to change it', async () => {
    const user = await createVerifiedUser(t);
    const sequelize = (t.storage as unknown as { sequelize: { query(sql: string, options: object): Promise<unknown> } }).sequelize;
    await sequelize.query('UPDATE gatehouse_credentials SET updated_at = :old WHERE user_id = :id', { replacements: { old: new Date('2019-01-01T00:00:00Z'), id: user.user_id } });
    const res = await login(user.email, STRONG_PASSWORD);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user_id, user.user_id);
    assert.equal(res.body.returnTo, '/');
  });

  it('refuses a blocked user even with the right password', async () => {
    const user = await createVerifiedUser(t);
    await t.auth.gatehouse.users.setBlocked(user.user_id, true);
    const res = await login(user.email, STRONG_PASSWORD);
    assert.equal(res.status, 401);
    assert.equal(res.body.errorCode, 'user_blocked');
  });

  it('changes the password only with the right current password, and ends the other sessions', async () => {
    const { agent, user } = await signedInBrowser(t);
    const { agent: other } = await (async () => {
      const a = browser(t.app);
      await a.post('/auth/login').type('form').send({ _csrf: await a.csrf(), username: user.email, password: STRONG_PASSWORD }).expect(303);
      return { agent: a };
    })();
    const before = await t.storage.getPasswordHash(user.user_id);
    const wrong = await agent.post('/auth/me/password').set('x-csrf-token', await agent.csrf())
      .send({ current_password: 'not my password', new_password: 'the next long passphrase' }).expect(403);
    assert.equal(wrong.body.errorCode, 'invalid_current_password');
    assert.equal(await t.storage.getPasswordHash(user.user_id), before);
    await other.get('/private').expect(200);

    await agent.post('/auth/me/password').set('x-csrf-token', await agent.csrf())
      .send({ current_password: STRONG_PASSWORD, new_password: 'the next long passphrase' }).expect(204);
    await agent.get('/private').expect(200);
    await other.get('/private').expect(401);
    assert.equal((await login(user.email, 'the next long passphrase')).status, 200);
  });

  it('refuses a too-long new password on change, storing nothing', async () => {
    const { agent, user } = await signedInBrowser(t);
    const before = await t.storage.getPasswordHash(user.user_id);
    const res = await agent.post('/auth/me/password').set('x-csrf-token', await agent.csrf())
      .send({ current_password: STRONG_PASSWORD, new_password: 'z'.repeat(129) }).expect(400);
    assert.equal(res.body.errorCode, 'password_too_long');
    assert.equal(await t.storage.getPasswordHash(user.user_id), before);
  });

  it('rejects non-string credentials with 400 and never a 500', async () => {
    const agent = browser(t.app);
    const csrf = await agent.csrf();
    for (const body of [{ username: ['a@b.c'], password: 'x' }, { username: 'a@b.c', password: { $gt: '' } }, { username: 'a@b.c' }]) {
      const res = await agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: csrf, ...body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.errorCode, 'invalid_body');
    }
  });
});
