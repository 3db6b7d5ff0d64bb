/**
 * `npm run bench`: every benchmark, each printed as a ratio against a baseline measured in the
 * same run (the machines are shared and noisy; absolute numbers are given for context only).
 * `npm run bench -- login protected` runs only those (login, protected, import, search, elements).
 * The rows go into bench/results.json and the README's table (see results.ts).
 */
import { machine, record, table, type BenchRow } from './results.js';

// Each benchmark's module is loaded only when it runs: what the others load (a browser driver,
// HTTP load generators, a second ORM instance) would otherwise count in the peak RSS figures.

// Benchmarks run the built packages (dist) as production does. tsx (which only compiles these
// bench files) turns source maps on for every stack trace, which Sequelize builds on each query;
// production runs compiled JS without them, so they are off here.
process.setSourceMapsEnabled(false);

const ALL = ['login', 'protected', 'import', 'search', 'elements'];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !ALL.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}: choose from ${ALL.join(', ')}.`);
  process.exit(2);
}
const want = (name: string) => asked.length === 0 || asked.includes(name);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

console.log(`Gatehouse benchmarks — ${new Date().toISOString().slice(0, 10)}, ${machine()}\n`);
const rows: BenchRow[] = [];
const show = (more: BenchRow[]) => {
  rows.push(...more);
  for (const line of table(more).slice(2)) console.log(line);
};
console.log(table([]).join('\n'));

if (want('login')) {
  const { benchLogin } = await import('./login.js');
  const login = await benchLogin();
  show([
    { id: 'login', label: `login throughput (concurrency ${login.concurrency}, SQLite)`, figure: `${fmt(login.loginsPerSec)} logins/s`, baseline: `raw Argon2id ${fmt(login.rawHashesPerSec)} hashes/s`, ratio: `${fmt(login.ratio, 2)}x`, goal: '>= 0.9x' },
    { id: 'login-bare-verify', label: 'reference: bare Express route doing only the verify', figure: `${fmt(login.bareVerifyPerSec)} req/s`, baseline: 'raw Argon2id', ratio: `${fmt(login.bareRatio, 2)}x`, goal: '— (the ceiling of any login over HTTP here)' },
    { id: 'login-event-loop', label: 'event-loop delay p99 during logins', figure: `${fmt(login.eventLoopP99Ms)} ms`, baseline: '—', ratio: '—', goal: '< 20 ms' },
  ]);
}
if (want('protected')) {
  const { benchProtected } = await import('./protected.js');
  show(await benchProtected());
}
if (want('import')) {
  const { benchImport, importBenchRows } = await import('./import.js');
  show(importBenchRows(await benchImport()));
}
if (want('search')) {
  const { benchSearch } = await import('./search.js');
  const users = process.env.BENCH_USERS ?? '1000000';
  show(
    (await benchSearch()).map((r) => ({
      id: `search-${r.dialect}-${r.klass}`,
      label: `${r.klass.startsWith('primary-key') ? r.klass : `search: ${r.klass}`} (${r.dialect}, ${Number(users).toLocaleString('en-US')} users)`,
      figure: `p50 ${fmt(r.p50, 2)} ms, p95 ${fmt(r.p95, 2)} ms`,
      baseline: 'primary-key fetch',
      ratio: `p50 ${fmt(r.ratio50)}x, p95 ${fmt(r.ratio95)}x`,
      goal: `<= ${r.goal}x`,
    })),
  );
}
if (want('elements')) {
  const { benchElementsRender } = await import('./elements-render.js');
  const render = await benchElementsRender();
  if (render) show([{ id: 'elements-render', label: '`<gatehouse-user-table>` 100-row page render (Chromium)', figure: `${fmt(render.componentMs, 2)} ms`, baseline: `plain static table ${fmt(render.staticMs, 2)} ms`, ratio: `${fmt(render.ratio, 2)}x`, goal: '<= 3x' }]);
}

record(rows, ['login', 'protected', 'session-only', 'memory', 'three-vs-one', 'import', 'export', 'search', 'elements']);
console.log('\nRecorded in bench/results.json and the README.');
