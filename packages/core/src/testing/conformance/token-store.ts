import assert from 'node:assert/strict';
import type { TokenRecord } from '../../ports.js';
import { newUserRecord, rejectionCode, unique, type StorageRef } from './fixtures.js';

const HOUR = 3_600_000;

/** createToken, consumeToken and deleteUserTokens. */
export function describeTokenStore(storage: StorageRef): void {
  describe('one-time tokens', () => {
    async function userWithToken(overrides: Partial<TokenRecord> = {}): Promise<TokenRecord> {
      const record = newUserRecord();
      await storage().createUser(record);
      const token: TokenRecord = {
        hash: `tok-${unique()}`,
        purpose: 'reset_password',
        user_id: record.user_id,
        expires_at: new Date(Date.now() + HOUR),
        data: { email: record.email, nested: { n: 1 } },
        ...overrides,
      };
      await storage().createToken(token);
      return token;
    }

    it('consumes a token once and returns it with its data', async () => {
      const token = await userWithToken();
      assert.deepEqual(await storage().consumeToken(token.hash, 'reset_password', new Date()), token);
      assert.equal(await storage().consumeToken(token.hash, 'reset_password', new Date()), null);
    });

    it('finds a usable token without using it; not for another purpose, once used, or once expired', async () => {
      const expires = new Date(Date.now() + HOUR);
      const token = await userWithToken({ expires_at: expires });
      assert.deepEqual(await storage().findToken(token.hash, 'reset_password', new Date()), token);
      assert.deepEqual(await storage().findToken(token.hash, 'reset_password', new Date()), token);
      assert.equal(await storage().findToken(token.hash, 'verify_email', new Date()), null);
      assert.equal(await storage().findToken(token.hash, 'reset_password', expires), null);
      assert.equal(await storage().findToken(`tok-${unique()}`, 'reset_password', new Date()), null);
      assert.deepEqual(await storage().consumeToken(token.hash, 'reset_password', new Date()), token);
      assert.equal(await storage().findToken(token.hash, 'reset_password', new Date()), null);
    });

    it('does not consume a token for the wrong purpose', async () => {
      const token = await userWithToken();
      assert.equal(await storage().consumeToken(token.hash, 'verify_email', new Date()), null);
      assert.deepEqual(await storage().consumeToken(token.hash, 'reset_password', new Date()), token);
    });

    it('does not consume an expired token, also at the exact expiry instant', async () => {
      const expires = new Date(Date.now() + HOUR);
      const token = await userWithToken({ expires_at: expires });
      assert.equal(await storage().consumeToken(token.hash, 'reset_password', new Date(expires.getTime() + 1)), null);
      assert.equal(await storage().consumeToken(token.hash, 'reset_password', expires), null);
      assert.deepEqual(await storage().consumeToken(token.hash, 'reset_password', new Date(expires.getTime() - 1)), token);
    });

    it('resolves null for an unknown token', async () => {
      assert.equal(await storage().consumeToken(`tok-missing-${unique()}`, 'login_link', new Date()), null);
    });

    it('refuses a token for an unknown user with inexistent_user', async () => {
      const token: TokenRecord = { hash: `tok-${unique()}`, purpose: 'login_link', user_id: `auth0|missing-${unique()}`, expires_at: new Date(Date.now() + HOUR), data: {} };
      assert.equal(await rejectionCode(storage().createToken(token)), 'inexistent_user');
      assert.equal(await storage().consumeToken(token.hash, 'login_link', new Date()), null);
    });

    it("deletes a user's tokens of one purpose, or all of them, and counts them", async () => {
      const reset = await userWithToken();
      const user = reset.user_id;
      const verify: TokenRecord = { ...reset, hash: `tok-${unique()}`, purpose: 'verify_email' };
      const link: TokenRecord = { ...reset, hash: `tok-${unique()}`, purpose: 'login_link' };
      await storage().createToken(verify);
      await storage().createToken(link);
      const other = await userWithToken();

      assert.equal(await storage().deleteUserTokens(user, 'verify_email'), 1);
      assert.equal(await storage().consumeToken(verify.hash, 'verify_email', new Date()), null);
      assert.equal(await storage().deleteUserTokens(user), 2);
      assert.equal(await storage().consumeToken(reset.hash, 'reset_password', new Date()), null);
      assert.equal(await storage().consumeToken(link.hash, 'login_link', new Date()), null);
      assert.equal(await storage().deleteUserTokens(user), 0);
      assert.deepEqual(await storage().consumeToken(other.hash, 'reset_password', new Date()), other);
    });
  });
}
