import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { PasswordlessCodeRecord } from '../../ports.js';
import { unique, type StorageRef } from './fixtures.js';

const MINUTE = 60_000;
const sha = (value: string) => createHash('sha256').update(value).digest('hex');

/** putPasswordlessCode, redeemPasswordlessCode, consumePasswordlessLink, findPasswordlessCode and sweepPasswordlessCodes. */
export function describePasswordlessCodeStore(storage: StorageRef): void {
  describe('passwordless codes', () => {
    const later = (now: Date, ms: number) => new Date(now.getTime() + ms);
    const record = (overrides: Partial<PasswordlessCodeRecord> = {}): PasswordlessCodeRecord => {
      const now = new Date();
      return {
        connection: `email-${unique()}`,
        address: `user-${unique()}@example.com`,
        kind: 'code',
        hash: sha(`code-${unique()}`),
        session_hash: sha(`session-${unique()}`),
        attempts: 0,
        created_at: now,
        expires_at: later(now, 5 * MINUTE),
        ...overrides,
      };
    };
    const redeem = (r: PasswordlessCodeRecord, overrides: { hash?: string; sessionHash?: string; now?: Date; maxAttempts?: number } = {}) =>
      storage().redeemPasswordlessCode({
        connection: r.connection,
        address: r.address,
        hash: overrides.hash ?? r.hash,
        sessionHash: overrides.sessionHash ?? r.session_hash!,
        maxAttempts: overrides.maxAttempts ?? 5,
        now: overrides.now ?? r.created_at,
      });

    it('stores a code and reads it back with its dates to the millisecond', async () => {
      const r = record({ created_at: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)), expires_at: new Date(Date.UTC(2030, 0, 2, 3, 9, 5, 678)) });
      await storage().putPasswordlessCode(r);
      assert.deepEqual(await storage().findPasswordlessCode(r.connection, r.address, r.created_at), r);
      assert.equal(await storage().findPasswordlessCode(r.connection, r.address, r.expires_at), null, 'expiry is exclusive');
    });

    it('redeems the right code from the right session once', async () => {
      const r = record();
      await storage().putPasswordlessCode(r);
      assert.equal(await redeem(r), true);
      assert.equal(await redeem(r), false, 'single use');
      assert.equal(await storage().findPasswordlessCode(r.connection, r.address, r.created_at), null);
    });

    it('refuses the right code from another session, and counts it as a wrong try', async () => {
      const r = record();
      await storage().putPasswordlessCode(r);
      assert.equal(await redeem(r, { sessionHash: sha('another session') }), false);
      assert.equal((await storage().findPasswordlessCode(r.connection, r.address, r.created_at))?.attempts, 1);
      assert.equal(await redeem(r), true);
    });

    it('kills a code after maxAttempts wrong tries: the right one fails then', async () => {
      const r = record();
      await storage().putPasswordlessCode(r);
      for (let i = 0; i < 5; i += 1) assert.equal(await redeem(r, { hash: sha(`wrong-${i}`) }), false);
      assert.equal((await storage().findPasswordlessCode(r.connection, r.address, r.created_at))?.attempts, 5);
      assert.equal(await redeem(r), false);
    });

    it('counts 20 concurrent wrong tries exactly (no lost update)', async () => {
      const r = record();
      await storage().putPasswordlessCode(r);
      await Promise.all(Array.from({ length: 20 }, (_, i) => redeem(r, { hash: sha(`wrong-${i}`), maxAttempts: 100 })));
      assert.equal((await storage().findPasswordlessCode(r.connection, r.address, r.created_at))?.attempts, 20);
    });

    it('of 20 concurrent redemptions of the right code, exactly one succeeds', async () => {
      const r = record();
      await storage().putPasswordlessCode(r);
      const results = await Promise.all(Array.from({ length: 20 }, () => redeem(r)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('refuses an expired code', async () => {
      const r = record();
      await storage().putPasswordlessCode(r);
      assert.equal(await redeem(r, { now: r.expires_at }), false);
    });

    it('replaces the code of an address: only the newest one works, with a fresh count', async () => {
      const first = record();
      await storage().putPasswordlessCode(first);
      await redeem(first, { hash: sha('wrong') });
      const second = { ...first, hash: sha(`code-${unique()}`) };
      await storage().putPasswordlessCode(second);
      assert.equal((await storage().findPasswordlessCode(first.connection, first.address, first.created_at))?.attempts, 0);
      assert.equal(await redeem(first), false);
      assert.equal(await redeem(second), true);
    });

    it('keeps the codes of two connections for one address apart', async () => {
      const a = record();
      const b = { ...record(), address: a.address };
      await storage().putPasswordlessCode(a);
      await storage().putPasswordlessCode(b);
      assert.equal(await redeem(a), true);
      assert.equal(await redeem(b), true);
    });

    it('consumes a link once, by its hash, and never as a code', async () => {
      const link = record({ kind: 'link', session_hash: null });
      await storage().putPasswordlessCode(link);
      assert.equal(
        await storage().redeemPasswordlessCode({ connection: link.connection, address: link.address, hash: link.hash, sessionHash: sha('x'), maxAttempts: 5, now: link.created_at }),
        false,
      );
      assert.deepEqual(await storage().consumePasswordlessLink(link.hash, link.created_at), link);
      assert.equal(await storage().consumePasswordlessLink(link.hash, link.created_at), null);
    });

    it('refuses an expired link, and a code consumed as a link', async () => {
      const link = record({ kind: 'link', session_hash: null });
      await storage().putPasswordlessCode(link);
      assert.equal(await storage().consumePasswordlessLink(link.hash, link.expires_at), null);
      const code = record();
      await storage().putPasswordlessCode(code);
      assert.equal(await storage().consumePasswordlessLink(code.hash, code.created_at), null);
      assert.equal(await redeem(code), true);
    });

    it('of 20 concurrent consumptions of a link, at most one gets it', async () => {
      const link = record({ kind: 'link', session_hash: null });
      await storage().putPasswordlessCode(link);
      const results = await Promise.all(Array.from({ length: 20 }, () => storage().consumePasswordlessLink(link.hash, link.created_at)));
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    it('of 20 concurrent replacements of one address, one record is left and it works', async () => {
      const base = record();
      const all = Array.from({ length: 20 }, () => ({ ...base, hash: sha(`code-${unique()}`) }));
      await Promise.all(all.map((r) => storage().putPasswordlessCode(r)));
      const left = await storage().findPasswordlessCode(base.connection, base.address, base.created_at);
      assert.ok(left && all.some((r) => r.hash === left.hash));
      assert.equal(await redeem(left), true);
    });

    it('sweeps only expired records', async () => {
      const now = new Date();
      const expired = record({ expires_at: later(now, 5) });
      const kept = record();
      await storage().putPasswordlessCode(expired);
      await storage().putPasswordlessCode(kept);
      assert.ok((await storage().sweepPasswordlessCodes(later(now, 10))) >= 1);
      assert.equal(await storage().findPasswordlessCode(expired.connection, expired.address, now), null);
      assert.ok(await storage().findPasswordlessCode(kept.connection, kept.address, later(now, 10)));
    });
  });
}
