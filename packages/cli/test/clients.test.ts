import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashClientSecret } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { main } from '../src/index.js';

describe('gatehouse clients', function () {
  let dir: string;
  let url: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-clients-'));
    url = `sqlite:${join(dir, 'clients.sqlite')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...argv, '--database', url], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function stored(clientId: string) {
    const storage = createSequelizeStorage({ url });
    try {
      return await storage.getApplication(clientId);
    } finally {
      await storage.close();
    }
  }

  it('creates an application, printing its secret once and storing only its hash', async () => {
    const res = await run('clients', 'create', '--name', 'Shop', '--callbacks', 'https://shop.example.com/callback,https://*.shop.example.com/cb', '--api', 'https://api.example.com/=read:orders+write:orders');
    assert.equal(res.code, 0, res.err);
    const clientId = /^(\S+)\s+"Shop"/mu.exec(res.out)![1]!;
    const secret = res.out.trim().split('\n').at(-1)!;
    const app = await stored(clientId);
    assert.deepEqual(app?.callbacks, ['https://shop.example.com/callback', 'https://*.shop.example.com/cb']);
    assert.deepEqual(app?.api_grants, [{ audience: 'https://api.example.com/', scope: ['read:orders', 'write:orders'] }]);
    assert.equal(app?.client_secret_hash, hashClientSecret(secret));
    assert.ok(!(await run('clients', 'get', clientId)).out.includes(secret), 'the secret is not shown again');

    const rotated = await run('clients', 'rotate-secret', clientId);
    const next = rotated.out.trim().split('\n').at(-1)!;
    assert.notEqual(next, secret);
    assert.equal((await stored(clientId))?.client_secret_hash, hashClientSecret(next));

    assert.equal((await run('clients', 'update', clientId, '--access', 'allow_list')).code, 0);
    assert.equal((await stored(clientId))?.access_policy, 'allow_list');
    assert.match((await run('clients', 'list')).out, /"Shop"/u);
    assert.equal((await run('clients', 'delete', clientId)).code, 0);
    assert.equal(await stored(clientId), null);
    const missing = await run('clients', 'get', clientId);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /does not exist/u);
  });

  it('refuses a wildcard that is not a subdomain label, storing nothing', async () => {
    const res = await run('clients', 'create', '--name', 'Bad', '--callbacks', 'https://app.*.example.com/cb');
    assert.equal(res.code, 1);
    assert.match(res.err, /subdomain/u);
    assert.match((await run('clients', 'list')).out, /No applications|^(?![\s\S]*"Bad")/u);
  });
});
