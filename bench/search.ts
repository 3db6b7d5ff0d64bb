/**
 * User search at scale: seeds N users (default 1,000,000; BENCH_USERS to change) with metadata
 * on SQLite and PostgreSQL, then times each query class through the storage port and prints its
 * p50/p95 as a ratio of a primary-key fetch (getUser) measured in the same run.
 *
 * Seeded data is kept between runs (tables prefixed `bench_`, SQLite file under .bench/), so only
 * the first run pays for seeding; `BENCH_RESEED=1` starts over.
 */
import { parseQuery, type Storage } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { mkdirSync } from 'node:fs';
import { QueryTypes } from 'sequelize';

const FIRST = ['ada', 'alan', 'grace', 'joan', 'linus', 'margaret', 'dennis', 'barbara', 'ken', 'radia', 'tim', 'frances', 'john', 'edsger', 'donald', 'hedy'];
const LAST = ['lovelace', 'turing', 'hopper', 'clarke', 'torvalds', 'hamilton', 'ritchie', 'liskov', 'thompson', 'perlman', 'lee', 'allen', 'smith', 'dijkstra', 'knuth', 'lamarr'];
const CITIES = ['Paris', 'London', 'Berlin', 'Lagos', 'Tokyo', 'Lima', 'Oslo', 'Pune', 'Quito', 'Cairo'];
const PLANS = ['free', 'pro', 'gold', 'team'];

type SeqStorage = ReturnType<typeof createSequelizeStorage>;

function userRow(i: number) {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const email = `${first}.${last}.${i}@example${i % 50}.com`;
  const name = `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`;
  const created = new Date(Date.UTC(2015, 0, 1) + i * 60_000);
  const um = { plan: PLANS[i % PLANS.length]!, age: 18 + (i % 60), city: CITIES[i % CITIES.length]! };
  const am = { tier: i % 10 };
  return {
    user: {
      user_id: `auth0|bench${i.toString(16).padStart(12, '0')}`, connection: 'Username-Password-Authentication',
      email, email_lower: email, email_verified: i % 3 === 0, username: null, username_lower: null, phone_number: null,
      phone_verified: false, name, given_name: first, family_name: last, nickname: first, picture: null, blocked: i % 97 === 0,
      user_metadata: JSON.stringify(um), app_metadata: JSON.stringify(am), created_at: created, updated_at: created,
      last_login: null, last_ip: null, logins_count: i % 25, name_lower: name.toLowerCase(), given_name_lower: first,
      family_name_lower: last, nickname_lower: first, email_domain: `example${i % 50}.com`,
    },
    metadata: [
      ['user', 'plan', um.plan, null], ['user', 'age', String(um.age), um.age], ['user', 'city', um.city, null], ['app', 'tier', String(am.tier), am.tier],
    ] as const,
  };
}

async function seed(storage: SeqStorage, prefix: string, total: number): Promise<void> {
  const sequelize = storage.sequelize;
  const qi = sequelize.getQueryInterface();
  const [row] = await sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${qi.quoteIdentifier(`${prefix}users`)}`, { type: QueryTypes.SELECT });
  if (Number(row?.n) === total && !process.env.BENCH_RESEED) return;
  for (const table of ['metadata_values', 'identities', 'users']) await sequelize.query(`DELETE FROM ${qi.quoteIdentifier(`${prefix}${table}`)}`);
  const started = Date.now();
  const batch = 2000;
  for (let start = 0; start < total; start += batch) {
    const rows = Array.from({ length: Math.min(batch, total - start) }, (_, k) => userRow(start + k));
    await sequelize.transaction(async (transaction) => {
      await qi.bulkInsert(`${prefix}users`, rows.map((r) => r.user), { transaction });
      await qi.bulkInsert(`${prefix}identities`, rows.map((r) => ({ user_id: r.user.user_id, connection: 'Username-Password-Authentication', provider: 'auth0', provider_user_id: r.user.user_id.slice(6), is_social: false, profile_data: null })), { transaction });
      await qi.bulkInsert(`${prefix}metadata_values`, rows.flatMap((r) => r.metadata.map(([source, path, value_text, value_num]) => ({ user_id: r.user.user_id, source, path, value_text, value_num }))), { transaction });
    });
    if ((start / batch) % 50 === 0) process.stderr.write(`  seeded ${start + rows.length}/${total} (${Math.round((Date.now() - started) / 1000)} s)\r`);
  }
  if (sequelize.getDialect() === 'postgres') await sequelize.query('ANALYZE');
  else await sequelize.query('ANALYZE');
  process.stderr.write(`  seeded ${total} users in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeIt(runs: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

export interface SearchBenchRow { dialect: string; klass: string; p50: number; p95: number; ratio50: number; ratio95: number; goal: number }

export async function benchSearch(total = Number(process.env.BENCH_USERS ?? 1_000_000), runs = 40): Promise<SearchBenchRow[]> {
  mkdirSync('.bench', { recursive: true });
  const targets: Array<[string, string]> = [
    ['sqlite', 'sqlite:.bench/search.sqlite'],
    ['postgres', process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'],
  ];
  const out: SearchBenchRow[] = [];
  for (const [dialect, url] of targets) {
    const prefix = 'bench_';
    const storage = createSequelizeStorage({ url, tablePrefix: prefix });
    await storage.migrate();
    await seed(storage, prefix, total);
    const s: Storage = storage;
    const id = (i: number) => `auth0|bench${((i * 7919) % total).toString(16).padStart(12, '0')}`;
    const pk = await timeIt(runs, (i) => s.getUser(id(i)));
    const search = (q: (i: number) => string, includeTotals = false) => (i: number) =>
      s.searchUsers({ query: parseQuery(q(i)), page: 0, perPage: 50, includeTotals });
    const classes: Array<[string, number, (i: number) => Promise<unknown>]> = [
      ['exact email', 2, search((i) => { const r = userRow((i * 7919) % total).user; return `email:"${r.email}"`; })],
      ['user_id', 2, search((i) => `user_id:"${id(i)}"`)],
      ['prefix (name:gra*)', 5, search((i) => `name:${FIRST[i % FIRST.length]!.slice(0, 3)}*`)],
      ['metadata equality', 5, search((i) => `user_metadata.city:"${CITIES[i % CITIES.length]}"`)],
      ['metadata range', 5, search((i) => `user_metadata.age:[${20 + (i % 30)} TO ${22 + (i % 30)}]`)],
      ['infix wildcard (*ovel*)', 20, search((i) => `family_name:*${LAST[i % LAST.length]!.slice(1, 5)}*`)],
      ['boolean combination', 20, search((i) => `(user_metadata.plan:gold OR user_metadata.plan:pro) AND user_metadata.age:[${20 + (i % 30)} TO ${25 + (i % 30)}] AND NOT blocked:true`)],
      ['include_totals (email.domain)', 20, search((i) => `email.domain:"example${i % 50}.com"`, true)],
    ];
    for (const [klass, goal, fn] of classes) {
      const t = await timeIt(runs, fn);
      out.push({ dialect, klass, p50: t.p50, p95: t.p95, ratio50: t.p50 / pk.p50, ratio95: t.p95 / pk.p50, goal });
    }
    out.push({ dialect, klass: 'primary-key fetch (baseline)', p50: pk.p50, p95: pk.p95, ratio50: 1, ratio95: pk.p95 / pk.p50, goal: 1 });
    await storage.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.setSourceMapsEnabled(false);
  for (const r of await benchSearch()) console.log(r);
}
