import assert from 'node:assert/strict';
import { msDate, newUserRecord, unique, type StorageRef } from './fixtures.js';

/** What must hold when many requests hit one row at once (SECURITY.md, Reliability). */
export function describeConcurrency(storage: StorageRef): void {
  describe('under concurrency', () => {
    it('keeps all 50 keys when 50 concurrent modifyUser calls each add their own metadata key', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const keys = Array.from({ length: 50 }, (_, i) => `key_${i}`);
      await Promise.all(
        keys.map((key, i) =>
          storage().modifyUser(record.user_id, (user) => ({
            user_metadata: { ...user.user_metadata, [key]: i },
            updated_at: msDate(i),
          })),
        ),
      );
      const user = await storage().getUser(record.user_id);
      assert.deepEqual(Object.keys(user?.user_metadata ?? {}).sort(), [...keys].sort());
    });

    it('creates 16 users with metadata at once, then gives 16 metadata-less users metadata at once, none refused', async () => {
      // Sign-ups are concurrent; a store whose transactions deadlock on each other's index gaps
      // (InnoDB at repeatable read did, replacing a new user's metadata rows) answers some with 500.
      const records = Array.from({ length: 16 }, (_, i) => newUserRecord({ user_metadata: { plan: 'pro', n: i } }));
      const created = await Promise.allSettled(records.map((r) => storage().createUser(r)));
      assert.deepEqual(created.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')), Array(16).fill('ok'));
      const bare = Array.from({ length: 16 }, () => newUserRecord({ user_metadata: {}, app_metadata: {} }));
      for (const r of bare) await storage().createUser(r);
      const modified = await Promise.allSettled(bare.map((r, i) => storage().modifyUser(r.user_id, () => ({ user_metadata: { n: i }, updated_at: msDate(i) }))));
      assert.deepEqual(modified.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')), Array(16).fill('ok'));
      for (const [i, r] of bare.entries()) assert.deepEqual((await storage().getUser(r.user_id))?.user_metadata, { n: i });
    });

    it('counts exactly 20 logins from 20 concurrent increments', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          storage().modifyUser(record.user_id, (user) => ({ logins_count: user.logins_count + 1, updated_at: msDate(1) })),
        ),
      );
      assert.equal((await storage().getUser(record.user_id))?.logins_count, 20);
    });

    it('counts exactly 20 logins from 20 concurrent recordLogin calls, keeping the last time and IP', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => storage().recordLogin(record.user_id, msDate(100), `192.0.2.${i}`)),
      );
      assert.deepEqual(results, Array(20).fill(true));
      const user = await storage().getUser(record.user_id);
      assert.equal(user?.logins_count, 20);
      assert.deepEqual(user?.last_login, msDate(100));
      assert.deepEqual(user?.updated_at, msDate(100));
      assert.match(user?.last_ip ?? '', /^192\.0\.2\.\d+$/u);
      assert.equal(await storage().recordLogin(`auth0|missing-${unique()}`, msDate(1), null), false);
    });

    it('creates exactly one user when two signups race for one normalized email', async () => {
      // The user service lower-cases `A@x.com` and `a@x.com` before calling the store.
      const email = `a-${unique()}@x.com`;
      const records = [newUserRecord({ email, username: null }), newUserRecord({ email, username: null })];
      const results = await Promise.allSettled(records.map((r) => storage().createUser(r)));
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(fulfilled.length, 1);
      assert.equal(rejected.length, 1);
      assert.equal((rejected[0]?.reason as { code?: unknown }).code, 'user_exists');
      const listed = await storage().listUsersByEmail(email);
      assert.equal(listed.length, 1);
      const loser = records.find((r) => r.user_id !== listed[0]?.user_id);
      assert.ok(loser);
      assert.equal(await storage().getUser(loser.user_id), null);
      assert.equal(await storage().getPasswordHash(loser.user_id), null);
    });

    it('creates exactly one user when two signups race for one identity', async () => {
      const first = newUserRecord();
      const second = newUserRecord({ identity: { ...first.identity } });
      const results = await Promise.allSettled([storage().createUser(first), storage().createUser(second)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal((rejected?.reason as { code?: unknown }).code, 'user_exists');
    });

    it('lets exactly one of 10 concurrent consumeToken calls succeed', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const hash = `tok-${unique()}`;
      await storage().createToken({ hash, purpose: 'login_link', user_id: record.user_id, expires_at: new Date(Date.now() + 600_000), data: {} });
      const results = await Promise.all(Array.from({ length: 10 }, () => storage().consumeToken(hash, 'login_link', new Date())));
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    it('lets exactly one of 10 concurrent compare-and-set password changes win', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => storage().setPasswordHash(record.user_id, `new-hash-${i}`, record.password_hash!)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      assert.equal(await storage().getPasswordHash(record.user_id), `new-hash-${winner}`);
    });
  });
}
