/**
 * Protected-request throughput: a signed-in GET through Gatehouse (identity() + requireAuth())
 * against the stack people hand-roll (passport-local + express-session + connect-session-sequelize,
 * the user re-read on each request) on SQLite and PostgreSQL, and against bare Express with no auth;
 * three Gatehouse instances against one on PostgreSQL + Redis; and the memory 10,000 more sessions
 * cost in the process. Each server is a child process (bench/protected-server.ts) so the load
 * generator (wrk, or autocannon without it: see load.ts) never shares its event loop; each server
 * is warmed up first, rounds alternate and the median ratio is reported, since the machine is shared.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { load, loadGenerator } from './load.js';
import { table, type BenchRow } from './results.js';
import { withCpuUsage, type CpuUsage } from './cpu-usage.js';

const SERVER = fileURLToPath(new URL('./protected-server.ts', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Server {
  child: ChildProcess;
  url: string;
  cookie: string;
}

async function start(config: Record<string, unknown>): Promise<Server> {
  const child = fork(SERVER, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, BENCH_SERVER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; cookie: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; cookie: string }));
    child.once('exit', (code) => reject(new Error(`bench server ${JSON.stringify(config)} exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${ready.port}/private`, cookie: ready.cookie };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ stop: true });
  await exited;
}

async function measure(server: Server): Promise<{ heap: number; rss: number }> {
  server.child.send({ measure: true });
  return new Promise((resolve) => server.child.once('message', (m) => resolve((m as { memory: { heap: number; rss: number } }).memory)));
}

/** The server's heap and RSS growth (after full GCs) over `n` new sessions, each used twice (a CSRF token stored in each). */
async function sessionsMemory(server: Server, n: number): Promise<{ heap: number; rss: number }> {
  const origin = new URL(server.url).origin;
  // Warm up first, so code paths, pools and arenas that exist once are not counted as per-session memory.
  const warm = async (count: number) => {
    const cookies: string[] = [];
    for (let i = 0; i < count; i += 50) {
      cookies.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, async () => {
        const res = await fetch(`${origin}/auth/csrf-token`);
        await res.text();
        return res.headers.getSetCookie()[0]!.split(';')[0]!;
      }))));
    }
    for (let i = 0; i < cookies.length; i += 50) {
      await Promise.all(cookies.slice(i, i + 50).map((cookie) => fetch(`${origin}/auth/csrf-token`, { headers: { cookie } }).then((r) => r.text())));
    }
  };
  // As many sessions first: native memory (libuv's pool threads' malloc arenas, SQLite's page
  // cache) grows over the first tens of thousands of requests whatever they are, then stays
  // (measured: RSS +49, +39, then +4 MB over three successive 10,000), which is not per session.
  await warm(n);
  const before = await measure(server);
  await warm(n);
  const after = await measure(server);
  return { heap: after.heap - before.heap, rss: after.rss - before.rss };
}

export interface ProtectedBenchOptions {
  durationSec?: number;
  rounds?: number;
  connections?: number;
  postgresUrl?: string;
  redisUrl?: string;
}

export type ProtectedRow = BenchRow;

const fmt = (n: number, d = 0) => n.toFixed(d);

/**
 * Alternating rounds of each server, after an untimed warm-up of each (the first seconds of a Node
 * server run unoptimized code); the median of each one's rate and of the ratios to the first, and
 * the median CPU use of the processes in `pids` and of the machine during each one's rounds.
 */
async function compare(servers: Array<{ urls: string[]; cookie: string; pids?: number[] }>, options: Required<ProtectedBenchOptions>) {
  for (const s of servers) await load(s.urls, s.cookie, 2, options.connections);
  const rates: number[][] = servers.map(() => []);
  const usages: CpuUsage[][] = servers.map(() => []);
  for (let r = 0; r < options.rounds; r++) {
    for (const [i, s] of servers.entries()) {
      const { result, usage } = await withCpuUsage(s.pids ?? [], () => load(s.urls, s.cookie, options.durationSec, options.connections));
      rates[i]!.push(result);
      if (usage) usages[i]!.push(usage);
    }
  }
  return {
    rates: rates.map(median),
    ratios: rates.map((xs) => median(xs.map((x, r) => x / rates[0]![r]!))),
    cpu: usages.map((xs) => (xs.length === 0 ? null : { processes: median(xs.map((u) => u.processes.reduce((a, b) => a + b, 0))), idle: median(xs.map((u) => u.idle)) })),
  };
}

/** ", servers 112% of a core, machine 35% idle", or nothing without /proc. */
function cpuNote(cpu: { processes: number; idle: number } | null, what: string): string {
  return cpu ? `; ${what} ${fmt(cpu.processes)}% of a core, machine ${fmt(cpu.idle)}% idle` : '';
}

export async function benchProtected(input: ProtectedBenchOptions = {}): Promise<ProtectedRow[]> {
  const options: Required<ProtectedBenchOptions> = {
    durationSec: input.durationSec ?? Number(process.env.BENCH_DURATION ?? 5),
    rounds: input.rounds ?? 3,
    connections: input.connections ?? 16,
    postgresUrl: input.postgresUrl ?? process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: input.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const rows: ProtectedRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-protected-'));
  try {
    // SQLite: baseline, Gatehouse, bare Express.
    {
      const baseline = await start({ kind: 'baseline', databaseUrl: `sqlite:${join(dir, 'baseline.sqlite')}`, login: true });
      const gatehouse = await start({ kind: 'gatehouse', databaseUrl: `sqlite:${join(dir, 'gatehouse.sqlite')}`, login: true });
      const bare = await start({ kind: 'bare' });
      const sessionOnly = await start({ kind: 'session', login: true });
      const { rates, ratios } = await compare(
        [bare, gatehouse, baseline, sessionOnly].map((s) => ({ urls: [s.url], cookie: s.cookie })),
        options,
      );
      const [bareRate, gh, base, sess] = rates as [number, number, number, number];
      rows.push({ id: 'protected-sqlite', label: 'protected GET, SQLite', figure: `${fmt(gh)} req/s`, baseline: `passport-local + express-session + connect-session-sequelize ${fmt(base)} req/s`, ratio: `${fmt(median([gh / base]), 2)}x`, goal: '>= 1.5x' });
      rows.push({ id: 'protected-vs-bare', label: 'protected GET vs no auth, SQLite', figure: `${fmt(gh)} req/s`, baseline: `bare Express ${fmt(bareRate)} req/s`, ratio: `${fmt(ratios[1]!, 2)}x`, goal: '>= 0.5x' });
      rows.push({ id: 'session-only-vs-bare', label: 'reference: express-session + Passport alone (MemoryStore, user in memory: no store, no query) vs no auth', figure: `${fmt(sess)} req/s`, baseline: `bare Express ${fmt(bareRate)} req/s`, ratio: `${fmt(ratios[3]!, 2)}x`, goal: '— (the ceiling of any app on these two)' });
      // The memory 10,000 more active sessions cost in the Gatehouse process (sessions live in the store).
      const m = await sessionsMemory(gatehouse, 10_000);
      rows.push({ id: 'memory-10k-sessions', label: 'memory per 10,000 active sessions (Gatehouse process, SQLite)', figure: `heap ${fmt(m.heap / 1024 ** 2, 1)} MB, RSS ${fmt(m.rss / 1024 ** 2, 1)} MB`, baseline: '—', ratio: '—', goal: 'flat' });
      await Promise.all([baseline, gatehouse, bare, sessionOnly].map(stop));
    }
    // PostgreSQL: baseline and Gatehouse (database sessions).
    {
      const baseline = await start({ kind: 'baseline', databaseUrl: options.postgresUrl, login: true, tablePrefix: 'benchbase_' });
      const gatehouse = await start({ kind: 'gatehouse', databaseUrl: options.postgresUrl, login: true, tablePrefix: 'benchgh_' });
      const { rates, ratios } = await compare([baseline, gatehouse].map((s) => ({ urls: [s.url], cookie: s.cookie })), options);
      rows.push({ id: 'protected-postgres', label: 'protected GET, PostgreSQL', figure: `${fmt(rates[1]!)} req/s`, baseline: `passport-local + express-session + connect-session-sequelize ${fmt(rates[0]!)} req/s`, ratio: `${fmt(ratios[1]!, 2)}x`, goal: '>= 1.5x' });
      await Promise.all([baseline, gatehouse].map(stop));
    }
    // PostgreSQL + Redis: one instance, then three behind the same load generator.
    {
      const prefix = `gatehouse-bench-${process.pid}:`;
      const common = { kind: 'gatehouse', databaseUrl: options.postgresUrl, tablePrefix: 'benchgh_', redisUrl: options.redisUrl, redisPrefix: prefix };
      const first = await start({ ...common, login: true });
      const others = [await start(common), await start(common)];
      // The same generator either way (one wrk per URL): three at one instance, or one at each.
      const pids = [first, ...others].map((s) => s.child.pid!);
      const { rates, ratios, cpu } = await compare(
        [
          { urls: [first.url, first.url, first.url], cookie: first.cookie, pids },
          { urls: [first.url, ...others.map((o) => o.url)], cookie: first.cookie, pids },
        ],
        options,
      );
      rows.push({
        id: 'three-vs-one',
        label: `three instances vs one, PostgreSQL + Redis (${loadGenerator} on the same ${availableParallelism()} cores)`,
        figure: `${fmt(rates[1]!)} req/s${cpuNote(cpu[1]!, 'instances')}`,
        baseline: `one instance ${fmt(rates[0]!)} req/s${cpuNote(cpu[0]!, 'instances')}`,
        ratio: `${fmt(ratios[1]!, 2)}x`,
        goal: '>= 1.3x',
      });
      await Promise.all([first, ...others].map(stop));
      const redis = createClient({ url: options.redisUrl });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await redis.del(keys);
      redis.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of table(await benchProtected())) console.log(line);
}
