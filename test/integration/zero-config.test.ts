import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

describe('identity() with no options at all', function () {
  this.timeout(30000);

  it('serves the hosted pages on a SQLite file under ./data, warning once about development defaults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-zero-'));
    const require = createRequire(import.meta.url);
    const express = pathToFileURL(require.resolve('express')).href;
    const gatehouse = pathToFileURL(require.resolve('../../packages/express/src/index.ts')).href;
    writeFileSync(join(dir, 'app.mjs'), `
      import express from '${express}';
      import { identity } from '${gatehouse}';
      const app = express();
      const auth = identity();
      app.use(auth);
      await auth.ready;
      const server = app.listen(0, '127.0.0.1', () => console.log('PORT=' + server.address().port));
    `);
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, 'app.mjs'], { cwd: dir, env: { ...process.env, NODE_ENV: 'development' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 20000;
      while (!/PORT=\d+/u.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const port = /PORT=(\d+)/u.exec(out)?.[1];
      assert.ok(port, out);
      const res = await fetch(`http://127.0.0.1:${port}/auth/login`);
      assert.equal(res.status, 200);
      assert.ok(existsSync(join(dir, 'data', 'gatehouse.sqlite')), 'the SQLite file is under ./data');
      assert.ok(existsSync(join(dir, 'data', '.gatehouse-dev-secret')), 'the development secret is kept under ./data');
      assert.equal(out.match(/development defaults in use/gu)?.length, 1, out);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
