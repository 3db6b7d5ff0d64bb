/**
 * `npm run bench`: every benchmark, each printed as a ratio against a baseline measured in the
 * same run (the machines are shared and noisy; absolute numbers are given for context only).
 */
import { availableParallelism, cpus } from 'node:os';
import { benchLogin } from './login.js';
import { benchImport, importBenchTable } from './import.js';
import { benchSearch } from './search.js';
import { benchProtected } from './protected.js';
import { benchElementsRender } from './elements-render.js';

// Benchmarks run the built packages (dist) as production does. tsx (which only compiles these
// bench files) turns source maps on for every stack trace, which Sequelize builds on each query;
// production runs compiled JS without them, so they are off here.
process.setSourceMapsEnabled(false);

const fmt = (n: number, digits = 1) => n.toFixed(digits);

console.log(`Gatehouse benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`);

const login = await benchLogin();
console.log('| benchmark | figure | baseline (same run) | ratio | goal |');
console.log('|---|---|---|---|---|');
console.log(`| login throughput (concurrency ${login.concurrency}, SQLite) | ${fmt(login.loginsPerSec)} logins/s | raw Argon2id ${fmt(login.rawHashesPerSec)} hashes/s | ${fmt(login.ratio, 2)}x | >= 0.9x |`);
console.log(`| reference: bare Express route doing only the verify | ${fmt(login.bareVerifyPerSec)} req/s | raw Argon2id | ${fmt(login.bareRatio, 2)}x | — |`);
console.log(`| event-loop delay p99 during logins | ${fmt(login.eventLoopP99Ms)} ms | — | — | < 20 ms |`);
for (const row of await benchProtected()) console.log(`| ${row.label} | ${row.figure} | ${row.baseline} | ${row.ratio} | ${row.goal} |`);
for (const line of importBenchTable(await benchImport())) console.log(line);
for (const r of await benchSearch()) {
  const name = r.klass.startsWith('primary-key') ? r.klass : `search: ${r.klass}`;
  console.log(`| ${name} (${r.dialect}, ${process.env.BENCH_USERS ?? '1000000'} users) | p50 ${fmt(r.p50, 2)} ms, p95 ${fmt(r.p95, 2)} ms | primary-key fetch | p50 ${fmt(r.ratio50)}x, p95 ${fmt(r.ratio95)}x | <= ${r.goal}x |`);
}
const render = await benchElementsRender();
if (render) console.log(`| <gatehouse-user-table> 100-row page render (Chromium) | ${fmt(render.componentMs, 2)} ms | plain static table ${fmt(render.staticMs, 2)} ms | ${fmt(render.ratio, 2)}x | <= 3x |`);
