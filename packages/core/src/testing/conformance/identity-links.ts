import assert from 'node:assert/strict';
import { parseQuery } from '../../search/parse-query.js';
import { msDate, newUserRecord, rejectionCode, socialUserRecord, unique, type StorageRef } from './fixtures.js';

/** IdentityStore: linking moves identities and deletes the secondary; unlinking makes a user again. */
export function describeIdentityLinks(storage: StorageRef): void {
  describe('linkUser and unlinkIdentity', () => {
    async function pair() {
      const primary = newUserRecord();
      const secondary = newUserRecord({ name: 'Second', given_name: 'Sec', email_verified: true, user_metadata: { theme: 'dark' } });
      await storage().createUser(primary);
      await storage().createUser(secondary);
      return { primary, secondary };
    }

    it('moves every identity of the secondary onto the primary and deletes the secondary with what hangs on it', async () => {
      const { primary, secondary } = await pair();
      const role = { id: `rol_${unique()}`, name: `linked-${unique()}`, description: '', permissions: [] };
      await storage().createRole(role);
      await storage().assignUserRoles(secondary.user_id, [role.id]);
      await storage().setSession(`sid-${unique()}`, { data: '{}', expires_at: msDate(86_400_000 * 365 * 50), user_id: secondary.user_id });
      await storage().createToken({ hash: unique(), purpose: 'reset_password', user_id: secondary.user_id, expires_at: msDate(86_400_000 * 365 * 50), data: {} });

      const linked = await storage().linkUser(primary.user_id, secondary.user_id, { at: msDate(5) });
      assert.equal(linked.user_id, primary.user_id);
      assert.deepEqual(linked.identities.map((i) => `${i.provider}|${i.user_id}`), [primary.user_id, secondary.user_id]);
      assert.equal(linked.identities[0]!.profileData, undefined);
      const data = linked.identities[1]!.profileData!;
      assert.equal(data.email, secondary.email);
      assert.equal(data.name, 'Second');
      assert.equal(data.given_name, 'Sec');
      assert.equal(data.email_verified, true);
      // The primary keeps its own profile and metadata (Auth0 does not merge).
      assert.equal(linked.email, primary.email);
      assert.deepEqual(linked.user_metadata, {});
      assert.deepEqual(linked.updated_at, msDate(5));

      assert.equal(await storage().getUser(secondary.user_id), null);
      assert.equal(await storage().getPasswordHash(secondary.user_id), null);
      assert.equal(await storage().getPasswordHash(primary.user_id), primary.password_hash);
      assert.equal(await storage().destroyUserSessions(secondary.user_id), 0);
      assert.equal(await storage().deleteUserTokens(secondary.user_id), 0);
      assert.deepEqual(await storage().getUserRoles(secondary.user_id), []);
      assert.equal((await storage().findUserByIdentity('auth0', secondary.identity.user_id))?.user_id, primary.user_id);
      assert.deepEqual(await storage().getUser(primary.user_id), linked);
    });

    it('refuses a missing user on either side (inexistent_user) and a self-link (invalid_body), changing nothing', async () => {
      const { primary, secondary } = await pair();
      const ghost = `auth0|ghost-${unique()}`;
      assert.equal(await rejectionCode(storage().linkUser(primary.user_id, ghost)), 'inexistent_user');
      assert.equal(await rejectionCode(storage().linkUser(ghost, secondary.user_id)), 'inexistent_user');
      assert.equal(await rejectionCode(storage().linkUser(primary.user_id, primary.user_id)), 'invalid_body');
      assert.equal((await storage().getUser(primary.user_id))?.identities.length, 1);
      assert.equal((await storage().getUser(secondary.user_id))?.identities.length, 1);
    });

    it('refuses to delete the only holder of the protected role (last_admin), and drops the grant otherwise', async () => {
      const { primary, secondary } = await pair();
      const role = { id: `rol_${unique()}`, name: `keep-${unique()}`, description: '', permissions: [] };
      await storage().createRole(role);
      await storage().assignUserRoles(secondary.user_id, [role.id]);
      assert.equal(await rejectionCode(storage().linkUser(primary.user_id, secondary.user_id, { keepHolderOf: role.id })), 'last_admin');
      assert.notEqual(await storage().getUser(secondary.user_id), null);
      assert.deepEqual((await storage().getUserRoles(secondary.user_id)).map((r) => r.id), [role.id]);
      await storage().assignUserRoles(primary.user_id, [role.id]);
      await storage().linkUser(primary.user_id, secondary.user_id, { keepHolderOf: role.id });
      assert.equal(await storage().countUsersWithRole(role.id), 1);
    });

    it('lets exactly one of concurrent links of one pair (either direction) succeed', async () => {
      const { primary, secondary } = await pair();
      const results = await Promise.allSettled([
        storage().linkUser(primary.user_id, secondary.user_id),
        storage().linkUser(primary.user_id, secondary.user_id),
        storage().linkUser(secondary.user_id, primary.user_id),
        storage().linkUser(primary.user_id, secondary.user_id),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.equal(ok.length, 1, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))));
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'inexistent_user');
      const survivors = [await storage().getUser(primary.user_id), await storage().getUser(secondary.user_id)].filter((u) => u !== null);
      assert.equal(survivors.length, 1);
      assert.equal(survivors[0]!.identities.length, 2);
    });

    it('unlinks an identity into a user of its own (provider|id), keeping the rest', async () => {
      const { primary, secondary } = await pair();
      await storage().linkUser(primary.user_id, secondary.user_id);
      const { identities, unlinked } = await storage().unlinkIdentity(primary.user_id, 'auth0', secondary.identity.user_id, { at: msDate(9) });
      assert.deepEqual(identities.map((i) => `${i.provider}|${i.user_id}`), [primary.user_id]);
      assert.equal(unlinked.user_id, secondary.user_id);
      assert.equal(unlinked.email, secondary.email);
      assert.equal(unlinked.name, 'Second');
      assert.equal(unlinked.email_verified, true);
      assert.deepEqual(unlinked.created_at, msDate(9));
      assert.deepEqual(unlinked.user_metadata, {});
      assert.deepEqual(unlinked.identities, [{ connection: secondary.connection, provider: 'auth0', user_id: secondary.identity.user_id, isSocial: false }]);
      assert.equal(await storage().getPasswordHash(unlinked.user_id), null);
      assert.deepEqual(await storage().getUser(unlinked.user_id), unlinked);
      assert.equal((await storage().getUser(primary.user_id))?.identities.length, 1);
      assert.equal((await storage().findUserByEmail(secondary.connection, secondary.email!))?.user_id, unlinked.user_id);
    });

    it('refuses the main identity (invalid_body), an unknown identity (inexistent_identity) and an unknown user', async () => {
      const { primary, secondary } = await pair();
      await storage().linkUser(primary.user_id, secondary.user_id);
      assert.equal(await rejectionCode(storage().unlinkIdentity(primary.user_id, 'auth0', primary.identity.user_id)), 'invalid_body');
      assert.equal(await rejectionCode(storage().unlinkIdentity(primary.user_id, 'auth0', `nope-${unique()}`)), 'inexistent_identity');
      assert.equal(await rejectionCode(storage().unlinkIdentity(primary.user_id, 'google-oauth2', secondary.identity.user_id)), 'inexistent_identity');
      assert.equal(await rejectionCode(storage().unlinkIdentity(`auth0|ghost-${unique()}`, 'auth0', secondary.identity.user_id)), 'inexistent_user');
      assert.equal((await storage().getUser(primary.user_id))?.identities.length, 2);
    });

    it('keeps search right: identities.connection and metadata follow the link and the unlink', async () => {
      const tag = `links${unique()}`;
      const primary = newUserRecord({ app_metadata: { suite: tag } });
      const social = socialUserRecord(`social-${tag}`, { user_metadata: { color: tag } });
      await storage().createUser(primary);
      await storage().createUser(social);
      const find = async (q: string) =>
        (await storage().searchUsers({ query: parseQuery(q), page: 0, perPage: 10, includeTotals: true })).users.map((u) => u.user_id);
      assert.deepEqual(await find(`identities.connection:"social-${tag}"`), [social.user_id]);
      await storage().linkUser(primary.user_id, social.user_id);
      assert.deepEqual(await find(`identities.connection:"social-${tag}"`), [primary.user_id]);
      assert.deepEqual(await find(`app_metadata.suite:"${tag}"`), [primary.user_id]);
      // The secondary's metadata went with it: nothing still matches its index rows.
      assert.deepEqual(await find(`user_metadata.color:"${tag}"`), []);
      const { unlinked } = await storage().unlinkIdentity(primary.user_id, `social-${tag}`, social.identity.user_id);
      assert.deepEqual(await find(`identities.connection:"social-${tag}"`), [unlinked.user_id]);
      assert.deepEqual(await find(`email:"${social.email!}"`), [unlinked.user_id]);
      assert.deepEqual(unlinked.identities[0]!.profileData, { locale: 'en' });
    });
  });
}
