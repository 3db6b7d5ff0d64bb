import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { newJobId, runUsersImport, type ImportStore, type Storage } from '@gatehouse/core';
import { createSequelizeStorage, type SequelizeStorage } from '@gatehouse/storage-sequelize';
import { api, mintToken } from '../support/management.js';
import { startTestApp } from '../support/test-app.js';
import { testDatabaseUrl } from '../support/test-database.js';

const CONNECTION = 'Username-Password-Authentication';

/**
 * A job a crash interrupted is taken over when the app starts again: its lease ran out and it made
 * no progress for a lease's length (the test moves its updated_at back instead of waiting).
 */
describe('management API: jobs interrupted by a crash are taken over at start', function () {
  this.timeout(60_000);
  let storage: SequelizeStorage;
  let dir: string;
  const run = randomBytes(4).toString('hex');
  const email = (i: number) => `resume${i}.${run}@restart.example`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-job-resume-'));
    storage = createSequelizeStorage({ url: await testDatabaseUrl() });
    await storage.migrate();
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Makes the job look untouched for two minutes, as after a crash. */
  async function ageJob(id: string): Promise<void> {
    const table = storage.sequelize.getQueryInterface().quoteIdentifier('gatehouse_jobs');
    await storage.sequelize.query(`UPDATE ${table} SET updated_at = :at WHERE id = :id`, { replacements: { at: new Date(Date.now() - 120_000), id } });
  }

  it('resumes an interrupted import from its checkpoint (every user once) and fails an interrupted export', async () => {
    const total = 900;
    const file = `${Array.from({ length: total }, (_, i) => JSON.stringify({ email: email(i) })).join('\n')}\n`;
    const importJob = await storage.createJob({ id: newJobId(), type: 'users_import', connection: CONNECTION, external_id: null, params: {}, created_at: new Date() });
    writeFileSync(join(dir, `${importJob.id}.upload`), file);
    // The process dies at the 3rd batch, after 400 records were committed.
    let batches = 0;
    const crashing = Object.assign(Object.create(storage) as Storage, {
      importUsers: (async (batch, options) => {
        batches += 1;
        if (batches === 3) throw new Error('simulated crash');
        return storage.importUsers(batch, options);
      }) as ImportStore['importUsers'],
    });
    await assert.rejects(runUsersImport(Readable.from([file]), { storage: crashing, jobId: importJob.id, connection: CONNECTION, upsert: false, batchSize: 200 }), /simulated crash/u);
    const exportJob = await storage.createJob({ id: newJobId(), type: 'users_export', connection: null, external_id: null, params: { format: 'ndjson' }, created_at: new Date() });
    await storage.updateJobProgress(exportJob.id, { status: 'processing', at: new Date() });
    await ageJob(importJob.id);
    await ageJob(exportJob.id);

    const app = await startTestApp({ database: storage, jobsDirectory: dir });
    try {
      const client = api({ ...app, storage }, await mintToken({ ...app, storage }));
      let job: Record<string, unknown> = {};
      for (let i = 0; i < 400; i++) {
        job = (await client.get(`/jobs/${importJob.id}`).expect(200)).body as Record<string, unknown>;
        if (job.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(job.status, 'completed');
      assert.deepEqual(job.summary, { inserted: total, updated: 0, failed: 0, total });
      for (const i of [0, 399, 400, 899]) assert.equal((await storage.listUsersByEmail(email(i))).length, 1, `user ${i} once`);
      // The upload goes once the job's promise settles, a moment after its status reads completed.
      const upload = join(dir, `${importJob.id}.upload`);
      for (let i = 0; i < 100 && existsSync(upload); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(existsSync(upload), false, 'the upload is deleted once the import completes');
      const exported = (await client.get(`/jobs/${exportJob.id}`).expect(200)).body as Record<string, unknown>;
      assert.equal(exported.status, 'failed');
      assert.match(String(exported.status_details), /restart/u);
    } finally {
      await app.close();
    }
  });

  it('leaves a job alone while another process holds its lease', async () => {
    const job = await storage.createJob({ id: newJobId(), type: 'users_import', connection: CONNECTION, external_id: null, params: {}, created_at: new Date() });
    writeFileSync(join(dir, `${job.id}.upload`), `${JSON.stringify({ email: `held.${run}@restart.example` })}\n`);
    assert.equal(await storage.claimJob(job.id, 'another-process', new Date(Date.now() + 60_000), new Date()), true);
    await ageJob(job.id);
    const app = await startTestApp({ database: storage, jobsDirectory: dir });
    try {
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await storage.getJob(job.id))?.status, 'pending');
      assert.deepEqual(await storage.listUsersByEmail(`held.${run}@restart.example`), []);
    } finally {
      await app.close();
    }
  });
});
