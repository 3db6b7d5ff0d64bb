import assert from 'node:assert/strict';
import { msDate, newUserRecord, rejectionCode, socialUserRecord, unique, type StorageRef } from './fixtures.js';

const FAR = 86_400_000 * 365 * 50;

/** AccountLinkStore and IdpTokenStore: linking an identity at login, and provider tokens per identity. */
export function describeAccountLinks(storage: StorageRef): void {
  describe('attachIdentity', () => {
    const googleIdentity = () => ({ connection: 'google', provider: 'google-oauth2', user_id: unique(), isSocial: true, profileData: { hd: 'example.com' } });

    it('adds the identity after the user\'s own, keeps password and sessions, and finds the user by it', async () => {
      const record = newUserRecord({ email_verified: true });
      await storage().createUser(record);
      const sid = `sid-${unique()}`;
      await storage().setSession(sid, { data: '{}', expires_at: msDate(FAR), user_id: record.user_id });
      const identity = googleIdentity();

      const user = await storage().attachIdentity(record.user_id, identity);
      assert.deepEqual(user.identities.map((i) => `${i.provider}|${i.user_id}`), [record.user_id, `google-oauth2|${identity.user_id}`]);
      assert.deepEqual(user.identities[1], identity);
      assert.equal((await storage().findUserByIdentity('google-oauth2', identity.user_id))?.user_id, record.user_id);
      assert.equal(await storage().getPasswordHash(record.user_id), record.password_hash);
      assert.notEqual(await storage().getSession(sid, msDate()), null);
      assert.deepEqual(await storage().getUser(record.user_id), user);
    });

    it('with revokeCredentials, removes the password, one-time tokens and every session in the same write, and applies the changes', async () => {
      const record = newUserRecord({ email_verified: false, name: 'Squatter' });
      const bystander = newUserRecord();
      await storage().createUser(record);
      await storage().createUser(bystander);
      const sids = [`sid-${unique()}`, `sid-${unique()}`];
      for (const sid of sids) await storage().setSession(sid, { data: '{}', expires_at: msDate(FAR), user_id: record.user_id });
      const otherSid = `sid-${unique()}`;
      await storage().setSession(otherSid, { data: '{}', expires_at: msDate(FAR), user_id: bystander.user_id });
      await storage().createToken({ hash: unique(), purpose: 'verify_email', user_id: record.user_id, expires_at: msDate(FAR), data: {} });

      const user = await storage().attachIdentity(record.user_id, googleIdentity(), {
        revokeCredentials: true,
        changes: { email_verified: true, name: 'Owner', updated_at: msDate(7) },
      });
      assert.equal(user.email_verified, true);
      assert.equal(user.name, 'Owner');
      assert.deepEqual(user.updated_at, msDate(7));
      assert.equal(user.identities.length, 2);
      assert.equal(await storage().getPasswordHash(record.user_id), null);
      for (const sid of sids) assert.equal(await storage().getSession(sid, msDate()), null);
      assert.equal(await storage().deleteUserTokens(record.user_id), 0);
      // Only that user's credentials go.
      assert.notEqual(await storage().getSession(otherSid, msDate()), null);
      assert.equal(await storage().getPasswordHash(bystander.user_id), bystander.password_hash);
    });

    it('refuses an identity another user holds (user_exists) and an unknown user (inexistent_user), writing nothing', async () => {
      const holder = socialUserRecord('google-oauth2');
      const record = newUserRecord();
      await storage().createUser(holder);
      await storage().createUser(record);
      const taken = { ...holder.identity };
      assert.equal(await rejectionCode(storage().attachIdentity(record.user_id, taken, { revokeCredentials: true })), 'user_exists');
      assert.equal((await storage().getUser(record.user_id))?.identities.length, 1);
      assert.equal(await storage().getPasswordHash(record.user_id), record.password_hash);
      assert.equal(await rejectionCode(storage().attachIdentity(`auth0|ghost-${unique()}`, googleIdentity())), 'inexistent_user');
    });

    it('lets exactly one of concurrent attaches of one identity to two users succeed', async () => {
      const a = newUserRecord();
      const b = newUserRecord();
      await storage().createUser(a);
      await storage().createUser(b);
      const identity = googleIdentity();
      const results = await Promise.allSettled([storage().attachIdentity(a.user_id, identity), storage().attachIdentity(b.user_id, identity)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const holders = [await storage().getUser(a.user_id), await storage().getUser(b.user_id)].filter((u) => u!.identities.length === 2);
      assert.equal(holders.length, 1);
    });
  });

  describe('setIdpTokens and listIdpTokens', () => {
    const record = (userId: string, providerUserId: string, sealed: string) => ({
      user_id: userId,
      provider: 'google-oauth2',
      provider_user_id: providerUserId,
      sealed,
      updated_at: msDate(),
    });

    it('stores one record per identity, replaces it, and lists a user\'s in order', async () => {
      const user = newUserRecord();
      await storage().createUser(user);
      const [first, second] = [`b-${unique()}`, `a-${unique()}`];
      await storage().setIdpTokens(record(user.user_id, first, 'v1.one'));
      await storage().setIdpTokens(record(user.user_id, second, 'v1.two'));
      await storage().setIdpTokens({ ...record(user.user_id, first, 'v1.three'), updated_at: msDate(9) });
      const list = await storage().listIdpTokens(user.user_id);
      assert.deepEqual(list, [record(user.user_id, second, 'v1.two'), { ...record(user.user_id, first, 'v1.three'), updated_at: msDate(9) }]);
    });

    it('moves an identity\'s record to the user who stores it last, and refuses an unknown user', async () => {
      const [a, b] = [newUserRecord(), newUserRecord()];
      await storage().createUser(a);
      await storage().createUser(b);
      const id = unique();
      await storage().setIdpTokens(record(a.user_id, id, 'v1.a'));
      await storage().setIdpTokens(record(b.user_id, id, 'v1.b'));
      assert.deepEqual(await storage().listIdpTokens(a.user_id), []);
      assert.deepEqual((await storage().listIdpTokens(b.user_id)).map((r) => r.sealed), ['v1.b']);
      assert.equal(await rejectionCode(storage().setIdpTokens(record(`auth0|ghost-${unique()}`, unique(), 'x'))), 'inexistent_user');
    });

    it('keeps long sealed values whole', async () => {
      const user = newUserRecord();
      await storage().createUser(user);
      const sealed = `v1.${'x'.repeat(40_000)}`;
      await storage().setIdpTokens(record(user.user_id, unique(), sealed));
      assert.equal((await storage().listIdpTokens(user.user_id))[0]?.sealed, sealed);
    });

    it('deletes the records with their user, and with a secondary linked away', async () => {
      const [gone, primary, secondary] = [newUserRecord(), newUserRecord(), newUserRecord()];
      for (const u of [gone, primary, secondary]) await storage().createUser(u);
      await storage().setIdpTokens(record(gone.user_id, unique(), 'v1.gone'));
      await storage().setIdpTokens(record(secondary.user_id, unique(), 'v1.sec'));
      await storage().deleteUser(gone.user_id);
      assert.deepEqual(await storage().listIdpTokens(gone.user_id), []);
      await storage().linkUser(primary.user_id, secondary.user_id);
      assert.deepEqual(await storage().listIdpTokens(secondary.user_id), []);
      // A user re-created with the id starts without them.
      await storage().createUser({ ...gone, email: null, username: null, identity: { ...gone.identity, user_id: unique() } });
      assert.deepEqual(await storage().listIdpTokens(gone.user_id), []);
    });
  });
}
