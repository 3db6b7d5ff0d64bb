import assert from 'node:assert/strict';
import type { LogEvent, LogQuery } from '../../ports.js';
import { msDate, newUserRecord, rejectionCode, unique, type StorageRef } from './fixtures.js';

/** Log search, checkpoint paging, erasure and retention; session listing; password history; consents. */
export function describeAuditStore(storage: StorageRef): void {
  const event = (overrides: Partial<LogEvent> = {}): LogEvent => ({
    log_id: `log_${unique()}`,
    date: msDate(),
    type: 's',
    description: 'event',
    user_id: null,
    ip: '203.0.113.9',
    details: { ua: 'Mozilla/5.0' },
    ...overrides,
  });
  const query = (overrides: Partial<LogQuery>): LogQuery => ({ sort: -1, page: 0, perPage: 50, includeTotals: false, ...overrides });

  describe('log search', () => {
    it('filters by any of several types, by user and by a date range (from inclusive, to exclusive)', async () => {
      const [a, b, c] = [`ta${unique()}`, `tb${unique()}`, `tc${unique()}`];
      const userId = `auth0|${unique()}`;
      const e1 = event({ type: a, user_id: userId, date: msDate(1) });
      const e2 = event({ type: b, user_id: userId, date: msDate(2) });
      const e3 = event({ type: c, user_id: userId, date: msDate(3) });
      const other = event({ type: a, user_id: `auth0|${unique()}`, date: msDate(2) });
      for (const e of [e1, e2, e3, other]) await storage().appendLog(e);

      assert.deepEqual((await storage().listLogs(query({ types: [a, b] }))).logs, [e2, other, e1].sort((x, y) => y.date.getTime() - x.date.getTime() || (y.log_id < x.log_id ? -1 : 1)));
      assert.deepEqual((await storage().listLogs(query({ types: [a, b, c], userId }))).logs, [e3, e2, e1]);
      assert.deepEqual((await storage().listLogs(query({ userId, from: msDate(2), to: msDate(3) }))).logs, [e2]);
      assert.deepEqual((await storage().listLogs(query({ userId, sort: 1 }))).logs, [e1, e2, e3]);
      const totals = await storage().listLogs(query({ userId, perPage: 2, page: 1, includeTotals: true }));
      assert.deepEqual(totals, { logs: [e1], total: 3 });
    });

    it('pages by checkpoint: strictly after an event, in either direction, ties on date ordered by log_id', async () => {
      const userId = `auth0|${unique()}`;
      const same = msDate(10);
      const events = [
        event({ user_id: userId, date: msDate(5), log_id: `log_a${unique()}` }),
        event({ user_id: userId, date: same, log_id: `log_b1${unique()}` }),
        event({ user_id: userId, date: same, log_id: `log_b2${unique()}` }),
        event({ user_id: userId, date: msDate(20), log_id: `log_c${unique()}` }),
      ];
      for (const e of [...events].reverse()) await storage().appendLog(e);
      const ascending = [...events].sort((x, y) => x.date.getTime() - y.date.getTime() || (x.log_id < y.log_id ? -1 : 1));
      const after = (e: LogEvent) => ({ date: e.date, log_id: e.log_id });
      assert.deepEqual((await storage().listLogs(query({ userId, sort: 1, perPage: 2, after: after(ascending[0]!) }))).logs, ascending.slice(1, 3));
      assert.deepEqual((await storage().listLogs(query({ userId, sort: 1, perPage: 2, after: after(ascending[2]!) }))).logs, ascending.slice(3));
      assert.deepEqual((await storage().listLogs(query({ userId, sort: 1, perPage: 2, after: after(ascending[3]!) }))).logs, []);
      assert.deepEqual((await storage().listLogs(query({ userId, sort: -1, perPage: 5, after: after(ascending[2]!) }))).logs, ascending.slice(0, 2).reverse());
    });

    it('gets one event by id, or null', async () => {
      const e = event({ details: { nested: { list: [1, 'two'] } } });
      await storage().appendLog(e);
      assert.deepEqual(await storage().getLog(e.log_id), e);
      assert.equal(await storage().getLog(`log_${unique()}`), null);
    });

    it("anonymizes a user's events: pseudonym, no ip, details reduced to the marker and the actor", async () => {
      const userId = `auth0|${unique()}`;
      const pseudonym = `erased|${unique()}`;
      const mine = event({ user_id: userId, details: { email: 'x@example.com', actor: 'tok_admin' } });
      const mine2 = event({ user_id: userId, date: msDate(1), details: { email: 'x@example.com' } });
      const someoneElse = event({ user_id: `auth0|${unique()}` });
      for (const e of [mine, mine2, someoneElse]) await storage().appendLog(e);
      assert.equal(await storage().anonymizeUserLogs(userId, pseudonym), 2);
      assert.deepEqual((await storage().listUserLogs(userId, 0, 10)).total, 0);
      assert.deepEqual((await storage().listUserLogs(pseudonym, 0, 10)).logs, [
        { ...mine2, user_id: pseudonym, ip: null, details: { erased: true } },
        { ...mine, user_id: pseudonym, ip: null, details: { erased: true, actor: 'tok_admin' } },
      ]);
      assert.deepEqual(await storage().getLog(someoneElse.log_id), someoneElse);
      assert.equal(await storage().anonymizeUserLogs(userId, pseudonym), 0);
    });

    it('deletes events older than the retention cut-off, and only those', async () => {
      // Dated before 2001, so the suite never deletes events other tests (or runs) wrote.
      const old = event({ date: new Date(Date.UTC(1999, 0, 1)) });
      const kept = event({ date: new Date(Date.UTC(2000, 5, 1)) });
      await storage().appendLog(old);
      await storage().appendLog(kept);
      assert.ok((await storage().deleteLogsBefore(new Date(Date.UTC(2000, 0, 1)))) >= 1);
      assert.equal(await storage().getLog(old.log_id), null);
      assert.deepEqual(await storage().getLog(kept.log_id), kept);
    });
  });

  describe('session listing', () => {
    it("lists a user's unexpired sessions with their ids, soonest expiry first", async () => {
      const userId = `auth0|${unique()}`;
      const now = new Date();
      const s1 = { sid: `sid-${unique()}`, data: '{"authTime":1}', expires_at: new Date(now.getTime() + 60_000), user_id: userId };
      const s2 = { sid: `sid-${unique()}`, data: '{}', expires_at: new Date(now.getTime() + 30_000), user_id: userId };
      const expired = { sid: `sid-${unique()}`, data: '{}', expires_at: new Date(now.getTime() - 1), user_id: userId };
      const other = { sid: `sid-${unique()}`, data: '{}', expires_at: new Date(now.getTime() + 60_000), user_id: `auth0|${unique()}` };
      for (const { sid, ...record } of [s1, s2, expired, other]) await storage().setSession(sid, record);
      assert.deepEqual(await storage().listUserSessions(userId, now), [s2, s1]);
      assert.deepEqual(await storage().listUserSessions(`auth0|${unique()}`, now), []);
      for (const s of [s1, s2, expired, other]) await storage().destroySession(s.sid);
    });
  });

  describe('password history', () => {
    it('keeps the newest N hashes, newest first, and forgets them with the user', async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      for (let i = 1; i <= 4; i++) await storage().addPasswordHistory(record.user_id, `$argon2id$h${i}`, msDate(i * 1000), 3);
      assert.deepEqual(await storage().listPasswordHistory(record.user_id, 10), ['$argon2id$h4', '$argon2id$h3', '$argon2id$h2']);
      assert.deepEqual(await storage().listPasswordHistory(record.user_id, 2), ['$argon2id$h4', '$argon2id$h3']);
      await storage().addPasswordHistory(record.user_id, '$argon2id$h5', msDate(5000), 1);
      assert.deepEqual(await storage().listPasswordHistory(record.user_id, 10), ['$argon2id$h5']);
      assert.equal(await storage().deleteUser(record.user_id), true);
      assert.deepEqual(await storage().listPasswordHistory(record.user_id, 10), []);
    });

    it('refuses history for an unknown user (inexistent_user)', async () => {
      assert.equal(await rejectionCode(storage().addPasswordHistory(`auth0|${unique()}`, '$argon2id$x', msDate(), 3)), 'inexistent_user');
    });
  });

  describe('consents', () => {
    it("records consents and withdrawals, lists them oldest first, and erases them with the user", async () => {
      const record = newUserRecord();
      await storage().createUser(record);
      const base = { user_id: record.user_id, ip: '192.0.2.1' };
      const later = { ...base, consent_id: `con_${unique()}`, purpose: 'marketing:email', version: 'v2', granted: false, date: msDate(2000) };
      const first = { ...base, consent_id: `con_${unique()}`, purpose: 'terms_of_service', version: '2024-05', granted: true, date: msDate(1000), ip: null };
      await storage().recordConsent(later);
      await storage().recordConsent(first);
      assert.deepEqual(await storage().listUserConsents(record.user_id), [first, later]);
      assert.equal(await storage().deleteUser(record.user_id), true);
      assert.deepEqual(await storage().listUserConsents(record.user_id), []);
    });

    it('refuses a consent for an unknown user (inexistent_user)', async () => {
      const consent = { consent_id: `con_${unique()}`, user_id: `auth0|${unique()}`, purpose: 'tos', version: '1', granted: true, date: msDate(), ip: null };
      assert.equal(await rejectionCode(storage().recordConsent(consent)), 'inexistent_user');
    });
  });
}
