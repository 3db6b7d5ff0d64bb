import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { api, mintToken } from '../support/management.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testDatabaseUrl } from '../support/test-database.js';

const CONNECTION = 'Username-Password-Authentication';

describe('management API: job limits (upload size, jobs at once, export file lifetime)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let dir: string;
  let storage: Storage;
  /** While set, import batches wait for it: a job that stays running as long as the test wants. */
  let hold: Promise<void> | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-job-limits-'));
    const real = createSequelizeStorage({ url: await testDatabaseUrl() });
    // One method of a real store overridden, as a failure-injection point (not a mock).
    storage = Object.assign(Object.create(real) as Storage, {
      importUsers: async (...args: Parameters<Storage['importUsers']>) => {
        if (hold) await hold;
        return real.importUsers(...args);
      },
    });
    const app = await startTestApp({
      database: storage,
      jobsDirectory: dir,
      jobs: { maxUploadBytes: 2048, maxRunning: 1, exportFileTtlMs: 1 },
      session: { sweepIntervalMs: 50 },
    });
    // The helpers (mintToken) must write to the database this app runs on.
    t = { ...app, storage };
    closeApp = () => app.close().then(() => real.close());
  });
  let closeApp: () => Promise<void>;
  after(async () => {
    await closeApp();
    rmSync(dir, { recursive: true, force: true });
  });

  const finished = async (client: ReturnType<typeof api>, id: string) => {
    for (;;) {
      const res = await client.get(`/jobs/${id}`).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body as Record<string, unknown>;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('refuses an upload over maxUploadBytes with 413, leaving no file and no job', async () => {
    const client = api(t, await mintToken(t));
    const big = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ email: `big${i}@limits.example`, email_verified: true })));
    assert.ok(big.length > 2048);
    const res = await client.post('/jobs/users-imports').attach('users', Buffer.from(big), 'users.json').field('connection_id', CONNECTION);
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.equal(res.body.errorCode, 'payload_too_large');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.upload')), []);
  });

  it('refuses a job beyond maxRunning with 429, and takes one again once the running job ends', async () => {
    const client = api(t, await mintToken(t));
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const small = JSON.stringify([{ email: `held-${Date.now()}@limits.example`, email_verified: true }]);
    const first = await client.post('/jobs/users-imports').attach('users', Buffer.from(small), 'users.json').field('connection_id', CONNECTION).expect(201);
    const refused = await client.post('/jobs/users-exports').send({ format: 'json' }).expect(429);
    assert.equal(refused.body.errorCode, 'too_many_requests');
    hold = null;
    release();
    assert.equal((await finished(client, first.body.id as string)).status, 'completed');
    // Its status reads completed: the slot is free at once, even while the job's promise tidies up.
    const next = await client.post('/jobs/users-exports').send({ format: 'json', limit: 5 });
    assert.equal(next.status, 201, JSON.stringify(next.body));
    assert.equal((await finished(client, next.body.id as string)).status, 'completed');
  });

  it('deletes an export file after exportFileTtlMs; downloading it then answers 404', async () => {
    const client = api(t, await mintToken(t));
    const created = await client.post('/jobs/users-exports').send({ format: 'json', limit: 3 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await finished(client, created.body.id as string)).status, 'completed');
    let status = 200;
    for (let i = 0; i < 200 && status === 200; i++) {
      status = (await client.get(`/jobs/${created.body.id as string}/file`)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(status, 404);
    const gone = await client.get(`/jobs/${created.body.id as string}/file`).expect(404);
    assert.match(gone.body.message, /expired/u);
  });
});
