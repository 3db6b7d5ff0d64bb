import assert from 'node:assert/strict';
import type { LoginBlock } from '../../ports.js';
import { DATABASE_CONNECTION, msDate, newUserRecord, unique, type StorageRef } from './fixtures.js';

const DAY = 86_400_000;

function newBlock(overrides: Partial<LoginBlock> = {}): LoginBlock {
  const id = unique();
  return {
    id: `blk_${id}`,
    identifier: `someone-${id}@example.com`,
    ip: '203.0.113.7',
    connection: DATABASE_CONNECTION,
    user_id: null,
    created_at: msDate(),
    expires_at: msDate(DAY),
    ...overrides,
  };
}

/** createLoginBlock, findLoginBlock, listLoginBlocks, deleteLoginBlocks and sweepLoginBlocks. */
export function describeLoginBlockStore(storage: StorageRef): void {
  describe('login blocks', () => {
    it('records a block once per identifier and IP, and finds it until it expires', async () => {
      const block = newBlock();
      assert.equal(await storage().createLoginBlock(block), true);
      assert.equal(await storage().createLoginBlock({ ...block, id: `blk_${unique()}` }), false, 'one block per pair in force');
      assert.deepEqual(await storage().findLoginBlock(block.identifier, block.ip, msDate(1000)), block);
      assert.equal(await storage().findLoginBlock(block.identifier, '203.0.113.8', msDate(1000)), null, 'another IP is not blocked');
      assert.equal(await storage().findLoginBlock(block.identifier, block.ip, block.expires_at), null, 'expiry is exclusive');
    });

    it('replaces an expired block of the same pair', async () => {
      const old = newBlock({ expires_at: msDate(1000) });
      await storage().createLoginBlock(old);
      const fresh = { ...old, id: `blk_${unique()}`, created_at: msDate(2000), expires_at: msDate(DAY) };
      assert.equal(await storage().createLoginBlock(fresh), true);
      assert.deepEqual(await storage().findLoginBlock(old.identifier, old.ip, msDate(3000)), fresh);
    });

    it('of 20 concurrent blocks of one pair, exactly one is recorded', async () => {
      const block = newBlock();
      const results = await Promise.all(Array.from({ length: 20 }, () => storage().createLoginBlock({ ...block, id: `blk_${unique()}` })));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it("lists the unexpired blocks of an identifier or of a user, oldest first, and deletes them", async () => {
      const user = await storage().createUser(newUserRecord());
      const identifier = user.email!;
      const byEmail = newBlock({ identifier, user_id: user.user_id, ip: '2001:db8::1', created_at: msDate(10) });
      const byUsername = newBlock({ identifier: user.username!, user_id: user.user_id, ip: '198.51.100.4', created_at: msDate(20) });
      const expired = newBlock({ identifier, user_id: user.user_id, ip: '198.51.100.5', expires_at: msDate(500) });
      const other = newBlock();
      for (const b of [byUsername, byEmail, expired, other]) assert.equal(await storage().createLoginBlock(b), true);

      const now = msDate(1000);
      assert.deepEqual(await storage().listLoginBlocks({ userId: user.user_id }, now), [byEmail, byUsername]);
      assert.deepEqual(await storage().listLoginBlocks({ identifier }, now), [byEmail]);
      assert.deepEqual(await storage().listLoginBlocks({ identifier: other.identifier, userId: user.user_id }, now), [other, byEmail, byUsername]);
      assert.deepEqual(await storage().listLoginBlocks({}, now), [], 'an empty filter matches nothing');

      assert.equal(await storage().deleteLoginBlocks({}), 0);
      assert.equal(await storage().deleteLoginBlocks({ userId: user.user_id }), 3, 'expired ones go too');
      assert.deepEqual(await storage().listLoginBlocks({ userId: user.user_id }, now), []);
      assert.deepEqual(await storage().listLoginBlocks({ identifier: other.identifier }, now), [other]);
      assert.equal(await storage().deleteLoginBlocks({ identifier: other.identifier }), 1);
      assert.equal(await storage().findLoginBlock(other.identifier, other.ip, now), null);
    });

    it('keeps identifiers of 254 characters and IPv6 addresses', async () => {
      const identifier = `${unique()}@`.padEnd(254, 'x');
      const block = newBlock({ identifier, ip: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255' });
      assert.equal(await storage().createLoginBlock(block), true);
      assert.deepEqual(await storage().findLoginBlock(identifier, block.ip, msDate()), block);
    });

    it("deletes a user's blocks with the user", async () => {
      const user = await storage().createUser(newUserRecord());
      const block = newBlock({ identifier: user.email!, user_id: user.user_id });
      await storage().createLoginBlock(block);
      assert.equal(await storage().deleteUser(user.user_id), true);
      assert.equal(await storage().findLoginBlock(block.identifier, block.ip, msDate()), null);
    });

    it('sweeps only expired blocks', async () => {
      const expired = newBlock({ expires_at: msDate(5) });
      const kept = newBlock();
      await storage().createLoginBlock(expired);
      await storage().createLoginBlock(kept);
      assert.ok((await storage().sweepLoginBlocks(msDate(10))) >= 1);
      assert.deepEqual(await storage().listLoginBlocks({ identifier: expired.identifier }, msDate(0)), []);
      assert.deepEqual(await storage().findLoginBlock(kept.identifier, kept.ip, msDate(10)), kept);
    });
  });
}
