/**
 * The load generator of the protected-request benchmarks. wrk (Debian's package) when it is on the
 * PATH, else autocannon (an npm dev dependency, so `npm run bench` runs after `npm install` alone).
 *
 * The generator shares the machine's cores with the servers it measures, so its own cost per
 * request is taken from theirs: wrk (C, one thread) spends a fraction of what autocannon (Node)
 * does, which matters most where a ratio depends on spare CPU (three instances vs one).
 */
import autocannon from 'autocannon';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk -v prints its version and exits with 1; only a missing binary throws ENOENT.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const WRK = process.env.BENCH_LOAD === 'autocannon' ? false : hasWrk();

/** Which generator runs, for the printed tables. */
export const loadGenerator = WRK ? 'wrk' : 'autocannon';

/** One wrk process: requests/s, after checking that every answer was a 2xx and no socket failed. */
async function wrk(url: string, cookie: string, durationSec: number, connections: number): Promise<number> {
  const args = ['-t1', `-c${connections}`, `-d${durationSec}s`, ...(cookie ? ['-H', `Cookie: ${cookie}`] : []), url];
  const { stdout } = await run('wrk', args);
  const failed = /Non-2xx or 3xx responses: (\d+)/.exec(stdout) ?? /Socket errors: .*/.exec(stdout);
  if (failed) throw new Error(`${url}: ${failed[0]}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!rate) throw new Error(`${url}: wrk printed no rate:\n${stdout}`);
  return Number(rate[1]);
}

/**
 * Requests/s of signed-in GETs spread over `urls` (one cookie) for `durationSec`, with
 * `connections` connections in all; every answer is checked. With wrk, one process per URL (list
 * a URL several times to keep the generator's shape while changing the servers behind it).
 */
export async function load(urls: string[], cookie: string, durationSec: number, connections: number): Promise<number> {
  if (WRK) {
    const each = Math.max(1, Math.round(connections / urls.length));
    const rates = await Promise.all(urls.map((url) => wrk(url, cookie, durationSec, each)));
    return rates.reduce((a, b) => a + b, 0);
  }
  const result = await autocannon({ url: urls.length === 1 ? urls[0]! : urls, connections, duration: durationSec, headers: cookie ? { cookie } : {} });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${urls[0]}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}
