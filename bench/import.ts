/**
 * Bulk import and export at scale: generates N users (default 1,000,000; BENCH_USERS to change)
 * as NDJSON in a temp file, imports the file through the importer (the path of
 * `gatehouse users import` and `POST /jobs/users-imports`) into a fresh SQLite file and into
 * PostgreSQL (tables prefixed `benchimp_`, dropped before and after), and prints users/s as a
 * ratio of a raw bulk insert of the same rows (users, identities, credentials, metadata search
 * rows; Sequelize queryInterface.bulkInsert, the same batch size, one transaction a batch) into
 * the same database (tables prefixed `benchraw_`) in the same run. Export likewise: NDJSON of every
 * user vs a raw keyset SELECT of the same rows. Peak RSS is process.memoryUsage().rss sampled
 * every 100 ms during each phase; the export runs in a child process of its own (export-child.ts).
 */
import { defaultPicture, newJobId, newLocalId, runUsersImport } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { fork } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryTypes } from 'sequelize';
import { table, type BenchRow } from './results.js';

const CONNECTION = 'Username-Password-Authentication';
const BATCH = 500;
const PLANS = ['free', 'pro', 'gold', 'team'];
const CITIES = ['Paris', 'London', 'Berlin', 'Lagos', 'Tokyo', 'Lima', 'Oslo', 'Pune', 'Quito', 'Cairo'];
// One bcrypt hash for everyone: imports store hashes as they are, so its cost does not matter here.
const HASH = `$2b$10$${'N9qo8uLOickgx2ZMRZoMye'}${'IjZAgcfl7p92ldGxad68LJZdL17lhWy'}`;

export interface ImportBenchRow {
  dialect: string;
  users: number;
  importPerSec: number;
  rawInsertPerSec: number;
  importRatio: number;
  importPeakRssMb: number;
  exportPerSec: number;
  rawSelectPerSec: number;
  exportRatio: number;
  exportPeakRssMb: number;
}

function record(i: number) {
  const first = `user${i}`;
  return {
    email: `${first}@bench${i % 50}.example`,
    email_verified: i % 3 === 0,
    name: `User ${i}`,
    given_name: 'User',
    family_name: `N${i}`,
    nickname: first,
    password_hash: HASH,
    user_metadata: { plan: PLANS[i % PLANS.length]!, age: 18 + (i % 60), city: CITIES[i % CITIES.length]! },
    app_metadata: { tier: i % 10 },
  };
}

/** The rows the importer writes for record i (what toUserRow & co. produce, defaults included), for the raw baseline. */
function rawRows(i: number, now: Date) {
  const r = record(i);
  // Random ids like the importer's (auth0|<24 hex>): sequential ones would flatter the baseline's B-tree inserts.
  const local = newLocalId();
  const user_id = `auth0|${local}`;
  const email = r.email;
  return {
    user: {
      user_id, connection: CONNECTION, email, email_lower: email, email_verified: r.email_verified, username: null, username_lower: null,
      phone_number: null, phone_verified: false, name: r.name, given_name: r.given_name, family_name: r.family_name, nickname: r.nickname,
      picture: defaultPicture(email, r.name), blocked: false, user_metadata: JSON.stringify(r.user_metadata),
      app_metadata: JSON.stringify(r.app_metadata), created_at: now, updated_at: now, last_login: null, last_ip: null, logins_count: 0,
      name_lower: r.name.toLowerCase(), given_name_lower: 'user', family_name_lower: r.family_name.toLowerCase(), nickname_lower: r.nickname,
      email_domain: email.slice(email.indexOf('@') + 1),
    },
    identity: { user_id, connection: CONNECTION, provider: 'auth0', provider_user_id: local, is_social: false, profile_data: null },
    credential: { user_id, password_hash: HASH, updated_at: now },
    metadata: [
      { user_id, source: 'user', path: 'plan', value_text: r.user_metadata.plan, value_num: null },
      { user_id, source: 'user', path: 'age', value_text: String(r.user_metadata.age), value_num: r.user_metadata.age },
      { user_id, source: 'user', path: 'city', value_text: r.user_metadata.city, value_num: null },
      { user_id, source: 'app', path: 'tier', value_text: String(r.app_metadata.tier), value_num: r.app_metadata.tier },
    ],
  };
}

/** Peak RSS while `work` runs, sampled every 100 ms. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function writeFile(path: string, total: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < total; i++) {
    if (!out.write(`${JSON.stringify(record(i))}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function dropPrefixed(url: string, prefixes: string[]): Promise<void> {
  const storage = createSequelizeStorage({ url });
  try {
    const tables = await storage.sequelize.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`, { type: QueryTypes.SELECT });
    const mine = tables.map((t) => t.tablename).filter((n) => prefixes.some((p) => n.startsWith(p)));
    if (mine.length > 0) await storage.sequelize.query(`DROP TABLE IF EXISTS ${mine.map((n) => `"${n}"`).join(', ')} CASCADE`);
  } finally {
    await storage.close();
  }
}

/** Runs the export phase in bench/export-child.ts and returns its users/s and peak RSS. */
async function exportInChild(url: string, prefix: string, total: number): Promise<{ result: number; peakMb: number }> {
  const child = fork(fileURLToPath(new URL('./export-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_EXPORT: JSON.stringify({ url, prefix, total }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const answer = await new Promise<{ perSec: number; peakMb: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { perSec: number; peakMb: number }));
    child.once('exit', (code) => reject(new Error(`the export child exited with ${code}`)));
  });
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  return { result: answer.perSec, peakMb: answer.peakMb };
}

async function benchOne(dialect: string, url: string, file: string, total: number): Promise<ImportBenchRow> {
  const storage = createSequelizeStorage({ url, tablePrefix: 'benchimp_' });
  const raw = createSequelizeStorage({ url, tablePrefix: 'benchraw_' });
  await storage.migrate();
  await raw.migrate();
  try {
    // Raw baseline: the same rows, bulk-inserted in the same batches.
    const qi = raw.sequelize.getQueryInterface();
    const rawInsert = await withPeakRss(async () => {
      const started = performance.now();
      const now = new Date();
      for (let start = 0; start < total; start += BATCH) {
        const rows = Array.from({ length: Math.min(BATCH, total - start) }, (_, k) => rawRows(start + k, now));
        await raw.sequelize.transaction(async (transaction) => {
          await qi.bulkInsert('benchraw_users', rows.map((r) => r.user), { transaction });
          await qi.bulkInsert('benchraw_identities', rows.map((r) => r.identity), { transaction });
          await qi.bulkInsert('benchraw_credentials', rows.map((r) => r.credential), { transaction });
          await qi.bulkInsert('benchraw_metadata_values', rows.flatMap((r) => r.metadata), { transaction });
        });
      }
      return (total / (performance.now() - started)) * 1000;
    });

    const imported = await withPeakRss(async () => {
      const job = await storage.createJob({ id: newJobId(), type: 'users_import', connection: CONNECTION, external_id: null, params: {}, created_at: new Date() });
      const started = performance.now();
      const summary = await runUsersImport(createReadStream(file), { storage, jobId: job.id, connection: CONNECTION, upsert: false, batchSize: BATCH });
      if (summary.inserted !== total) throw new Error(`imported ${summary.inserted} of ${total} users (${summary.failed} failed)`);
      return (total / (performance.now() - started)) * 1000;
    });

    const rawSelect = await withPeakRss(async () => {
      const started = performance.now();
      let after = '';
      let count = 0;
      for (;;) {
        const rows = await raw.sequelize.query<{ user_id: string }>(
          `SELECT * FROM ${qi.quoteIdentifier('benchraw_users')} WHERE user_id > :after ORDER BY user_id LIMIT 1000`,
          { type: QueryTypes.SELECT, replacements: { after } },
        );
        if (rows.length === 0) break;
        count += rows.length;
        after = rows[rows.length - 1]!.user_id;
      }
      if (count !== total) throw new Error(`raw select read ${count} of ${total}`);
      return (total / (performance.now() - started)) * 1000;
    });

    // In a fresh process: the parent's RSS still holds what the import phase left in its heap.
    const exported = await exportInChild(url, 'benchimp_', total);

    return {
      dialect,
      users: total,
      importPerSec: imported.result,
      rawInsertPerSec: rawInsert.result,
      importRatio: imported.result / rawInsert.result,
      importPeakRssMb: imported.peakMb,
      exportPerSec: exported.result,
      rawSelectPerSec: rawSelect.result,
      exportRatio: exported.result / rawSelect.result,
      exportPeakRssMb: exported.peakMb,
    };
  } finally {
    await storage.close();
    await raw.close();
  }
}

export async function benchImport(options: { users?: number; postgresUrl?: string } = {}): Promise<ImportBenchRow[]> {
  const total = options.users ?? Number(process.env.BENCH_USERS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-import-'));
  const file = join(dir, 'users.ndjson');
  const rows: ImportBenchRow[] = [];
  try {
    await writeFile(file, total);
    rows.push(await benchOne('sqlite', `sqlite:${join(dir, 'bench.sqlite')}`, file, total));
    const pg = options.postgresUrl ?? process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const probe = createSequelizeStorage({ url: pg, connectTimeoutMs: 3000 });
    const reachable = await probe.ping?.().catch(() => false);
    await probe.close();
    if (reachable) {
      await dropPrefixed(pg, ['benchimp_', 'benchraw_']);
      try {
        rows.push(await benchOne('postgres', pg, file, total));
      } finally {
        await dropPrefixed(pg, ['benchimp_', 'benchraw_']);
      }
    } else {
      process.stderr.write('  bench/import: PostgreSQL not reachable, skipped\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The rows bench/run.ts prints, in its table format. */
export function importBenchRows(rows: ImportBenchRow[]): BenchRow[] {
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  return rows.flatMap((r) => [
    { id: `import-${r.dialect}`, label: `users import (${f(r.users)} NDJSON, ${r.dialect})`, figure: `${f(r.importPerSec)} users/s`, baseline: `raw bulkInsert ${f(r.rawInsertPerSec)} users/s`, ratio: `${f(r.importRatio, 2)}x`, goal: '>= 0.5x' },
    { id: `import-rss-${r.dialect}`, label: `users import peak RSS (${r.dialect})`, figure: `${f(r.importPeakRssMb)} MB`, baseline: '—', ratio: '—', goal: '<= 300 MB' },
    { id: `export-${r.dialect}`, label: `users export (NDJSON, ${r.dialect})`, figure: `${f(r.exportPerSec)} users/s`, baseline: `raw keyset SELECT ${f(r.rawSelectPerSec)} rows/s`, ratio: `${f(r.exportRatio, 2)}x`, goal: '—' },
    { id: `export-rss-${r.dialect}`, label: `users export peak RSS (${r.dialect})`, figure: `${f(r.exportPeakRssMb)} MB`, baseline: '—', ratio: '—', goal: '<= 300 MB' },
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.setSourceMapsEnabled(false);
  const rows = await benchImport();
  for (const line of table(importBenchRows(rows))) console.log(line);
}
