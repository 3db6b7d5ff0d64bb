import assert from 'node:assert/strict';
import type { Metadata } from '../../user.js';
import { msDate, newUserRecord, socialUserRecord, unique, type StorageRef } from './fixtures.js';

/** Values a database might coerce: dates, numbers, unicode, nested JSON, large documents. */
export function describeRoundTrips(storage: StorageRef): void {
  describe('values round-trip exactly', () => {
    it('returns dates as Date objects with millisecond precision', async () => {
      const record = newUserRecord({ created_at: new Date(Date.UTC(2023, 11, 31, 23, 59, 59, 999)) });
      await storage().createUser(record);
      const lastLogin = new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 1));
      const updatedAt = new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 7));
      await storage().modifyUser(record.user_id, () => ({ last_login: lastLogin, updated_at: updatedAt }));
      const user = await storage().getUser(record.user_id);
      assert.ok(user?.created_at instanceof Date);
      assert.ok(user.updated_at instanceof Date);
      assert.ok(user.last_login instanceof Date);
      assert.equal(user.created_at.toISOString(), '2023-12-31T23:59:59.999Z');
      assert.equal(user.updated_at.toISOString(), '2024-02-29T12:00:00.007Z');
      assert.equal(user.last_login.toISOString(), '2024-02-29T12:00:00.001Z');
    });

    it('returns nested metadata, unicode and numbers exactly', async () => {
      const user_metadata: Metadata = {
        text: 'Zoë 🙂 中文 עברית nul \u0000 escaped "quotes" \\ backslash \n newline',
        'ключ': 'значение',
        'emoji_key_🔑': ['🙂', '👩🏽‍💻'],
        numbers: [0, 1, -1, 1.5, -0.25, 3.141592653589793, 1e-7, 1e21, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
        flags: [true, false, null],
        nested: { deeper: { deepest: { list: [{ a: 1 }, [], {}], empty: '' } } },
      };
      const app_metadata: Metadata = { roles: ['admin'], plan: { name: 'gold', seats: 12 }, note: '' };
      const record = newUserRecord({ user_metadata, app_metadata });
      await storage().createUser(record);
      const user = await storage().getUser(record.user_id);
      assert.deepEqual(user?.user_metadata, user_metadata);
      assert.deepEqual(user?.app_metadata, app_metadata);
    });

    it('stores a metadata document of half a megabyte', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const big = { blob: 'é'.repeat(256 * 1024) };
      await storage().modifyUser(record.user_id, () => ({ user_metadata: big, updated_at: msDate(1) }));
      assert.deepEqual((await storage().getUser(record.user_id))?.user_metadata, big);
    });

    it('returns identity profile data and isSocial exactly', async () => {
      const record = socialUserRecord('oidc', {
        identity: {
          connection: 'oidc',
          provider: 'oidc',
          user_id: `sub-${unique()}`,
          isSocial: false,
          profileData: { name: 'Zoë', amr: ['pwd', 'mfa'], email_verified: true, n: 1.25 },
        },
      });
      await storage().createUser(record);
      const user = await storage().findUserByIdentity('oidc', record.identity.user_id);
      assert.deepEqual(user?.identities, [record.identity]);
    });
  });
}
