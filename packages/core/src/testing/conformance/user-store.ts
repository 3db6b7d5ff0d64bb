import assert from 'node:assert/strict';
import type { NewUserRecord } from '../../ports.js';
import type { User } from '../../user.js';
import { DATABASE_CONNECTION, msDate, newUserRecord, rejectionCode, rejectionOf, socialUserRecord, unique, type StorageRef } from './fixtures.js';

/** The user a store must return right after `createUser(record)`. */
export function expectedUser(record: NewUserRecord): User {
  return {
    user_id: record.user_id,
    email: record.email,
    email_verified: record.email_verified,
    username: record.username,
    phone_number: record.phone_number,
    phone_verified: record.phone_verified,
    name: record.name,
    given_name: record.given_name,
    family_name: record.family_name,
    nickname: record.nickname,
    picture: record.picture,
    created_at: record.created_at,
    updated_at: record.created_at,
    last_login: null,
    last_ip: null,
    logins_count: 0,
    blocked: record.blocked,
    identities: [record.identity],
    user_metadata: record.user_metadata,
    app_metadata: record.app_metadata,
  };
}

/** createUser, the finders and countUsers. */
export function describeUserLookups(storage: StorageRef): void {
  describe('creating and finding users', () => {
    it('creates a user and reads back every field by id', async () => {
      const record = newUserRecord({
        email_verified: true,
        phone_number: '+15555550100',
        phone_verified: true,
        given_name: 'Ada',
        family_name: 'Lovelace',
        picture: 'https://example.com/a.png',
        blocked: true,
        user_metadata: { theme: 'dark' },
        app_metadata: { plan: 'gold' },
      });
      const created = await storage().createUser(record);
      assert.deepEqual(created, expectedUser(record));
      assert.deepEqual(await storage().getUser(record.user_id), expectedUser(record));
    });

    it('resolves null for an unknown user id', async () => {
      assert.equal(await storage().getUser(`auth0|missing-${unique()}`), null);
    });

    it('keeps its own copy: mutating the record or a returned user changes nothing stored', async () => {
      const record = newUserRecord({ user_metadata: { nested: { a: 1 } } });
      const created = await storage().createUser(record);
      (record.user_metadata.nested as Record<string, number>).a = 2;
      record.identity.user_id = 'changed';
      created.name = 'changed';
      created.identities.pop();
      const read = await storage().getUser(record.user_id);
      assert.ok(read);
      read.user_metadata.extra = true;
      const again = await storage().getUser(record.user_id);
      assert.deepEqual(again?.user_metadata, { nested: { a: 1 } });
      assert.equal(again?.name, record.name);
      assert.equal(again?.identities.length, 1);
      assert.notEqual(again?.identities[0]?.user_id, 'changed');
    });

    it('finds a user by normalized email within its connection only', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      assert.equal((await storage().findUserByEmail(DATABASE_CONNECTION, record.email!))?.user_id, record.user_id);
      assert.equal(await storage().findUserByEmail(`other-${unique()}`, record.email!), null);
      assert.equal(await storage().findUserByEmail(DATABASE_CONNECTION, `nobody-${unique()}@example.com`), null);
    });

    it('finds a user by normalized username within its connection only', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      assert.equal((await storage().findUserByUsername(DATABASE_CONNECTION, record.username!))?.user_id, record.user_id);
      assert.equal(await storage().findUserByUsername(`other-${unique()}`, record.username!), null);
      assert.equal(await storage().findUserByUsername(DATABASE_CONNECTION, `nobody_${unique()}`), null);
    });

    it('finds a user by identity, with the identity profile data intact', async () => {
      const record = socialUserRecord('google-oauth2', {
        identity: {
          connection: 'google-oauth2',
          provider: 'google-oauth2',
          user_id: `1077${unique()}`,
          isSocial: true,
          profileData: { hd: 'example.com', groups: ['a', 'b'], age: 42 },
        },
      });
      await storage().createUser(record);
      const found = await storage().findUserByIdentity('google-oauth2', record.identity.user_id);
      assert.deepEqual(found, expectedUser(record));
      assert.equal(await storage().findUserByIdentity('github', record.identity.user_id), null);
      assert.equal(await storage().findUserByIdentity('google-oauth2', `missing-${unique()}`), null);
    });

    it('allows the same email on two connections and lists them oldest first', async () => {
      const email = `shared-${unique()}@example.com`;
      const newer = newUserRecord({ email, created_at: msDate(60_000) });
      const older = socialUserRecord('github', { email, created_at: msDate() });
      await storage().createUser(newer);
      await storage().createUser(older);
      const listed = await storage().listUsersByEmail(email);
      assert.deepEqual(listed.map((u) => u.user_id), [older.user_id, newer.user_id]);
      assert.deepEqual(listed[0], expectedUser(older));
      assert.deepEqual(await storage().listUsersByEmail(`nobody-${unique()}@example.com`), []);
    });

    it('rejects a second user with the same email on one connection with user_exists', async () => {
      const first = newUserRecord();
      await storage().createUser(first);
      const second = newUserRecord({ email: first.email });
      assert.equal(await rejectionCode(storage().createUser(second)), 'user_exists');
      assert.deepEqual(await storage().listUsersByEmail(first.email!), [expectedUser(first)]);
    });

    it('rejects a second user with the same username on one connection with user_exists', async () => {
      const first = newUserRecord();
      await storage().createUser(first);
      assert.equal(await rejectionCode(storage().createUser(newUserRecord({ username: first.username }))), 'user_exists');
      const elsewhere = newUserRecord({ connection: `other-${unique()}`, username: first.username });
      assert.equal((await storage().createUser(elsewhere)).username, first.username);
    });

    it('allows many users without email or username on one connection', async () => {
      const connection = `sms-${unique()}`;
      for (let i = 0; i < 3; i += 1) {
        await storage().createUser(newUserRecord({ connection, email: null, username: null }));
      }
    });

    it('rejects a taken user_id or a taken identity with user_exists', async () => {
      const first = newUserRecord();
      await storage().createUser(first);
      assert.equal(await rejectionCode(storage().createUser(newUserRecord({ user_id: first.user_id }))), 'user_exists');
      const sameIdentity = newUserRecord({ connection: `other-${unique()}`, identity: { ...first.identity } });
      assert.equal(await rejectionCode(storage().createUser(sameIdentity)), 'user_exists');
    });

    it('leaves no user and no password behind when the identity conflicts', async () => {
      const first = newUserRecord();
      await storage().createUser(first);
      const loser = newUserRecord({ identity: { ...first.identity } });
      assert.equal(await rejectionCode(storage().createUser(loser)), 'user_exists');
      assert.equal(await storage().getUser(loser.user_id), null);
      assert.equal(await storage().getPasswordHash(loser.user_id), null);
      assert.equal(await storage().findUserByEmail(DATABASE_CONNECTION, loser.email!), null);
      assert.equal(await storage().findUserByUsername(DATABASE_CONNECTION, loser.username!), null);
      // The rejected email is still free: a later signup with it succeeds.
      await storage().createUser(newUserRecord({ email: loser.email }));
    });

    it('leaves no user, identity or password behind when the email conflicts', async () => {
      const first = newUserRecord();
      await storage().createUser(first);
      const loser = newUserRecord({ email: first.email });
      assert.equal(await rejectionCode(storage().createUser(loser)), 'user_exists');
      assert.equal(await storage().getUser(loser.user_id), null);
      assert.equal(await storage().getPasswordHash(loser.user_id), null);
      assert.equal(await storage().findUserByIdentity('auth0', loser.identity.user_id), null);
    });

    it('counts users', async () => {
      const before = await storage().countUsers();
      const record = newUserRecord();
      await storage().createUser(record);
      assert.equal(await storage().countUsers(), before + 1);
      await storage().deleteUser(record.user_id);
      assert.equal(await storage().countUsers(), before);
    });
  });
}

/** modifyUser and deleteUser. */
export function describeUserChanges(storage: StorageRef): void {
  describe('modifying and deleting users', () => {
    it('writes what change returns, keeps what it leaves out, and resolves to the user after', async () => {
      const record = newUserRecord({ user_metadata: { keep: 1 } });
      await storage().createUser(record);
      let seen: User | undefined;
      const after = await storage().modifyUser(record.user_id, (user) => {
        seen = user;
        return {
          name: 'New Name',
          given_name: 'New',
          picture: null,
          nickname: null,
          email_verified: true,
          blocked: true,
          last_login: msDate(5_000),
          last_ip: '203.0.113.9',
          logins_count: user.logins_count + 1,
          user_metadata: { ...user.user_metadata, added: 'yes' },
          updated_at: msDate(5_001),
        };
      });
      assert.deepEqual(seen, expectedUser(record));
      const expected: User = {
        ...expectedUser(record),
        name: 'New Name',
        given_name: 'New',
        picture: null,
        nickname: null,
        email_verified: true,
        blocked: true,
        last_login: msDate(5_000),
        last_ip: '203.0.113.9',
        logins_count: 1,
        user_metadata: { keep: 1, added: 'yes' },
        updated_at: msDate(5_001),
      };
      assert.deepEqual(after, expected);
      assert.deepEqual(await storage().getUser(record.user_id), expected);
    });

    it('changes email and username, so the finders follow', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const email = `moved-${unique()}@example.com`;
      const username = `moved_${unique()}`;
      await storage().modifyUser(record.user_id, () => ({ email, username, updated_at: msDate(1) }));
      assert.equal((await storage().findUserByEmail(DATABASE_CONNECTION, email))?.user_id, record.user_id);
      assert.equal((await storage().findUserByUsername(DATABASE_CONNECTION, username))?.user_id, record.user_id);
      assert.equal(await storage().findUserByEmail(DATABASE_CONNECTION, record.email!), null);
    });

    it('resolves null for an unknown user without calling change', async () => {
      let called = false;
      const result = await storage().modifyUser(`auth0|missing-${unique()}`, () => {
        called = true;
        return { updated_at: new Date() };
      });
      assert.equal(result, null);
      assert.equal(called, false);
    });

    it('writes nothing when change returns null, and resolves to the unchanged user', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const result = await storage().modifyUser(record.user_id, (user) => {
        user.name = 'mutated argument';
        return null;
      });
      assert.deepEqual(result, expectedUser(record));
      assert.deepEqual(await storage().getUser(record.user_id), expectedUser(record));
    });

    it('writes nothing and rejects with the error when change throws', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const boom = new Error('change failed');
      const err = await rejectionOf(
        storage().modifyUser(record.user_id, () => {
          throw boom;
        }),
      );
      assert.equal(err, boom);
      assert.deepEqual(await storage().getUser(record.user_id), expectedUser(record));
    });

    it('rejects a change to an email taken on the connection with user_exists, writing nothing', async () => {
      const taken = newUserRecord();
      const record = newUserRecord();
      await storage().createUser(taken);
      await storage().createUser(record);
      const code = await rejectionCode(
        storage().modifyUser(record.user_id, () => ({ email: taken.email, name: 'Not written', updated_at: msDate(9) })),
      );
      assert.equal(code, 'user_exists');
      assert.deepEqual(await storage().getUser(record.user_id), expectedUser(record));
    });

    it('deletes a user with its identities, password, tokens, sessions and role grants', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const role = await storage().ensureRole({ id: `rol_${unique()}`, name: `role-${unique()}`, description: '', permissions: [] });
      await storage().assignUserRoles(record.user_id, [role.id]);
      const hash = `tok-${unique()}`;
      await storage().createToken({ hash, purpose: 'verify_email', user_id: record.user_id, expires_at: new Date(Date.now() + 3_600_000), data: {} });
      const sid = `sid-${unique()}`;
      await storage().setSession(sid, { data: '{}', expires_at: new Date(Date.now() + 3_600_000), user_id: record.user_id });

      assert.equal(await storage().deleteUser(record.user_id), true);

      assert.equal(await storage().getUser(record.user_id), null);
      assert.equal(await storage().findUserByIdentity('auth0', record.identity.user_id), null);
      assert.equal(await storage().getPasswordHash(record.user_id), null);
      assert.equal(await storage().consumeToken(hash, 'verify_email', new Date()), null);
      assert.equal(await storage().getSession(sid, new Date()), null);
      assert.deepEqual(await storage().getUserRoles(record.user_id), []);
      assert.equal(await storage().countUsersWithRole(role.id), 0);
      assert.equal(await storage().deleteUser(record.user_id), false);

      // The identity, email and username are free again.
      const again = newUserRecord({ email: record.email, username: record.username, identity: { ...record.identity } });
      assert.deepEqual(await storage().createUser(again), expectedUser(again));
    });

    it('resolves false when deleting an unknown user', async () => {
      assert.equal(await storage().deleteUser(`auth0|missing-${unique()}`), false);
    });
  });
}
