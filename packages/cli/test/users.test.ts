import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { newJobId, runUsersImport, type ImportStore, type Storage } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { main } from '../src/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out: () => out.join('\n'), err: () => err.join('\n') };
}

describe('gatehouse users', function () {
  this.timeout(60_000);
  let dir: string;
  let url: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-users-'));
    url = `sqlite:${join(dir, 'users.sqlite')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    const c = capture();
    const code = await main(argv, c.io);
    return { code, out: c.out(), err: c.err() };
  }

  async function withStorage<T>(work: (storage: ReturnType<typeof createSequelizeStorage>) => Promise<T>): Promise<T> {
    const storage = createSequelizeStorage({ url });
    try {
      await storage.migrate();
      return await work(storage);
    } finally {
      await storage.close();
    }
  }

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it('prints help for users and each subcommand', async () => {
    for (const argv of [['users', '--help'], ['users', 'import', '--help'], ['users', 'export', '--help']]) {
      const r = await run(...argv);
      assert.equal(r.code, 0);
      assert.match(r.out, /Usage: gatehouse users/u);
    }
    assert.match((await run('--help')).out, /users +Import users/u);
  });

  it('imports NDJSON with a summary (exit 0), keeping the bcrypt hash as it is', async () => {
    const hash = `$2b$04$${'a'.repeat(53)}`;
    const path = file('ok.ndjson', `${JSON.stringify({ email: 'Ada@Example.com', password_hash: hash, user_metadata: { plan: 'gold' } })}\n${JSON.stringify({ email: 'grace@example.com' })}\n`);
    const r = await run('users', 'import', path, '--database', url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /2 inserted, 0 updated, 0 failed of 2 records in [\d.]+ s \([\d,]+ users\/s\)/u);
    assert.match(r.err, /Import job job_[0-9a-f]{16}/u);
    await withStorage(async (storage) => {
      const [ada] = await storage.listUsersByEmail('ada@example.com');
      assert.deepEqual(ada?.user_metadata, { plan: 'gold' });
      assert.equal(await storage.getPasswordHash(ada!.user_id), hash);
    });
  });

  it('exits 1 and lists the failed records; --upsert updates the existing user', async () => {
    const path = file('conflict.json', JSON.stringify([{ email: 'ada@example.com', name: 'Ada L.' }, { email: 'bad' }]));
    const r = await run('users', 'import', path, '--database', url);
    assert.equal(r.code, 1);
    assert.match(r.out, /0 inserted, 0 updated, 2 failed of 2 records/u);
    assert.match(r.err, /record 0 \(ada@example.com\): CONFLICT_EMAIL/u);
    assert.match(r.err, /record 1 \(bad\): FORMAT #\/email/u);
    const upsert = await run('users', 'import', path, '--upsert', '--database', url);
    assert.equal(upsert.code, 1);
    assert.match(upsert.out, /0 inserted, 1 updated, 1 failed/u);
    await withStorage(async (storage) => assert.equal((await storage.listUsersByEmail('ada@example.com'))[0]?.name, 'Ada L.'));
  });

  it('resumes an interrupted import with --resume: every user exactly once', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify({ email: `resume${i}@example.com` }));
    const path = file('resume.ndjson', lines.join('\n'));
    const jobId = await withStorage(async (storage) => {
      const job = await storage.createJob({ id: newJobId(), type: 'users_import', connection: 'Username-Password-Authentication', external_id: null, params: { upsert: false }, created_at: new Date() });
      let batches = 0;
      const crashing = Object.create(storage as object) as Storage;
      (crashing as { importUsers: ImportStore['importUsers'] }).importUsers = async (batch, options) => {
        if (++batches === 2) throw new Error('killed');
        return storage.importUsers(batch, options);
      };
      await assert.rejects(runUsersImport(Readable.from([lines.join('\n')]), { storage: crashing, jobId: job.id, connection: 'Username-Password-Authentication', upsert: false, batchSize: 100 }));
      return job.id;
    });
    const r = await run('users', 'import', path, '--resume', jobId, '--database', url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Resuming job_\w+ after record 100/u);
    assert.match(r.out, /250 inserted, 0 updated, 0 failed of 250 records/u);
    await withStorage(async (storage) => {
      for (const i of [0, 99, 100, 199, 249]) assert.equal((await storage.listUsersByEmail(`resume${i}@example.com`)).length, 1);
    });
    assert.equal((await run('users', 'import', path, '--resume', jobId, '--database', url)).code, 1);
  });

  it('exports CSV with chosen fields to a file, formulas escaped and no hashes', async () => {
    file('evil.ndjson', JSON.stringify({ email: 'evil@example.com', name: '=cmd|calc', password_hash: `$2b$04$${'b'.repeat(53)}` }));
    assert.equal((await run('users', 'import', join(dir, 'evil.ndjson'), '--database', url)).code, 0);
    const out = join(dir, 'users.csv');
    const r = await run('users', 'export', '--format', 'csv', '--fields', 'email,name,user_metadata.plan', '--out', out, '--database', url);
    assert.equal(r.code, 0, r.err);
    const csv = readFileSync(out, 'utf8');
    assert.ok(csv.startsWith('email,name,user_metadata.plan\n'));
    assert.ok(csv.includes("evil@example.com,'=cmd|calc,\n"), csv);
    assert.ok(csv.includes('ada@example.com,Ada L.,gold\n'), csv);
    assert.doesNotMatch(csv, /\$2b\$/u);
    const nd = join(dir, 'users.ndjson');
    assert.equal((await run('users', 'export', '--out', nd, '--database', url)).code, 0);
    const rows = readFileSync(nd, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(rows.length >= 250);
    assert.ok(rows.every((row) => typeof row.user_id === 'string' && !('password_hash' in row)));
    assert.equal((await run('users', 'export', '--format', 'xml', '--database', url)).code, 1);
  });
});
