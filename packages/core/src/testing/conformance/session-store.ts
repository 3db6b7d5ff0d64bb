import assert from 'node:assert/strict';
import type { SessionRecord } from '../../ports.js';
import { newUserRecord, unique, type StorageRef } from './fixtures.js';

const HOUR = 3_600_000;

/** The session store behind express-session. */
export function describeSessionStore(storage: StorageRef): void {
  describe('sessions', () => {
    const later = (ms = HOUR) => new Date(Date.now() + ms);

    async function newUserId(): Promise<string> {
      const record = newUserRecord();
      await storage().createUser(record);
      return record.user_id;
    }

    it('stores, overwrites and reads back a session', async () => {
      const sid = `sid-${unique()}`;
      const data = JSON.stringify({ cookie: { maxAge: 1000 }, csrf: 'x', text: 'Zoë 🙂', big: 'x'.repeat(100_000) });
      const first: SessionRecord = { data, expires_at: new Date(later().setMilliseconds(321)), user_id: null };
      await storage().setSession(sid, first);
      assert.deepEqual(await storage().getSession(sid, new Date()), first);
      const userId = await newUserId();
      const second: SessionRecord = { data: '{"v":2}', expires_at: later(2 * HOUR), user_id: userId };
      await storage().setSession(sid, second);
      assert.deepEqual(await storage().getSession(sid, new Date()), second);
    });

    it('resolves null for an unknown session and for one expired at now', async () => {
      assert.equal(await storage().getSession(`sid-missing-${unique()}`, new Date()), null);
      const sid = `sid-${unique()}`;
      const expires = later();
      await storage().setSession(sid, { data: '{}', expires_at: expires, user_id: null });
      assert.equal(await storage().getSession(sid, expires), null);
      assert.equal(await storage().getSession(sid, new Date(expires.getTime() + 1)), null);
      assert.ok(await storage().getSession(sid, new Date(expires.getTime() - 1)));
    });

    it('touch moves the expiry and keeps the data', async () => {
      const sid = `sid-${unique()}`;
      await storage().setSession(sid, { data: '{"a":1}', expires_at: later(), user_id: null });
      const moved = later(5 * HOUR);
      await storage().touchSession(sid, moved);
      assert.deepEqual(await storage().getSession(sid, later(4 * HOUR)), { data: '{"a":1}', expires_at: moved, user_id: null });
      // Touching an unknown session creates nothing.
      const unknown = `sid-missing-${unique()}`;
      await storage().touchSession(unknown, moved);
      assert.equal(await storage().getSession(unknown, new Date()), null);
    });

    it('destroys one session', async () => {
      const sid = `sid-${unique()}`;
      await storage().setSession(sid, { data: '{}', expires_at: later(), user_id: null });
      await storage().destroySession(sid);
      assert.equal(await storage().getSession(sid, new Date()), null);
      await storage().destroySession(sid);
    });

    it("destroys a user's other sessions, keeping the current one and other users' sessions", async () => {
      const userId = await newUserId();
      const otherUser = await newUserId();
      const [current, second, third, foreign] = [unique(), unique(), unique(), unique()].map((s) => `sid-${s}`) as [string, string, string, string];
      for (const sid of [current, second, third]) await storage().setSession(sid, { data: '{}', expires_at: later(), user_id: userId });
      await storage().setSession(foreign, { data: '{}', expires_at: later(), user_id: otherUser });

      assert.equal(await storage().destroyUserSessions(userId, current), 2);
      assert.ok(await storage().getSession(current, new Date()));
      assert.equal(await storage().getSession(second, new Date()), null);
      assert.equal(await storage().getSession(third, new Date()), null);
      assert.ok(await storage().getSession(foreign, new Date()));
      assert.equal(await storage().destroyUserSessions(userId), 1);
      assert.equal(await storage().getSession(current, new Date()), null);
    });

    it("reads a session with its user's change stamp in one call (when the store offers it)", async function () {
      const store = storage();
      if (!store.getSessionWithUser) return this.skip();
      const record = newUserRecord();
      const created = await store.createUser(record);
      const sid = `sid-${unique()}`;
      const session: SessionRecord = { data: '{"a":1}', expires_at: later(), user_id: record.user_id };
      await store.setSession(sid, session);
      assert.deepEqual(await store.getSessionWithUser(sid, new Date()), { session, user: { updated_at: created.updated_at, blocked: false } });

      // The stamp equals the user's own updated_at after a change, and shows a block.
      const changed = await store.modifyUser(record.user_id, () => ({ blocked: true, updated_at: new Date(created.updated_at.getTime() + 1234) }));
      const read = await store.getSessionWithUser(sid, new Date());
      assert.deepEqual(read?.user, { updated_at: changed!.updated_at, blocked: true });
      assert.equal(read.user.updated_at.getTime(), (await store.getUser(record.user_id))!.updated_at.getTime());

      // Anonymous, and a user gone: no user; expired or unknown: no session.
      const anonymous = `sid-${unique()}`;
      await store.setSession(anonymous, { data: '{}', expires_at: later(), user_id: null });
      assert.deepEqual(await store.getSessionWithUser(anonymous, new Date()), { session: { data: '{}', expires_at: (await store.getSession(anonymous, new Date()))!.expires_at, user_id: null }, user: null });
      const orphan = `sid-${unique()}`;
      await store.setSession(orphan, { data: '{}', expires_at: later(), user_id: `auth0|gone-${unique()}` });
      assert.equal((await store.getSessionWithUser(orphan, new Date()))?.user, null);
      assert.equal(await store.getSessionWithUser(sid, later(2 * HOUR)), null);
      assert.equal(await store.getSessionWithUser(sid, session.expires_at), null, 'expired at now');
      assert.ok(await store.getSessionWithUser(sid, new Date(session.expires_at.getTime() - 1)));
      assert.equal(await store.getSessionWithUser(`sid-missing-${unique()}`, new Date()), null);
      await store.deleteUser(record.user_id);
      assert.equal(await store.getSessionWithUser(sid, new Date()), null, 'deleting the user ends its sessions');
      for (const s of [anonymous, orphan]) await store.destroySession(s);
    });

    it('sweeps the sessions expired at now and only those', async () => {
      // Dates far in the past, so sweeping cannot touch live sessions of a shared database.
      const now = new Date(Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 1_000_000));
      const expired = `sid-${unique()}`;
      const atNow = `sid-${unique()}`;
      const live = `sid-${unique()}`;
      await storage().setSession(expired, { data: '{}', expires_at: new Date(now.getTime() - 1), user_id: null });
      await storage().setSession(atNow, { data: '{}', expires_at: now, user_id: null });
      await storage().setSession(live, { data: '{}', expires_at: new Date(now.getTime() + 1), user_id: null });
      assert.ok((await storage().sweepSessions(now)) >= 2);
      const before = new Date(now.getTime() - 10);
      assert.equal(await storage().getSession(expired, before), null);
      assert.equal(await storage().getSession(atNow, before), null);
      assert.ok(await storage().getSession(live, before));
      assert.equal(await storage().sweepSessions(now), 0);
      await storage().destroySession(live);
    });
  });
}
