import assert from 'node:assert/strict';
import type { ImportBatchItem, ImportBatchOptions, ImportFailure, JobRecord } from '../../job-ports.js';
import type { NewUserRecord } from '../../ports.js';
import { parseQuery } from '../../search/parse-query.js';
import { DATABASE_CONNECTION, msDate, newUserRecord, unique, type StorageRef } from './fixtures.js';

/**
 * Bulk jobs: importUsers writes a batch with the job's counters, errors and checkpoint in one
 * transaction; the job rows keep counters, checkpoint and status.
 */
export function describeImportStore(storage: StorageRef): void {
  const newJob = async (): Promise<JobRecord> =>
    storage().createJob({ id: `job_${unique()}`, type: 'users_import', connection: DATABASE_CONNECTION, external_id: 'ext-1', params: { upsert: false }, created_at: msDate() });

  const item = (index: number, overrides: Partial<NewUserRecord> = {}, update: ImportBatchItem['update'] = { updated_at: msDate(1000) }): ImportBatchItem => {
    const insert = newUserRecord(overrides);
    return { index, insert, update, source: { email: insert.email } };
  };

  const options = (job: JobRecord, extra: Partial<ImportBatchOptions> = {}): ImportBatchOptions => ({
    upsert: false,
    connection: DATABASE_CONNECTION,
    jobId: job.id,
    checkpoint: { records: 0, bytes: 0 },
    rejected: [],
    at: msDate(2000),
    ...extra,
  });

  describe('importUsers and jobs', () => {
    it('creates a pending job with zero counters, and reads it back', async () => {
      const job = await newJob();
      assert.equal(job.status, 'pending');
      assert.deepEqual(job.summary, { inserted: 0, updated: 0, failed: 0, total: 0 });
      assert.deepEqual(await storage().getJob(job.id), job);
      assert.equal(await storage().getJob(`job_${unique()}`), null);
    });

    it('leases an unfinished job to one owner at a time: renewable, free again once expired, never a finished job', async () => {
      const job = await newJob();
      const now = new Date();
      const later = (ms: number) => new Date(now.getTime() + ms);
      const owners = Array.from({ length: 10 }, (_, i) => `owner-${i}-${unique()}`);
      const wins = await Promise.all(owners.map((o) => storage().claimJob(job.id, o, later(60_000), now)));
      assert.equal(wins.filter(Boolean).length, 1, 'of concurrent claimers exactly one wins');
      const holder = owners[wins.indexOf(true)]!;
      assert.equal(await storage().claimJob(job.id, holder, later(120_000), later(1_000)), true, 'the holder renews');
      assert.equal(await storage().claimJob(job.id, 'someone-else', later(200_000), later(119_999)), false);
      assert.equal(await storage().claimJob(job.id, 'someone-else', later(300_000), later(120_000)), true, 'an expired lease is free');
      assert.equal(await storage().claimJob(`job_${unique()}`, holder, later(60_000), now), false);
      await storage().completeJob(job.id, now);
      assert.equal(await storage().claimJob(job.id, 'someone-else', later(400_000), later(300_000)), false, 'a finished job is never claimed');
    });

    it('lists the unfinished jobs whose lease is free or expired, oldest first', async () => {
      const now = new Date();
      const [free, leased, expired, done] = [await newJob(), await newJob(), await newJob(), await newJob()];
      await storage().claimJob(leased.id, 'runner', new Date(now.getTime() + 60_000), now);
      await storage().claimJob(expired.id, 'runner', new Date(now.getTime() - 1), new Date(now.getTime() - 60_000));
      await storage().completeJob(done.id, now);
      const mine = new Set([free.id, leased.id, expired.id, done.id]);
      const listed = (await storage().listUnclaimedJobs('users_import', now)).filter((j) => mine.has(j.id)).map((j) => j.id);
      assert.deepEqual(new Set(listed), new Set([free.id, expired.id]));
      assert.deepEqual((await storage().listUnclaimedJobs('users_export', now)).filter((j) => mine.has(j.id)), []);
    });

    it('inserts a batch: users with identity, password and searchable metadata, counters and checkpoint in step', async () => {
      const job = await newJob();
      const tag = unique();
      const a = item(0, { user_metadata: { plan: `gold${tag}` }, app_metadata: { tier: 4 } });
      const b = item(1, { password_hash: null });
      const rejected: ImportFailure[] = [{ index: 2, user: { email: 'x' }, errors: [{ code: 'FORMAT', message: 'bad email', path: '#/email' }] }];
      const result = await storage().importUsers([a, b], options(job, { checkpoint: { records: 3, bytes: 120 }, rejected }));
      assert.deepEqual(result.outcomes, [
        { index: 0, status: 'inserted', user_id: a.insert.user_id },
        { index: 1, status: 'inserted', user_id: b.insert.user_id },
      ]);
      const user = await storage().getUser(a.insert.user_id);
      assert.deepEqual(user?.identities, [a.insert.identity]);
      assert.equal(await storage().getPasswordHash(a.insert.user_id), a.insert.password_hash);
      assert.equal(await storage().getPasswordHash(b.insert.user_id), null);
      const found = await storage().searchUsers({ query: parseQuery(`user_metadata.plan:"gold${tag}"`), page: 0, perPage: 10, includeTotals: false });
      assert.deepEqual(found.users.map((u) => u.user_id), [a.insert.user_id]);
      const byName = await storage().searchUsers({ query: parseQuery(`name:"${a.insert.name!.toLowerCase()}"`), page: 0, perPage: 10, includeTotals: false });
      assert.deepEqual(byName.users.map((u) => u.user_id), [a.insert.user_id]);
      const after = await storage().getJob(job.id);
      assert.equal(after?.status, 'processing');
      assert.deepEqual(after?.summary, { inserted: 2, updated: 0, failed: 1, total: 3 });
      assert.deepEqual(after?.checkpoint, { records: 3, bytes: 120 });
      assert.deepEqual(await storage().listJobErrors(job.id, { offset: 0, limit: 10 }), rejected);
    });

    it('reports CONFLICT_EMAIL, CONFLICT_USERNAME, CONFLICT and DUPLICATED_USER, writing the others', async () => {
      const job = await newJob();
      const existing = await storage().createUser(newUserRecord());
      const email = item(0, { email: existing.email!.toUpperCase() });
      const username = item(1, { username: existing.username });
      const id = item(2, { user_id: existing.user_id });
      const first = item(3);
      const again = item(4, { email: first.insert.email });
      const fine = item(5);
      const { outcomes } = await storage().importUsers([email, username, id, first, again, fine], options(job));
      assert.deepEqual(outcomes.map((o) => (o.status === 'error' ? o.code : o.status)), [
        'CONFLICT_EMAIL', 'CONFLICT_USERNAME', 'CONFLICT', 'inserted', 'DUPLICATED_USER', 'inserted',
      ]);
      assert.equal(await storage().getUser(again.insert.user_id), null);
      assert.equal((await storage().getUser(fine.insert.user_id))?.email, fine.insert.email);
      const errors = await storage().listJobErrors(job.id, { offset: 0, limit: 10 });
      assert.deepEqual(errors.map((e) => [e.index, e.errors[0]?.code]), [[0, 'CONFLICT_EMAIL'], [1, 'CONFLICT_USERNAME'], [2, 'CONFLICT'], [4, 'DUPLICATED_USER']]);
      assert.deepEqual(errors[0]?.user, email.source);
      assert.deepEqual(await storage().listJobErrors(job.id, { offset: 1, limit: 2 }), errors.slice(1, 3));
      assert.deepEqual((await storage().getJob(job.id))?.summary, { inserted: 2, updated: 0, failed: 4, total: 6 });
    });

    it('with upsert, updates the user of that email: given fields, metadata replaced whole, new password', async () => {
      const job = await newJob();
      const tag = unique();
      const existing = await storage().createUser(newUserRecord({ user_metadata: { old: `o${tag}`, keep: 1 }, name: 'Before' }));
      const upd = item(0, { email: existing.email }, { updated_at: msDate(5000), name: 'After', user_metadata: { fresh: `f${tag}` }, password_hash: '$2b$10$replaced' });
      const { outcomes } = await storage().importUsers([upd], options(job, { upsert: true }));
      assert.deepEqual(outcomes, [{ index: 0, status: 'updated', user_id: existing.user_id }]);
      const user = await storage().getUser(existing.user_id);
      assert.equal(user?.name, 'After');
      assert.equal(user?.nickname, existing.nickname);
      assert.deepEqual(user?.user_metadata, { fresh: `f${tag}` });
      assert.equal(await storage().getPasswordHash(existing.user_id), '$2b$10$replaced');
      const old = await storage().searchUsers({ query: parseQuery(`user_metadata.old:"o${tag}"`), page: 0, perPage: 5, includeTotals: false });
      assert.deepEqual(old.users, []);
      const fresh = await storage().searchUsers({ query: parseQuery(`user_metadata.fresh:"f${tag}"`), page: 0, perPage: 5, includeTotals: false });
      assert.deepEqual(fresh.users.map((u) => u.user_id), [existing.user_id]);
      assert.equal(await storage().getUser(upd.insert.user_id), null);
      assert.deepEqual((await storage().getJob(job.id))?.summary, { inserted: 0, updated: 1, failed: 0, total: 1 });
    });

    it('moves counters atomically, keeps the first error of a record, and finishes a job once', async () => {
      const job = await newJob();
      await Promise.all(Array.from({ length: 10 }, () => storage().updateJobProgress(job.id, { add: { inserted: 2, total: 3 }, at: msDate(1) })));
      assert.equal(await storage().updateJobProgress(job.id, { checkpoint: { records: 30, bytes: 999 }, status: 'processing', at: msDate(2) }), true);
      const moved = await storage().getJob(job.id);
      assert.deepEqual(moved?.summary, { inserted: 20, updated: 0, failed: 0, total: 30 });
      assert.deepEqual(moved?.checkpoint, { records: 30, bytes: 999 });
      assert.equal(moved?.status, 'processing');
      const failure = (message: string): ImportFailure => ({ index: 7, user: {}, errors: [{ code: 'CONFLICT', message, path: '#/' }] });
      await storage().appendJobErrors(job.id, [failure('first')]);
      await storage().appendJobErrors(job.id, [failure('second')]);
      assert.deepEqual(await storage().listJobErrors(job.id, { offset: 0, limit: 5 }), [failure('first')]);
      assert.equal(await storage().completeJob(job.id, msDate(3), 'export.csv'), true);
      assert.equal(await storage().failJob(job.id, msDate(4), 'late'), false);
      const done = await storage().getJob(job.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.location, 'export.csv');
      assert.equal(await storage().updateJobProgress(`job_${unique()}`, { at: msDate() }), false);
      const other = await newJob();
      assert.equal(await storage().failJob(other.id, msDate(4), 'disk full'), true);
      assert.deepEqual([(await storage().getJob(other.id))?.status, (await storage().getJob(other.id))?.error], ['failed', 'disk full']);
    });
  });
}
