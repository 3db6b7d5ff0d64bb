import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ADMIN_ROLE, type NewUserRecord, type User } from '@gatehouse/core';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { api, mintToken, snapshot, userPath } from '../support/management.js';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const OTHER_PASSWORD = 'another long passphrase here';
const localId = (user: User): string => user.user_id.slice('auth0|'.length);

describe('management API: identities (link and unlink)', function () {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  before(async () => {
    t = await startTestApp();
    client = api(t, await mintToken(t));
  });
  after(async () => t.close());

  async function loginStatus(email: string, password: string): Promise<number> {
    const agent = browser(t.app);
    const csrf = await agent.csrf();
    return (await agent.post('/auth/login').type('form').send({ _csrf: csrf, username: email, password })).status;
  }

  /** A social user written through the storage port, as a social login would. */
  async function socialUser(provider: string): Promise<User> {
    const id = randomBytes(8).toString('hex');
    const record: NewUserRecord = {
      user_id: `${provider}|${id}`, connection: provider, email: uniqueEmail('social'), email_verified: true, username: null,
      phone_number: null, phone_verified: false, name: 'Social Person', given_name: 'Social', family_name: 'Person',
      nickname: 'social', picture: null, blocked: false, user_metadata: {}, app_metadata: {},
      identity: { connection: provider, provider, user_id: id, isSocial: true, profileData: { locale: 'fr' } },
      password_hash: null, created_at: new Date(),
    };
    return t.storage.createUser(record);
  }

  describe('POST /users/{id}/identities', () => {
    it('links a database user: 201 with both identities, the secondary is gone with its password and sessions', async () => {
      const primary = await createVerifiedUser(t);
      const { agent, user: secondary } = await signedInBrowser(t, OTHER_PASSWORD);
      await agent.get('/private').expect(200);

      const res = await client.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.length, 2);
      assert.deepEqual(res.body[0], { connection: 'Username-Password-Authentication', provider: 'auth0', user_id: localId(primary), isSocial: false });
      assert.equal(res.body[1].user_id, localId(secondary));
      assert.equal(res.body[1].isSocial, false);
      assert.equal(res.body[1].profileData.email, secondary.email);
      assert.equal(res.body[1].profileData.email_verified, true);
      assert.equal(res.body[1].profileData.name, secondary.name);

      const gone = await client.get(userPath(secondary));
      assert.equal(gone.status, 404);
      assert.equal(gone.body.errorCode, 'inexistent_user');
      await agent.get('/private').expect(401);
      assert.notEqual(await loginStatus(secondary.email!, OTHER_PASSWORD), 303);
      assert.equal(await loginStatus(primary.email!, STRONG_PASSWORD), 303);
      assert.equal(await loginStatus(primary.email!, OTHER_PASSWORD) === 303, false);

      const fetched = await client.get(userPath(primary)).expect(200);
      assert.deepEqual(fetched.body.identities, res.body);
      assert.equal(fetched.body.email, primary.email);
      const { logs } = await t.storage.listUserLogs(primary.user_id, 0, 10);
      const event = logs.find((l) => l.description === 'Link a user account');
      assert.equal(event?.type, 'sapi');
      assert.equal(event?.details.linked_user_id, secondary.user_id);
      assert.match(String(event?.details.actor), /^tok_/u);
    });

    it('refuses a self-link, an unknown secondary or primary, link_with and bad bodies, changing nothing', async () => {
      const primary = await createVerifiedUser(t);
      const before = await snapshot(t, primary.user_id);
      for (const [body, status, code, field] of [
        [{ provider: 'auth0', user_id: localId(primary) }, 400, 'invalid_body', 'user_id'],
        [{ provider: 'auth0', user_id: 'ffffffffffffffffffffffff' }, 404, 'inexistent_user', undefined],
        [{ link_with: 'eyJhbGciOiJub25lIn0.e30.' }, 400, 'invalid_body', 'link_with'],
        [{ user_id: 'abc' }, 400, 'invalid_body', 'provider'],
        [{ provider: 'auth0', user_id: '' }, 400, 'invalid_body', 'user_id'],
        [{ provider: 'auth0', user_id: 'abc', is_admin: true }, 400, 'invalid_body', 'is_admin'],
      ] as const) {
        const res = await client.post(userPath(primary, '/identities')).send(body);
        assert.equal(res.status, status, JSON.stringify([body, res.body]));
        assert.equal(res.body.errorCode, code);
        assert.equal(res.body.field, field);
      }
      const withToken = await client.post(userPath(primary, '/identities')).send({ link_with: 'x.y.z' });
      assert.match(withToken.body.message, /OpenID Connect/u);
      const other = await createVerifiedUser(t);
      const noPrimary = await client.post(userPath('auth0|ffffffffffffffffffffffff', '/identities')).send({ provider: 'auth0', user_id: localId(other) });
      assert.equal(noPrimary.status, 404);
      assert.equal(noPrimary.body.errorCode, 'inexistent_user');
      assert.notEqual(await t.storage.getUser(other.user_id), null);
      assert.deepEqual(await snapshot(t, primary.user_id), before);
    });

    it('needs update:users (403), leaving both users as they were', async () => {
      const primary = await createVerifiedUser(t);
      const secondary = await createVerifiedUser(t);
      const reader = api(t, await mintToken(t, ['read:users', 'update:users_app_metadata']));
      const [beforePrimary, beforeSecondary] = [await snapshot(t, primary.user_id), await snapshot(t, secondary.user_id)];
      const link = await reader.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) });
      assert.equal(link.status, 403);
      assert.equal(link.body.errorCode, 'insufficient_scope');
      assert.deepEqual(await snapshot(t, primary.user_id), beforePrimary);
      assert.deepEqual(await snapshot(t, secondary.user_id), beforeSecondary);
      await client.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) }).expect(201);
      const afterLink = await snapshot(t, primary.user_id);
      const unlink = await reader.delete(userPath(primary, `/identities/auth0/${localId(secondary)}`));
      assert.equal(unlink.status, 403);
      assert.equal(unlink.body.errorCode, 'insufficient_scope');
      assert.deepEqual(await snapshot(t, primary.user_id), afterLink);
      assert.equal(await t.storage.getUser(secondary.user_id), null);
    });

    it('lets exactly one of concurrent links of the same pair succeed', async () => {
      const primary = await createVerifiedUser(t);
      const secondary = await createVerifiedUser(t);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => client.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) })),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 404, 404, 404], JSON.stringify(results.map((r) => r.body)));
      for (const r of results.filter((x) => x.status === 404)) assert.equal(r.body.errorCode, 'inexistent_user');
      assert.equal((await t.storage.getUser(primary.user_id))?.identities.length, 2);
      assert.equal(await t.storage.getUser(secondary.user_id), null);
    });

    it('drops the roles of an admin secondary when another admin remains', async () => {
      const keeper = await createVerifiedUser(t);
      await t.storage.assignUserRoles(keeper.user_id, [ADMIN_ROLE.id]);
      const primary = await createVerifiedUser(t);
      const secondary = await createVerifiedUser(t);
      await t.storage.assignUserRoles(secondary.user_id, [ADMIN_ROLE.id]);
      const admins = await t.storage.countUsersWithRole(ADMIN_ROLE.id);
      await client.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) }).expect(201);
      assert.equal(await t.storage.countUsersWithRole(ADMIN_ROLE.id), admins - 1);
      assert.deepEqual(await t.storage.getUserRoles(primary.user_id), []);
    });

    it('finds the primary by identities.connection after linking a social user', async () => {
      const provider = `oidc-${randomBytes(4).toString('hex')}`;
      const primary = await createVerifiedUser(t);
      const social = await socialUser(provider);
      const q = encodeURIComponent(`identities.connection:"${provider}"`);
      const before = await client.get(`/users?search_engine=v3&q=${q}`).expect(200);
      assert.deepEqual(before.body.map((u: User) => u.user_id), [social.user_id]);
      const res = await client.post(userPath(primary, '/identities')).send({ provider, user_id: social.identities[0]!.user_id, connection_id: provider });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body[1].isSocial, true);
      assert.deepEqual(res.body[1].profileData, {
        locale: 'fr', email: social.email, email_verified: true, name: 'Social Person', given_name: 'Social', family_name: 'Person', nickname: 'social', phone_verified: false,
      });
      const after = await client.get(`/users?search_engine=v3&q=${q}`).expect(200);
      assert.deepEqual(after.body.map((u: User) => u.user_id), [primary.user_id]);
    });
  });

  describe('DELETE /users/{id}/identities/{provider}/{user_id}', () => {
    it('unlinks into a standalone user that can be fetched, answering the remaining identities', async () => {
      const primary = await createVerifiedUser(t);
      const secondary = await createVerifiedUser(t, OTHER_PASSWORD);
      await client.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) }).expect(201);
      const res = await client.delete(userPath(primary, `/identities/auth0/${localId(secondary)}`));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, [{ connection: 'Username-Password-Authentication', provider: 'auth0', user_id: localId(primary), isSocial: false }]);
      const back = await client.get(userPath(secondary)).expect(200);
      assert.equal(back.body.email, secondary.email);
      assert.equal(back.body.email_verified, true);
      assert.deepEqual(back.body.identities, [{ connection: 'Username-Password-Authentication', provider: 'auth0', user_id: localId(secondary), isSocial: false }]);
      // Its password died with the link: the standalone user signs in again after a reset.
      assert.notEqual(await loginStatus(secondary.email!, OTHER_PASSWORD), 303);
      assert.equal(await loginStatus(primary.email!, STRONG_PASSWORD), 303);
      assert.equal((await client.get(userPath(primary)).expect(200)).body.identities.length, 1);
    });

    it('refuses the main identity (400) and an unknown identity or user (404), changing nothing', async () => {
      const primary = await createVerifiedUser(t);
      const secondary = await createVerifiedUser(t);
      await client.post(userPath(primary, '/identities')).send({ provider: 'auth0', user_id: localId(secondary) }).expect(201);
      const before = await snapshot(t, primary.user_id);
      const main = await client.delete(userPath(primary, `/identities/auth0/${localId(primary)}`));
      assert.equal(main.status, 400);
      assert.equal(main.body.errorCode, 'invalid_body');
      assert.equal(main.body.message, 'Main identity cannot be removed.');
      const unknown = await client.delete(userPath(primary, '/identities/auth0/ffffffffffffffffffffffff'));
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.errorCode, 'inexistent_identity');
      const noUser = await client.delete(userPath('auth0|ffffffffffffffffffffffff', `/identities/auth0/${localId(secondary)}`));
      assert.equal(noUser.status, 404);
      assert.equal(noUser.body.errorCode, 'inexistent_user');
      assert.deepEqual(await snapshot(t, primary.user_id), before);
    });
  });
});
