import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiTokens, hashApiToken } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { main } from '../src/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out: () => out.join('\n'), err: () => err.join('\n') };
}

describe('gatehouse tokens', function () {
  let dir: string;
  let url: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-tokens-'));
    url = `sqlite:${join(dir, 'tokens.sqlite')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    const c = capture();
    const code = await main(argv, c.io);
    return { code, out: c.out(), err: c.err() };
  }

  /** Whether the database accepts the token, checked through the storage as the API does. */
  async function verify(token: string): Promise<string[] | null> {
    const storage = createSequelizeStorage({ url });
    try {
      return (await new ApiTokens(storage).verify(token)).scopes;
    } catch {
      return null;
    } finally {
      await storage.close();
    }
  }

  it('prints help for tokens and each subcommand', async () => {
    for (const argv of [['tokens', '--help'], ['tokens', 'create', '--help'], ['tokens', 'list', '--help'], ['tokens', 'revoke', '--help']]) {
      const r = await run(...argv);
      assert.equal(r.code, 0);
      assert.match(r.out, /Usage: gatehouse tokens/u);
    }
    assert.match((await run('--help')).out, /tokens +Create, list and revoke/u);
  });

  it('creates a token, prints it once, and stores only its hash', async () => {
    const r = await run('tokens', 'create', '--scopes', 'read:users update:users', '--name', 'ci', '--expires-in', '12h', '--database', url);
    assert.equal(r.code, 0, r.err);
    const token = /^(gh_[A-Za-z0-9_-]{43})$/mu.exec(r.out)?.[1];
    const id = /Created token (tok_[0-9a-f]+)/u.exec(r.out)?.[1];
    assert.ok(token && id, r.out);
    assert.match(r.out, /scopes: +read:users update:users/u);
    assert.deepEqual(await verify(token), ['read:users', 'update:users']);

    const storage = createSequelizeStorage({ url });
    try {
      await storage.migrate();
      const [rows] = await storage.sequelize.query('SELECT * FROM gatehouse_api_tokens WHERE id = :id', { replacements: { id } });
      const row = (rows as { hash: string; expires_at: string }[])[0];
      assert.equal(row!.hash, hashApiToken(token));
      assert.ok(!JSON.stringify(row).includes(token.slice(3)));
      const hours = (new Date(row!.expires_at).getTime() - Date.now()) / 3_600_000;
      assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
    } finally {
      await storage.close();
    }

    const list = await run('tokens', 'list', '--database', url);
    assert.equal(list.code, 0);
    assert.match(list.out, new RegExp(`${id}  "ci"  active .* scopes: read:users update:users`, 'u'));
    assert.ok(!list.out.includes(token));
  });

  it('creates a token that never expires with --expires-in 0', async () => {
    const r = await run('tokens', 'create', '--scopes', 'read:logs,read:roles', '--expires-in', '0', '--database', url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /expires: never/u);
  });

  it('revokes a token: it stops working, is listed as revoked, and a second revoke fails', async () => {
    const created = await run('tokens', 'create', '--scopes', 'read:users', '--database', url);
    const token = /^(gh_\S+)$/mu.exec(created.out)![1]!;
    const id = /Created token (tok_\w+)/u.exec(created.out)![1]!;
    const r = await run('tokens', 'revoke', id, '--database', url);
    assert.equal(r.code, 0, r.err);
    assert.equal(await verify(token), null);
    assert.match((await run('tokens', 'list', '--database', url)).out, new RegExp(`${id} .* revoked `, 'u'));
    const again = await run('tokens', 'revoke', id, '--database', url);
    assert.equal(again.code, 1);
    assert.match(again.err, /no active token/u);
  });

  it('refuses unknown scopes, no scopes, bad lifetimes and missing ids, creating nothing', async () => {
    const before = (await run('tokens', 'list', '--database', url)).out;
    const unknown = await run('tokens', 'create', '--scopes', 'read:users root:everything', '--database', url);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /Unknown scope "root:everything"/u);
    const none = await run('tokens', 'create', '--database', url);
    assert.equal(none.code, 1);
    assert.match(none.err, /--scopes is required/u);
    const empty = await run('tokens', 'create', '--scopes', ' ', '--database', url);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /at least one scope/u);
    for (const bad of ['30', '1w', '-1d', 'soon']) {
      const r = await run('tokens', 'create', '--scopes', 'read:users', `--expires-in=${bad}`, '--database', url);
      assert.equal(r.code, 1, bad);
      assert.match(r.err, /--expires-in must look like/u);
    }
    assert.equal((await run('tokens', 'revoke', '--database', url)).code, 1);
    assert.equal((await run('tokens', 'frob')).code, 1);
    assert.equal((await run('tokens', 'list', '--database', url)).out, before);
  });
});
