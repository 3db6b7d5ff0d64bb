import assert from 'node:assert/strict';
import type { ApiTokenInfo, ApiTokenRecord } from '../../ports.js';
import { msDate, rejectionCode, unique, type StorageRef } from './fixtures.js';

const HOUR = 3_600_000;

/** createApiToken, findActiveApiToken, listApiTokens and revokeApiToken. */
export function describeApiTokenStore(storage: StorageRef): void {
  describe('management API tokens', () => {
    const newToken = (overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord => {
      const id = unique();
      return {
        id: `tok_${id}`,
        name: `token ${id} 🙂`,
        hash: `${id}${'0'.repeat(52)}`,
        scopes: ['read:users', 'update:users'],
        created_at: msDate(),
        expires_at: new Date(Date.now() + HOUR),
        ...overrides,
      };
    };
    const info = ({ hash: _hash, ...rest }: ApiTokenRecord, revoked_at: Date | null = null): ApiTokenInfo => ({ ...rest, revoked_at });

    it('finds an active token by its hash, without the hash', async () => {
      const token = newToken();
      await storage().createApiToken(token);
      const found = await storage().findActiveApiToken(token.hash, new Date());
      assert.deepEqual(found, info(token));
      assert.equal(found !== null && 'hash' in found, false);
      assert.equal(await storage().findActiveApiToken(`missing-${unique()}`, new Date()), null);
    });

    it('keeps a token without expiry active forever', async () => {
      const token = newToken({ expires_at: null });
      await storage().createApiToken(token);
      assert.deepEqual(await storage().findActiveApiToken(token.hash, new Date(Date.UTC(2999, 0, 1))), info(token));
    });

    it('does not find an expired token, also at the exact expiry instant', async () => {
      const expires = msDate(HOUR);
      const token = newToken({ expires_at: expires });
      await storage().createApiToken(token);
      assert.deepEqual(await storage().findActiveApiToken(token.hash, new Date(expires.getTime() - 1)), info(token));
      assert.equal(await storage().findActiveApiToken(token.hash, expires), null);
      assert.equal(await storage().findActiveApiToken(token.hash, new Date(expires.getTime() + 1)), null);
    });

    it('revokes a token once; a revoked token is no longer found but still listed', async () => {
      const token = newToken();
      await storage().createApiToken(token);
      const at = msDate(5);
      assert.equal(await storage().revokeApiToken(token.id, at), true);
      assert.equal(await storage().revokeApiToken(token.id, msDate(9)), false);
      assert.equal(await storage().revokeApiToken(`tok_missing_${unique()}`, at), false);
      assert.equal(await storage().findActiveApiToken(token.hash, new Date()), null);
      const listed = (await storage().listApiTokens()).find((t) => t.id === token.id);
      assert.deepEqual(listed, info(token, at));
    });

    it('lists tokens oldest first and never with their hashes', async () => {
      const older = newToken({ created_at: msDate(-2 * HOUR) });
      const newer = newToken({ created_at: msDate(-HOUR), scopes: [] });
      await storage().createApiToken(newer);
      await storage().createApiToken(older);
      const listed = await storage().listApiTokens();
      const mine = listed.filter((t) => t.id === older.id || t.id === newer.id);
      assert.deepEqual(mine, [info(older), info(newer)]);
      assert.equal(listed.some((t) => 'hash' in t), false);
    });

    it('refuses a second token with the same id or hash', async () => {
      const token = newToken();
      await storage().createApiToken(token);
      assert.equal(await rejectionCode(storage().createApiToken({ ...newToken(), id: token.id })), 'user_exists');
      assert.equal(await rejectionCode(storage().createApiToken({ ...newToken(), hash: token.hash })), 'user_exists');
    });
  });
}
