import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { main } from '../src/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('gatehouse CLI', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints usage with --help and for each command', async () => {
    for (const argv of [['--help'], ['serve', '--help'], ['migrate', '--help']]) {
      const c = capture();
      assert.equal(await main(argv, c.io), 0);
      assert.match(c.out.join('\n'), /Usage: gatehouse/u);
    }
  });

  it('runs as the installed bin (the built package)', async () => {
    const bin = fileURLToPath(new URL('../bin/gatehouse.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--help'], { cwd: dir });
    assert.match(stdout, /Usage: gatehouse <command>/u);
    await assert.rejects(promisify(execFile)(process.execPath, [bin, 'nope'], { cwd: dir }), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr ?? '', /unknown command "nope"/u);
      return true;
    });
  });

  it('exits 1 with a clear message for an unknown command or option', async () => {
    const c = capture();
    assert.equal(await main(['frobnicate'], c.io), 1);
    assert.match(c.err.join('\n'), /unknown command "frobnicate"/u);
    const d = capture();
    assert.equal(await main(['migrate', '--colour'], d.io), 1);
    assert.match(d.err.join('\n'), /Unknown option '--colour'/u);
  });

  it('migrates a new SQLite database, and again as a no-op', async () => {
    const url = `sqlite:${join(dir, 'cli.sqlite')}`;
    for (let i = 0; i < 2; i++) {
      const c = capture();
      assert.equal(await main(['migrate', '--database', url], c.io), 0, c.err.join('\n'));
      assert.match(c.out.join('\n'), /up to date \(sqlite\)/u);
    }
  });

  it('serves the hosted pages from any folder and prints the admin set-password link once', async function () {
    const entry = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
    const port = 40000 + Math.floor(Math.random() * 20000);
    // tsx by absolute URL: the child runs in a folder with no node_modules, as a user's would be.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, entry, 'serve', '--port', String(port)], {
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'development' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const deadline = Date.now() + 20000;
      while (!output.includes('Gatehouse is running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(output, /Administrator admin@example\.com created/u);
      assert.match(output, new RegExp(`http://localhost:${port}/auth/password/reset\\?token=[A-Za-z0-9_-]{43}`, 'u'));
      const res = await fetch(`http://127.0.0.1:${port}/auth/login`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Sign in/u);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
