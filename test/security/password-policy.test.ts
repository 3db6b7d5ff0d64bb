import assert from 'node:assert/strict';
import { createPasswordHasher, passwordRuleFailures, resolvePasswordPolicy, commonPasswordCount, type PasswordPolicy } from '@gatehouse/core';
import { identity } from '@gatehouse/express';
import { signedInBrowser } from '../support/accounts.js';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const CONNECTION = 'Username-Password-Authentication';
/** Cheap Argon2 for tests that verify against a password history. */
const cheapHasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

const codes = (password: string, policy: Partial<PasswordPolicy>, personal?: Parameters<typeof passwordRuleFailures>[2]) =>
  passwordRuleFailures(password.normalize('NFKC'), resolvePasswordPolicy(policy), personal).map((f) => f.code);

describe('security: password policy', function () {
  describe("Auth0's levels and the NIST default, rule by rule", () => {
    it('nist (the default): 12 to 128 characters, common passwords and personal data refused, no composition rules', () => {
      assert.deepEqual(codes('correct horse battery staple', {}), []);
      assert.deepEqual(codes('alllowercaseletters', {}), []);
      assert.deepEqual(codes('elevenchars', {}), ['min_length']);
      assert.deepEqual(codes('qwertyuiop123', {}), ['dictionary']);
      assert.deepEqual(codes('QwertyUIOP123', {}), ['dictionary'], 'the list is matched case-insensitively');
      assert.deepEqual(codes('password', {}), ['min_length', 'dictionary']);
      assert.deepEqual(codes('x'.repeat(129), {}), ['max_length']);
      assert.ok(commonPasswordCount() >= 10_000);
    });

    it("none: 1 character; low: 6; fair: 8 with lower, upper and digit; good: 8 with 3 of 4 types; excellent: 10, 3 of 4, no 3 identical in a row", () => {
      assert.deepEqual(codes('a', { level: 'none' }), []);
      assert.deepEqual(codes('abcde', { level: 'low' }), ['min_length']);
      assert.deepEqual(codes('abcdef', { level: 'low' }), []);
      assert.deepEqual(codes('abcdefgh', { level: 'fair' }), ['character_types']);
      assert.deepEqual(codes('abcdEFG1', { level: 'fair' }), []);
      assert.deepEqual(codes('abcdEF!?', { level: 'fair' }), ['character_types'], 'fair needs digits, special characters do not replace them');
      assert.deepEqual(codes('abcdefg1', { level: 'good' }), ['character_types']);
      assert.deepEqual(codes('abcdef1!', { level: 'good' }), []);
      assert.deepEqual(codes('Abcdef1!', { level: 'good' }), []);
      assert.deepEqual(codes('Abcdefg1!', { level: 'excellent' }), ['min_length']);
      assert.deepEqual(codes('Abcdefgh1!', { level: 'excellent' }), []);
      assert.deepEqual(codes('Abcdeeeh1!', { level: 'excellent' }), ['identical_characters']);
      assert.deepEqual(codes('Abcdeeh11!', { level: 'excellent' }), []);
    });

    it("Auth0's levels leave the dictionary and personal-data checks off unless asked, as Auth0 does", () => {
      assert.deepEqual(codes('password', { level: 'low' }), []);
      assert.deepEqual(codes('password', { level: 'low', dictionary: true }), ['dictionary']);
      assert.deepEqual(codes('gatehouse-rocks', { level: 'low', customDictionary: ['Gatehouse-Rocks'] }), ['dictionary']);
    });

    it('personal data: the email local part, username, nickname and each name, case-insensitively', () => {
      const personal = { email: 'ada.lovelace@example.com', username: 'countess', name: 'Ada Lovelace', nickname: 'analytical' };
      for (const password of ['my Ada.Lovelace password', 'the COUNTESS of numbers', 'lovelace engine 1843', 'analytical engine notes']) {
        assert.deepEqual(codes(password, {}, personal), ['personal_data'], password);
      }
      assert.deepEqual(codes('ada rides the engine', {}, personal), [], 'names under 4 characters are not looked for');
      assert.deepEqual(codes('lovelace engine 1843', { personalData: false }, personal), []);
    });

    it('refuses a policy that cannot work, at construction (TypeError)', () => {
      for (const policy of [{ level: 'strong' }, { history: 25 }, { history: -1 }, { customDictionary: new Array(201).fill('x') }, { dictionary: 'yes' }]) {
        assert.throws(() => resolvePasswordPolicy(policy as Partial<PasswordPolicy>), TypeError, JSON.stringify(policy));
        assert.throws(() => identity({ passwordPolicy: policy as Partial<PasswordPolicy>, database: 'sqlite::memory:', logger: { info() {}, warn() {}, error() {} } }), TypeError);
      }
    });
  });

  describe('over HTTP (NIST default)', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp();
    });
    after(async () => t.close());

    it('lists every broken rule in the error body, creating nothing', async () => {
      const agent = browser(t.app);
      const email = uniqueEmail('weak');
      const res = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email, password: 'password' }).expect(400);
      assert.equal(res.body.errorCode, 'password_too_short');
      assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['min_length', 'dictionary']);
      assert.ok(res.body.rules.every((r: { message: string }) => typeof r.message === 'string' && r.message.length > 0));
      assert.equal(await t.storage.findUserByEmail(CONNECTION, email), null);

      const common = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email, password: 'qwertyuiop123' }).expect(400);
      assert.equal(common.body.errorCode, 'password_too_weak');
      assert.deepEqual(common.body.rules.map((r: { code: string }) => r.code), ['dictionary']);
      assert.equal(await t.storage.findUserByEmail(CONNECTION, email), null);
    });

    it('refuses a password made of the email address (personal data)', async () => {
      const agent = browser(t.app);
      const email = uniqueEmail('margaret');
      const local = email.slice(0, email.indexOf('@'));
      const res = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email, password: `${local}!` }).expect(400);
      assert.equal(res.body.errorCode, 'password_too_weak');
      assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['personal_data']);
    });

    it('shows the rules as a list on the hosted signup, reset and account pages', async () => {
      const agent = browser(t.app);
      const page = await agent.post('/auth/signup').type('form').send({ _csrf: await agent.csrf(), email: uniqueEmail(), password: 'password' }).expect(400);
      assert.match(page.text, /<ul class="password-rules"><li data-rule="min_length">[^<]+<\/li><li data-rule="dictionary">[^<]+<\/li><\/ul>/u);
      assert.match(page.text, /role="alert"/u);

      const { agent: signedIn, user } = await signedInBrowser(t);
      const account = await signedIn.post('/auth/account/password').type('form')
        .send({ _csrf: await signedIn.csrf(), current_password: STRONG_PASSWORD, new_password: 'qwertyuiop123' }).expect(400);
      assert.match(account.text, /<li data-rule="dictionary">/u);
      assert.equal(await t.auth.gatehouse.users.hasher.verify((await t.storage.getPasswordHash(user.user_id))!, STRONG_PASSWORD), true, 'password unchanged');

      const token = await t.auth.gatehouse.users.issueToken(user.user_id, 'reset_password', 60_000, { email: user.email });
      const reset = browser(t.app);
      await reset.get(`/auth/password/reset?token=${token}`).expect(200);
      const refused = await reset.post('/auth/password/reset').type('form').send({ _csrf: await reset.csrf(), token, password: 'qwertyuiop123' }).expect(400);
      assert.match(refused.text, /<li data-rule="dictionary">/u);
      // The refused password did not use the link up.
      await reset.post('/auth/password/reset').type('form').send({ _csrf: await reset.csrf(), token, password: 'a fresh unguessable phrase' }).expect(200);
    });

    it('checks the management API and self-service changes too', async () => {
      const { agent, user } = await signedInBrowser(t);
      const res = await agent.post('/auth/me/password').set('x-csrf-token', await agent.csrf())
        .send({ current_password: STRONG_PASSWORD, new_password: 'qwertyuiop123' }).expect(400);
      assert.equal(res.body.errorCode, 'password_too_weak');
      assert.equal(res.body.field, 'new_password');
      assert.equal(await t.auth.gatehouse.users.hasher.verify((await t.storage.getPasswordHash(user.user_id))!, STRONG_PASSWORD), true);
    });
  });

  describe('history and an Auth0 level, configured', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ passwordPolicy: { level: 'good', history: 3 }, passwordHasher: cheapHasher });
    });
    after(async () => t.close());

    const change = async (agent: ReturnType<typeof browser>, current: string, next: string) =>
      agent.post('/auth/me/password').set('x-csrf-token', await agent.csrf()).send({ current_password: current, new_password: next });

    it("refuses the last 3 passwords (the current one included), verified with the hasher; the 4th back is allowed", async () => {
      const passwords = ['First-pass1', 'Second-pass2', 'Third-pass3', 'Fourth-pass4'];
      const { agent, user } = await signedInBrowser(t, passwords[0]);
      for (let i = 1; i < passwords.length; i++) {
        const res = await change(agent, passwords[i - 1]!, passwords[i]!);
        assert.equal(res.status, 204, JSON.stringify(res.body));
      }
      const history = await t.storage.listPasswordHistory(user.user_id, 10);
      assert.equal(history.length, 3);
      assert.ok(history.every((h) => h.startsWith('$argon2id$')), 'hashes, never the passwords');
      for (const reused of ['Fourth-pass4', 'Third-pass3', 'Second-pass2']) {
        const res = await change(agent, 'Fourth-pass4', reused);
        assert.equal(res.status, 400, reused);
        assert.equal(res.body.errorCode, 'password_too_weak');
        assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['history']);
      }
      assert.equal(await cheapHasher.verify((await t.storage.getPasswordHash(user.user_id))!, 'Fourth-pass4'), true, 'unchanged');
      assert.equal((await change(agent, 'Fourth-pass4', 'First-pass1')).status, 204);
    });

    it("applies the level's composition rules at signup, listed rule by rule", async () => {
      const agent = browser(t.app);
      const res = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email: uniqueEmail(), password: 'lowercase' }).expect(400);
      assert.equal(res.body.errorCode, 'password_too_weak');
      assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['character_types']);
      await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email: uniqueEmail(), password: 'Lower-case9' }).expect(201);
    });

    it('admin password changes count against the history as well', async () => {
      const user = await t.auth.gatehouse.users.createUser({ email: uniqueEmail(), password: 'Admin-set-1', email_verified: true });
      await assert.rejects(t.auth.gatehouse.users.updateUser(user.user_id, { password: 'Admin-set-1' }, 'admin'), { code: 'password_too_weak' });
      await t.auth.gatehouse.users.updateUser(user.user_id, { password: 'Admin-set-2' }, 'admin');
      assert.equal((await t.storage.listPasswordHistory(user.user_id, 10)).length, 2);
    });
  });
});
