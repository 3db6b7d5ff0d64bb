import assert from 'node:assert/strict';
import { newUserRecord, socialUserRecord, unique, type StorageRef } from './fixtures.js';

/** getPasswordHash and setPasswordHash (with its compare-and-set). */
export function describeCredentialStore(storage: StorageRef): void {
  describe('password hashes', () => {
    it('returns the hash written by createUser, and null for a user without a password', async () => {
      const record = newUserRecord();
      const social = socialUserRecord('github');
      await storage().createUser(record);
      await storage().createUser(social);
      assert.equal(await storage().getPasswordHash(record.user_id), record.password_hash);
      assert.equal(await storage().getPasswordHash(social.user_id), null);
      assert.equal(await storage().getPasswordHash(`auth0|missing-${unique()}`), null);
    });

    it('sets a hash unconditionally, also for a user who had none', async () => {
      const record = newUserRecord();
      const social = socialUserRecord('github');
      await storage().createUser(record);
      await storage().createUser(social);
      assert.equal(await storage().setPasswordHash(record.user_id, 'hash-2'), true);
      assert.equal(await storage().getPasswordHash(record.user_id), 'hash-2');
      assert.equal(await storage().setPasswordHash(social.user_id, 'hash-s'), true);
      assert.equal(await storage().getPasswordHash(social.user_id), 'hash-s');
    });

    it('resolves false and stores nothing for an unknown user', async () => {
      const userId = `auth0|missing-${unique()}`;
      assert.equal(await storage().setPasswordHash(userId, 'hash'), false);
      assert.equal(await storage().getPasswordHash(userId), null);
    });

    it('compare-and-set writes only when the current hash still matches', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      assert.equal(await storage().setPasswordHash(record.user_id, 'rehashed', 'not-the-current-hash'), false);
      assert.equal(await storage().getPasswordHash(record.user_id), record.password_hash);
      assert.equal(await storage().setPasswordHash(record.user_id, 'rehashed', record.password_hash!), true);
      assert.equal(await storage().getPasswordHash(record.user_id), 'rehashed');
      // Writing the hash it already has is still a successful compare-and-set.
      assert.equal(await storage().setPasswordHash(record.user_id, 'rehashed', 'rehashed'), true);
    });

    it('compare-and-set fails for a user without a password', async () => {
      const social = socialUserRecord('github');
      await storage().createUser(social);
      assert.equal(await storage().setPasswordHash(social.user_id, 'hash', 'anything'), false);
      assert.equal(await storage().getPasswordHash(social.user_id), null);
    });
  });
}
