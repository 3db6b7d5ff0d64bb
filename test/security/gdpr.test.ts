import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ADMIN_ROLE } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { signedInBrowser } from '../support/accounts.js';
import { api, mintToken, userPath } from '../support/management.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { freshTestDatabaseUrl, removeTestDatabase } from '../support/test-database.js';

describe('security: GDPR export and erasure', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  /** A signed-in user with a consent, metadata and a role. */
  async function richUser() {
    const { agent, user } = await signedInBrowser(t);
    const users = t.auth.gatehouse.users;
    await users.recordConsent(user.user_id, { purpose: 'terms_of_service', version: '2024-05' }, { ip: '192.0.2.7' });
    await users.updateUser(user.user_id, { user_metadata: { theme: 'dark' }, app_metadata: { plan: 'gold' } }, 'admin');
    const role = await t.storage.createRole({ id: `rol_${Date.now().toString(16)}${Math.random().toString(16).slice(2, 8)}`, name: `gdpr-${Date.now()}-${Math.random()}`, description: 'GDPR', permissions: [] });
    await t.storage.assignUserRoles(user.user_id, [role.id]);
    return { agent, user, role };
  }

  describe('GET /auth/me/export', () => {
    it('returns everything stored about the signed-in user, with session ids hashed and no password hash', async () => {
      const { agent, user, role } = await richUser();
      const login = await agent.get('/auth/me/export').expect(200);
      assert.match(String(login.headers['content-disposition']), /^attachment; filename="gatehouse-export-\d{4}-\d\d-\d\d\.json"$/u);
      const data = login.body;
      assert.equal(data.user.user_id, user.user_id);
      assert.equal(data.user.email, user.email);
      assert.deepEqual(data.user.user_metadata, { theme: 'dark' });
      assert.deepEqual(data.user.app_metadata, { plan: 'gold' });
      assert.equal(data.user.identities[0].provider, 'auth0');
      assert.equal(data.password_set, true);
      assert.deepEqual(data.roles.map((r: { id: string }) => r.id), [role.id]);
      assert.deepEqual(data.consents.map((c: { purpose: string; version: string; granted: boolean; ip: string }) => [c.purpose, c.version, c.granted, c.ip]), [['terms_of_service', '2024-05', true, '192.0.2.7']]);
      assert.ok(data.logs.some((l: { type: string }) => l.type === 's'), 'the login is in the logs');
      assert.ok(data.logs.some((l: { type: string }) => l.type === 'ss'), 'the signup too');
      assert.equal(data.sessions.length, 1);
      const [session] = data.sessions;
      assert.match(session.id_hash, /^[0-9a-f]{16}$/u);
      assert.equal(typeof session.ip, 'string');
      assert.match(session.signed_in_at, /Z$/u);
      const text = JSON.stringify(data);
      assert.ok(!text.includes('$argon2'), 'no password hash');
      const sid = (await t.storage.listUserSessions(user.user_id, new Date()))[0]!.sid;
      assert.ok(!text.includes(sid), 'no session id');
      assert.equal(session.id_hash, createHash('sha256').update(sid).digest('hex').slice(0, 16));
      assert.ok(!text.includes('csrf'), 'no session secret');
    });

    it('needs a signed-in user', async () => {
      const res = await (await import('supertest')).default(t.app).get('/auth/me/export').set('Accept', 'application/json');
      assert.equal(res.status, 401);
      assert.equal(res.body.errorCode, 'login_required');
    });
  });

  describe('GET /api/v2/users/{id}/export', () => {
    it('gives an admin the same export (read:users), audited with the actor; others get 403', async () => {
      const { user } = await richUser();
      const client = api(t, await mintToken(t, ['read:users']));
      const res = await client.get(userPath(user, '/export')).expect(200);
      assert.equal(res.body.user.user_id, user.user_id);
      assert.equal(res.body.consents.length, 1);
      const audit = (await t.storage.listUserLogs(user.user_id, 0, 5)).logs.find((l) => l.description === 'User data exported');
      assert.match(String(audit?.details.actor), /^tok_/u);
      const denied = await api(t, await mintToken(t, ['read:logs'])).get(userPath(user, '/export'));
      assert.equal(denied.status, 403);
      assert.equal((await client.get(userPath('auth0|000000000000000000000000', '/export'))).status, 404);
    });
  });

  describe('DELETE /auth/me', () => {
    it('needs the CSRF token', async () => {
      const { agent, user } = await signedInBrowser(t);
      const res = await agent.delete('/auth/me').set('Accept', 'application/json');
      assert.equal(res.status, 403);
      assert.ok(await t.storage.getUser(user.user_id));
    });

    it('needs a recent sign-in: an older one gets 403 reauthentication_required, nothing deleted', async () => {
      const stale = await startTestApp({ session: { recentLoginMs: 1 } });
      try {
        const { agent, user } = await signedInBrowser(stale);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const res = await agent.delete('/auth/me').set('x-csrf-token', await agent.csrf());
        assert.equal(res.status, 403);
        assert.equal(res.body.errorCode, 'reauthentication_required');
        assert.ok(await stale.storage.getUser(user.user_id));
      } finally {
        await stale.close();
      }
    });

    it('erases the user everywhere and anonymizes their log entries', async () => {
      const { agent, user } = await richUser();
      await t.auth.gatehouse.users.issueToken(user.user_id, 'reset_password', 60_000, { email: user.email });
      await t.storage.addPasswordHistory(user.user_id, '$argon2id$old', new Date(), 3);
      const before = (await t.storage.listUserLogs(user.user_id, 0, 100)).logs;
      assert.ok(before.length >= 3);
      assert.equal((await t.storage.listUserSessions(user.user_id, new Date())).length, 1);

      const res = await agent.delete('/auth/me').set('x-csrf-token', await agent.csrf());
      assert.equal(res.status, 204, JSON.stringify(res.body));
      assert.ok(String(res.headers['set-cookie']).includes('gatehouse.sid=;'), 'the cookie is cleared');
      await agent.get('/private').expect(401);

      assert.equal(await t.storage.getUser(user.user_id), null);
      assert.equal(await t.storage.findUserByEmail('Username-Password-Authentication', user.email!), null);
      assert.equal(await t.storage.getPasswordHash(user.user_id), null);
      assert.deepEqual(await t.storage.listUserSessions(user.user_id, new Date()), []);
      assert.deepEqual(await t.storage.listUserConsents(user.user_id), []);
      assert.deepEqual(await t.storage.listPasswordHistory(user.user_id, 10), []);
      assert.deepEqual(await t.storage.getUserRoles(user.user_id), []);
      assert.equal((await t.storage.listUserLogs(user.user_id, 0, 10)).total, 0);

      const pseudonym = (await t.storage.getLog(before[0]!.log_id))!.user_id!;
      assert.match(pseudonym, /^erased\|[0-9a-f-]{36}$/u);
      assert.ok(!pseudonym.includes(user.user_id.split('|')[1]!));
      const after = (await t.storage.listUserLogs(pseudonym, 0, 100)).logs;
      for (const old of before) {
        const now = after.find((l) => l.log_id === old.log_id)!;
        assert.ok(now, old.log_id);
        assert.equal(now.ip, null);
        assert.equal(now.details.erased, true);
        assert.deepEqual(Object.keys(now.details).filter((k) => k !== 'erased' && k !== 'actor'), []);
      }
      const deletion = after.find((l) => l.type === 'sdu');
      assert.equal(deletion?.details.actor, 'self');
      assert.ok(!JSON.stringify(after).includes(user.email!), 'no trace of the email');
    });

    it('refuses to erase the only administrator (409 last_admin)', async () => {
      // A database of its own, so no other test's administrator exists.
      const url = await freshTestDatabaseUrl();
      const storage = createSequelizeStorage({ url });
      const own = await startTestApp({ database: storage });
      try {
        const { agent, user } = await signedInBrowser(own);
        await storage.assignUserRoles(user.user_id, [ADMIN_ROLE.id]);
        const res = await agent.delete('/auth/me').set('x-csrf-token', await agent.csrf());
        assert.equal(res.status, 409);
        assert.equal(res.body.errorCode, 'last_admin');
        assert.ok(await storage.getUser(user.user_id));
      } finally {
        await own.close();
        await storage.close();
        await removeTestDatabase(url);
      }
    });
  });

  describe('admin DELETE /api/v2/users/{id}', () => {
    it('erases as well: sessions, tokens, consents and history go, log entries are anonymized', async () => {
      const { agent, user } = await richUser();
      const signup = (await t.storage.listUserLogs(user.user_id, 0, 100)).logs.find((l) => l.type === 'ss')!;
      await api(t, await mintToken(t)).delete(userPath(user)).expect(204);
      await agent.get('/private').expect(401);
      assert.equal(await t.storage.getUser(user.user_id), null);
      assert.deepEqual(await t.storage.listUserConsents(user.user_id), []);
      assert.deepEqual(await t.storage.listUserSessions(user.user_id, new Date()), []);
      const anonymized = (await t.storage.getLog(signup.log_id))!;
      assert.match(anonymized.user_id!, /^erased\|/u);
      assert.equal(anonymized.ip, null);
      assert.deepEqual(anonymized.details, { erased: true });
    });
  });

  describe('consent records', () => {
    it('are validated and kept with their version, time and withdrawal', async () => {
      const { user } = await signedInBrowser(t);
      const users = t.auth.gatehouse.users;
      await users.recordConsent(user.user_id, { purpose: 'marketing:email', version: 'v1' });
      await users.recordConsent(user.user_id, { purpose: 'marketing:email', version: 'v1', granted: false });
      const records = await t.storage.listUserConsents(user.user_id);
      assert.deepEqual(records.map((r) => [r.purpose, r.version, r.granted]), [['marketing:email', 'v1', true], ['marketing:email', 'v1', false]]);
      assert.ok(records.every((r) => r.date instanceof Date && r.consent_id.startsWith('con_')));
      for (const bad of [{ purpose: '', version: '1' }, { purpose: 'tos', version: 'has space' }, { purpose: 'tos', version: '1', granted: 'yes' }, { purpose: 'tos', version: '1', extra: 1 }, null]) {
        await assert.rejects(users.recordConsent(user.user_id, bad), { code: 'invalid_body' }, JSON.stringify(bad));
      }
      await assert.rejects(users.recordConsent('auth0|000000000000000000000000', { purpose: 'tos', version: '1' }), { code: 'inexistent_user' });
    });
  });
});
