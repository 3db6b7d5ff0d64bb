import assert from 'node:assert/strict';
import type { LogEvent } from '../../ports.js';
import { msDate, newUserRecord, unique, type StorageRef } from './fixtures.js';

/** The audit log. */
export function describeLogStore(storage: StorageRef): void {
  describe('audit logs', () => {
    const event = (userId: string | null, minute: number, overrides: Partial<LogEvent> = {}): LogEvent => ({
      log_id: `log_${unique()}`,
      date: msDate(minute * 60_000 + 7),
      type: 's',
      description: `event ${minute}`,
      user_id: userId,
      ip: '198.51.100.4',
      details: { minute, ua: 'Mozilla/5.0 🙂' },
      ...overrides,
    });

    it("lists a user's events newest first, in pages, with the total", async () => {
      const userId = `auth0|${unique()}`;
      const events = [3, 1, 4, 0, 2].map((minute) => event(userId, minute));
      for (const e of events) await storage().appendLog(e);
      await storage().appendLog(event(`auth0|${unique()}`, 9));
      await storage().appendLog(event(null, 9, { ip: null, type: 'f' }));
      const newestFirst = [...events].sort((a, b) => b.date.getTime() - a.date.getTime());

      const page0 = await storage().listUserLogs(userId, 0, 2);
      assert.equal(page0.total, 5);
      assert.deepEqual(page0.logs, newestFirst.slice(0, 2));
      assert.deepEqual((await storage().listUserLogs(userId, 1, 2)).logs, newestFirst.slice(2, 4));
      assert.deepEqual((await storage().listUserLogs(userId, 2, 2)).logs, newestFirst.slice(4));
      assert.deepEqual(await storage().listUserLogs(userId, 3, 2), { logs: [], total: 5 });
    });

    it('keeps the events of a deleted user (an audit trail outlives its subject)', async () => {
      const record = newUserRecord();
      const userId = record.user_id;
      await storage().createUser(record);
      const e = event(userId, 1, { type: 'sdu' });
      await storage().appendLog(e);
      assert.equal(await storage().deleteUser(userId), true);
      assert.deepEqual(await storage().listUserLogs(userId, 0, 10), { logs: [e], total: 1 });
    });

    it('returns nothing for a user without events', async () => {
      assert.deepEqual(await storage().listUserLogs(`auth0|${unique()}`, 0, 10), { logs: [], total: 0 });
    });
  });
}
