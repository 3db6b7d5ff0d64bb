/**
 * The export phase of bench/import.ts, in a process of its own, so its peak RSS is the export's
 * and not what the import before it left in the parent's heap. The parent passes
 * `BENCH_EXPORT={"url","prefix","total"}` and gets `{ perSec, peakMb }` back over IPC.
 */
import { exportUsers } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { withPeakRss } from './import.js';

process.setSourceMapsEnabled(false);
const { url, prefix, total } = JSON.parse(process.env.BENCH_EXPORT ?? '{}') as { url: string; prefix: string; total: number };
const storage = createSequelizeStorage({ url, tablePrefix: prefix });
try {
  const exported = await withPeakRss(async () => {
    const started = performance.now();
    let count = 0;
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    await pipeline(exportUsers({ storage, connection: 'Username-Password-Authentication', format: 'ndjson', onPage: (n) => (count += n) }), sink);
    if (count !== total) throw new Error(`exported ${count} of ${total}`);
    return (total / (performance.now() - started)) * 1000;
  });
  process.send!({ perSec: exported.result, peakMb: exported.peakMb });
} finally {
  await storage.close();
}
