import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { newJobId, runUsersImport, type ImportStore, type Storage } from '@gatehouse/core';
import supertest from 'supertest';
import { api, mintToken } from '../support/management.js';
import { openApiCheck } from '../support/openapi-check.js';
import { browser, startTestApp, type TestApp } from '../support/test-app.js';

const CONNECTION = 'Username-Password-Authentication';
const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/u, '');

type Client = ReturnType<typeof api>;

/** Polls GET /jobs/{id} until the job is completed or failed. */
async function finished(client: Client, id: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/jobs/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('management API: jobs (users import and export)', function () {
  this.timeout(180_000);
  let t: TestApp;
  let client: Client;
  let dir: string;
  const run = randomBytes(4).toString('hex');
  const email = (name: string) => `${name}.${run}@import.example`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-jobs-'));
    t = await startTestApp({ jobsDirectory: dir });
    client = api(t, await mintToken(t));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function importFile(content: string | Buffer, fields: Record<string, string> = {}, filename = 'users.json') {
    let req = client.post('/jobs/users-imports').attach('users', Buffer.from(content), filename).field('connection_id', CONNECTION);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const res = await req;
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { created: res.body as Record<string, unknown>, job: await finished(client, res.body.id as string) };
  }

  async function login(username: string, password: string) {
    const agent = browser(t.app);
    return agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username, password });
  }

  it('imports an Auth0 export (JSON array) with bcrypt and custom hashes; the users log in with their passwords, re-hashed to Argon2id', async () => {
    const pw = (k: string) => `original password ${k} ${run}`;
    const salt = randomBytes(16);
    const records = [
      { email: email('bcrypt'), email_verified: true, password_hash: await bcryptHash(pw('bcrypt'), 4), user_metadata: { plan: `gold${run}` }, app_metadata: { tier: 2 } },
      { email: email('md5'), email_verified: true, custom_password_hash: { algorithm: 'md5', hash: { value: createHash('md5').update(pw('md5')).digest('hex'), encoding: 'hex' } } },
      {
        email: email('sha256'), email_verified: true,
        custom_password_hash: { algorithm: 'sha256', hash: { value: createHash('sha256').update(Buffer.concat([salt, Buffer.from(pw('sha256'))])).digest('base64'), encoding: 'base64' }, salt: { value: salt.toString('base64'), encoding: 'base64', position: 'prefix' } },
      },
      { email: email('pbkdf2'), email_verified: true, custom_password_hash: { algorithm: 'pbkdf2', hash: { value: `$pbkdf2-sha256$i=1000,l=32$${b64(salt)}$${b64(pbkdf2Sync(pw('pbkdf2'), salt, 1000, 32, 'sha256'))}`, encoding: 'utf8' } } },
      { email: email('scrypt'), email_verified: true, custom_password_hash: { algorithm: 'scrypt', hash: { value: scryptSync(pw('scrypt'), salt, 32).toString('hex'), encoding: 'hex' }, salt: { value: salt.toString('hex'), encoding: 'hex' }, keylen: 32 } },
      { email: email('hmac'), email_verified: true, custom_password_hash: { algorithm: 'hmac', hash: { value: createHmac('sha256', 'secret key').update(pw('hmac')).digest('hex'), encoding: 'hex', digest: 'sha256', key: { value: 'secret key', encoding: 'utf8' } } } },
      { email: email('ldap'), email_verified: true, custom_password_hash: { algorithm: 'ldap', hash: { value: `{SSHA}${Buffer.concat([createHash('sha1').update(pw('ldap')).update(salt).digest(), salt]).toString('base64')}`, encoding: 'utf8' } } },
    ];
    const { created, job } = await importFile(JSON.stringify(records, null, 2), { external_id: 'migration-1' });
    assert.deepEqual(Object.keys(created).sort(), ['connection_id', 'created_at', 'external_id', 'id', 'status', 'type']);
    assert.equal(created.status, 'pending');
    assert.equal(created.type, 'users_import');
    assert.match(created.id as string, /^job_[0-9a-f]{16}$/u);
    assert.equal(created.external_id, 'migration-1');
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.deepEqual(job.summary, { inserted: 7, updated: 0, failed: 0, total: 7 });
    assert.equal(job.percentage_done, 100);
    assert.equal(job.time_left_seconds, 0);

    for (const kind of ['bcrypt', 'md5', 'sha256', 'pbkdf2', 'scrypt', 'hmac', 'ldap']) {
      const [user] = await t.storage.listUsersByEmail(email(kind));
      assert.ok(user, kind);
      assert.equal((await login(email(kind), `wrong ${kind}`)).status, 401, kind);
      assert.equal((await login(email(kind), pw(kind))).status, 200, `${kind} logs in with the original password`);
      assert.match((await t.storage.getPasswordHash(user.user_id))!, /^\$argon2id\$/u, `${kind} re-hashed`);
      assert.equal((await login(email(kind), pw(kind))).status, 200, kind);
    }
    // Imported metadata is searchable at once.
    const found = await client.get(`/users?q=${encodeURIComponent(`user_metadata.plan:"gold${run}"`)}&search_engine=v3`);
    assert.deepEqual(found.body.map((u: { email: string }) => u.email), [email('bcrypt')]);
  });

  it('imports NDJSON; without upsert an existing email is CONFLICT_EMAIL, with upsert the user is updated (metadata replaced whole)', async () => {
    const lines = (name: string, extra: object) => `${JSON.stringify({ email: email(name), email_verified: true, ...extra })}\n`;
    const first = await importFile(lines('nd1', { name: 'First', user_metadata: { a: 1, b: 2 } }) + lines('nd2', {}), {}, 'users.ndjson');
    assert.deepEqual(first.job.summary, { inserted: 2, updated: 0, failed: 0, total: 2 });
    const again = await importFile(lines('nd1', { name: 'Second', user_metadata: { c: 3 } }), { upsert: 'false' }, 'users.ndjson');
    assert.deepEqual(again.job.summary, { inserted: 0, updated: 0, failed: 1, total: 1 });
    const errors = await client.get(`/jobs/${again.job.id as string}/errors`);
    assert.deepEqual(errors.body, [{ user: { email: email('nd1'), email_verified: true, name: 'Second', user_metadata: { c: 3 } }, errors: [{ code: 'CONFLICT_EMAIL', message: 'A user with this email already exists.', path: '#/' }] }]);
    const upsert = await importFile(lines('nd1', { name: 'Second', user_metadata: { c: 3 } }), { upsert: 'true' }, 'users.ndjson');
    assert.deepEqual(upsert.job.summary, { inserted: 0, updated: 1, failed: 0, total: 1 });
    const [user] = await t.storage.listUsersByEmail(email('nd1'));
    assert.equal(user?.name, 'Second');
    assert.deepEqual(user?.user_metadata, { c: 3 });
  });

  it('lists per-record errors with Auth0 codes and paths, never with password hashes', async () => {
    const records = [
      { email: 'not an email', password_hash: await bcryptHash('x', 4) },
      { email: email('err-ok'), nickname: 'fine' },
      { email: email('err-extra'), favourite: 'blue' },
      { email: email('err-ok'), custom_password_hash: { algorithm: 'md5', hash: { value: createHash('md5').update('p').digest('hex'), encoding: 'hex' } } },
      { email: email('err-hash'), custom_password_hash: { algorithm: 'whirlpool', hash: { value: 'abc' } } },
      { name: 'no email' },
    ];
    const { job } = await importFile(JSON.stringify(records));
    assert.deepEqual(job.summary, { inserted: 1, updated: 0, failed: 5, total: 6 });
    const res = await client.get(`/jobs/${job.id as string}/errors`);
    assert.equal(res.status, 200);
    const codes = (res.body as { errors: { code: string; path: string }[] }[]).map((e) => e.errors.map((x) => `${x.code} ${x.path}`));
    assert.deepEqual(codes[0], ['FORMAT #/email']);
    assert.deepEqual(codes[1], ['NOT_PASSED #/favourite']);
    assert.deepEqual(codes[2], ['DUPLICATED_USER #/']);
    assert.equal(codes[3]?.[0], 'ENUM_MISMATCH #/custom_password_hash/algorithm');
    assert.deepEqual(codes[4], ['OBJECT_REQUIRED #/email']);
    for (const failure of res.body as { user: Record<string, unknown> }[]) {
      assert.equal(failure.user.password_hash, undefined);
      assert.equal(failure.user.custom_password_hash, undefined);
    }
    assert.doesNotMatch(JSON.stringify(res.body), /\$2b\$|"value":"[0-9a-f]{32}"/u);
  });

  it('fails a job whose file is not valid JSON, writing nothing of its unfinished batch', async () => {
    const { job } = await importFile(`[{"email": "${email('before-broken')}"}, {"email": ]`);
    assert.equal(job.status, 'failed');
    assert.match(job.status_details as string, /not a valid JSON array/u);
    // A failed job's answer is what the OpenAPI document says it is.
    const doc = (await supertest(t.app).get('/api/v2/openapi.json').expect(200)).body as Record<string, unknown>;
    const res = await client.get(`/jobs/${job.id as string}`).expect(200);
    openApiCheck(doc).check('GET', '/jobs/{id}', res);
    assert.equal((await t.storage.listUsersByEmail(email('before-broken'))).length, 0, 'nothing committed: the batch never completed');
  });

  it('imports 5,000 generated records in bounded time', async function () {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(JSON.stringify({ email: email(`bulk${i}`), user_metadata: { n: i }, name: `Bulk ${i}` }));
    const started = Date.now();
    const { job } = await importFile(lines.join('\n'), {}, 'bulk.ndjson');
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(job.summary, { inserted: 5000, updated: 0, failed: 0, total: 5000 });
    assert.ok(seconds < 60, `5,000 users took ${seconds} s`);
    const found = await client.get(`/users?q=${encodeURIComponent('user_metadata.n:4999')}&search_engine=v3&include_totals=true`);
    assert.ok(found.body.users.some((u: { email: string }) => u.email === email('bulk4999')));
  });

  it('resumes an import that crashed mid-way: every user exactly once', async () => {
    const total = 1234;
    const lines = Array.from({ length: total }, (_, i) => JSON.stringify(i === 700 ? { email: 'broken' } : { email: email(`resume${i}`) }));
    const file = `${lines.join('\n')}\n`;
    // A real storage whose importUsers dies at its 3rd batch, as a process killed there would.
    let batches = 0;
    const crashing: Storage = Object.create(t.storage as object) as Storage;
    (crashing as { importUsers: ImportStore['importUsers'] }).importUsers = async (batch, options) => {
      batches += 1;
      if (batches === 3) throw new Error('simulated crash');
      return t.storage.importUsers(batch, options);
    };
    const job = await t.storage.createJob({ id: newJobId(), type: 'users_import', connection: CONNECTION, external_id: null, params: {}, created_at: new Date() });
    const options = { jobId: job.id, connection: CONNECTION, upsert: false, batchSize: 200 };
    await assert.rejects(runUsersImport(Readable.from([file]), { ...options, storage: crashing }), /simulated crash/u);
    const halfway = await t.storage.getJob(job.id);
    assert.deepEqual(halfway?.checkpoint.records, 400);
    assert.deepEqual(halfway?.summary, { inserted: 400, updated: 0, failed: 0, total: 400 });

    const summary = await runUsersImport(Readable.from([file]), { ...options, storage: t.storage });
    assert.deepEqual(summary, { inserted: total - 1, updated: 0, failed: 1, total });
    const done = await client.get(`/jobs/${job.id}`);
    assert.equal(done.body.status, 'completed');
    assert.deepEqual(done.body.summary, summary);
    const counted = await client.get(`/users?q=${encodeURIComponent(`email:resume*`)}&search_engine=v3&per_page=1&include_totals=true`);
    assert.ok(counted.body.total >= total - 1);
    for (const i of [0, 399, 400, 599, 600, 1233]) assert.equal((await t.storage.listUsersByEmail(email(`resume${i}`))).length, 1, `user ${i} once`);
    const errors = await client.get(`/jobs/${job.id}/errors`);
    assert.deepEqual(errors.body.map((e: { errors: { code: string }[] }) => e.errors[0]?.code), ['FORMAT']);
  });

  it('exports NDJSON and CSV with field selection, CSV-injection escaping and no password hash', async () => {
    await importFile(JSON.stringify([
      { email: email('exp-a'), name: '=HYPERLINK("http://evil")', user_metadata: { plan: '+1', note: 'a,"b"\nc' }, password_hash: await bcryptHash('secret', 4) },
      { email: email('exp-b'), name: '@SUM(A1)', nickname: '-x' },
    ]));
    const fields = [{ name: 'email' }, { name: 'name', export_as: 'full_name' }, { name: 'user_metadata.plan', export_as: 'plan' }, { name: 'user_metadata.note' }];
    const ndjson = await client.post('/jobs/users-exports').send({ connection_id: CONNECTION, format: 'json', fields });
    assert.equal(ndjson.status, 201, JSON.stringify(ndjson.body));
    assert.equal(ndjson.body.type, 'users_export');
    const nd = await finished(client, ndjson.body.id);
    assert.equal(nd.status, 'completed', JSON.stringify(nd));
    assert.match(nd.location as string, new RegExp(`/api/v2/jobs/${ndjson.body.id}/file$`, 'u'));
    const ndFile = await client.get(`/jobs/${ndjson.body.id}/file`).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => cb(null, text));
    });
    assert.equal(ndFile.status, 200);
    const rows = (ndFile.body as string).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const a = rows.find((r) => r.email === email('exp-a'));
    assert.deepEqual(a, { email: email('exp-a'), full_name: '=HYPERLINK("http://evil")', plan: '+1', 'user_metadata.note': 'a,"b"\nc' });
    assert.equal((nd.summary as { total: number }).total, rows.length);

    const csv = await client.post('/jobs/users-exports').send({ format: 'csv', fields });
    const cs = await finished(client, csv.body.id);
    assert.equal(cs.status, 'completed');
    const csvFile = await client.get(`/jobs/${csv.body.id}/file`).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => cb(null, text));
    });
    assert.match(csvFile.headers['content-type'] ?? '', /^text\/csv/u);
    const text = csvFile.body as string;
    assert.ok(text.startsWith('email,full_name,plan,user_metadata.note\n'), text.slice(0, 80));
    assert.ok(text.includes(`${email('exp-a')},"'=HYPERLINK(""http://evil"")",'+1,"a,""b""\nc"\n`), text);
    assert.ok(text.includes(`${email('exp-b')},'@SUM(A1),,\n`));
    for (const body of [text, ndFile.body as string]) assert.doesNotMatch(body, /\$2b\$|password_hash/u);

    const refused = await client.post('/jobs/users-exports').send({ format: 'csv', fields: [{ name: 'password_hash' }] });
    assert.equal(refused.status, 400);
  });

  it('checks scopes (403), the connection (400) and answers 404 for an unknown job', async () => {
    const reader = api(t, await mintToken(t, ['read:users']));
    const denied = await reader.post('/jobs/users-imports').attach('users', Buffer.from('[]'), 'u.json').field('connection_id', CONNECTION);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.errorCode, 'insufficient_scope');
    const creator = api(t, await mintToken(t, ['create:users']));
    const noExport = await creator.post('/jobs/users-exports').send({ format: 'csv' });
    assert.equal(noExport.status, 403);
    const nobody = api(t, await mintToken(t, ['read:logs']));
    assert.equal((await nobody.get('/jobs/job_0000000000000000')).status, 403);
    const unknownConnection = await client.post('/jobs/users-imports').attach('users', Buffer.from('[]'), 'u.json').field('connection_id', 'con_nope');
    assert.equal(unknownConnection.status, 400);
    assert.equal(unknownConnection.body.field, 'connection_id');
    const noFile = await client.post('/jobs/users-imports').field('connection_id', CONNECTION);
    assert.equal(noFile.status, 400);
    const missing = await client.get('/jobs/job_0000000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errorCode, 'not_found');
    assert.equal((await client.get('/jobs/job_0000000000000000/errors')).status, 404);
    assert.equal((await supertest(t.app).get('/api/v2/jobs/job_0000000000000000')).status, 401);
  });
});
