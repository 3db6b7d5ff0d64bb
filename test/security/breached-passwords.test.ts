import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { User } from '@gatehouse/core';
import { identity } from '@gatehouse/express';
import { createVerifiedUser } from '../support/accounts.js';
import { MailCatcher } from '../support/mail-catcher.js';
import { browser, startTestApp, uniqueEmail, type TestApp } from '../support/test-app.js';

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

/**
 * A local server speaking Have I Been Pwned's range API: `GET /range/<5 hex>` answers
 * `SUFFIX:COUNT` lines for the breached passwords under that prefix, plus padding lines with a
 * count of 0 when asked (`Add-Padding: true`). `hang` makes it never answer.
 */
class RangeApi {
  readonly breached = new Map<string, number>();
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  hang = false;
  private server: Server = createServer((req, res) => {
    this.requests.push({ url: req.url ?? '', headers: req.headers });
    if (this.hang) return;
    const prefix = /^\/range\/([0-9A-F]{5})$/u.exec(req.url ?? '')?.[1];
    if (!prefix) return void res.writeHead(400).end();
    const lines = [...this.breached].filter(([hash]) => hash.startsWith(prefix)).map(([hash, count]) => `${hash.slice(5)}:${count}`);
    if (req.headers['add-padding'] === 'true') for (let i = 0; i < 5; i++) lines.push(`${sha1(`padding${i}`).slice(5)}:0`);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(lines.join('\r\n'));
  });

  add(password: string, count = 42): void {
    this.breached.set(sha1(password), count);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/range/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('security: breached passwords', function () {
  let range: RangeApi;
  let url: string;
  let t: TestApp;

  before(async () => {
    range = new RangeApi();
    url = await range.start();
    t = await startTestApp({ breachedPasswords: { hibp: { url, timeoutMs: 2000 } } });
  });
  after(async () => {
    await t.close();
    await range.stop();
  });

  const signup = async (password: string, email = uniqueEmail('breach')) => {
    const agent = browser(t.app);
    return agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email, password });
  };
  const login = async (email: string, password: string) => {
    const agent = browser(t.app);
    return agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username: email, password });
  };
  const logTypes = async (userId: string) => (await t.storage.listUserLogs(userId, 0, 50)).logs.map((l) => l.type);

  it('refuses at signup a password the range API knows, sending only a 5-character prefix with Add-Padding', async () => {
    const password = 'tr0ub4dor and 3 more words';
    range.add(password);
    const before = range.requests.length;
    const email = uniqueEmail('hibp');
    const res = await signup(password, email);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.errorCode, 'password_too_weak');
    assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['breached']);
    assert.equal(await t.storage.findUserByEmail('Username-Password-Authentication', email), null);
    const sent = range.requests.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.url, `/range/${sha1(password).slice(0, 5)}`);
    assert.equal(sent[0]!.headers['add-padding'], 'true');
    assert.ok(!JSON.stringify(sent).includes(sha1(password).slice(5)), 'the rest of the hash never leaves');
    const { logs } = await t.storage.listLogs({ types: ['signup_pwd_leak'], sort: -1, page: 0, perPage: 5, includeTotals: false });
    assert.ok(logs.some((l) => l.details.source === 'hibp'));
  });

  it('accepts a password the range API does not know, and ignores padding lines (count 0)', async () => {
    range.breached.set(sha1('padding0'), 0);
    assert.equal((await signup('an unknown and long passphrase')).status, 201);
  });

  it('refuses the offline list at signup without asking the network', async () => {
    const before = range.requests.length;
    const res = await signup('qwertyuiop123');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['dictionary']);
    assert.equal(range.requests.length, before);
  });

  describe('at login', () => {
    let user: User;
    const password = 'once a perfectly good phrase';

    before(async () => {
      user = await createVerifiedUser(t, password);
      range.add(password, 3);
    });

    it('blocks the login (401 password_leaked), flags the user for admins, logs pwd_leak and emails a reset link', async () => {
      const agent = browser(t.app);
      const res = await agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username: user.email, password });
      assert.equal(res.status, 401);
      assert.equal(res.body.errorCode, 'password_leaked');
      await agent.get('/private').expect(401);
      const stored = (await t.storage.getUser(user.user_id))!;
      const flag = stored.app_metadata.breached_password as { detected_at: string; source: string };
      assert.equal(flag.source, 'hibp');
      assert.match(flag.detected_at, /^\d{4}-\d\d-\d\dT.*Z$/u);
      assert.ok((await logTypes(user.user_id)).includes('pwd_leak'));
      const mail = await t.mail.waitFor(user.email!, /new .* password/iu);
      assert.match(MailCatcher.link(mail).pathname, /\/auth\/password\/reset$/u);
    });

    it('keeps refusing the flagged user even when the range API is down, and a wrong password stays invalid_credentials', async () => {
      range.hang = true;
      try {
        assert.equal((await login(user.email!, password)).body.errorCode, 'password_leaked');
      } finally {
        range.hang = false;
      }
      assert.equal((await login(user.email!, 'not the password at all')).body.errorCode, 'invalid_credentials');
    });

    it('shows the flag to admins through the management API, and is searchable', async () => {
      const { api, mintToken } = await import('../support/management.js');
      const client = api(t, await mintToken(t, ['read:users']));
      const res = await client.get(`/users/${encodeURIComponent(user.user_id)}`).expect(200);
      assert.equal(res.body.app_metadata.breached_password.source, 'hibp');
      const found = await client.get(`/users?q=${encodeURIComponent(`_exists_:app_metadata.breached_password AND user_id:"${user.user_id}"`)}&search_engine=v3`).expect(200);
      assert.equal(found.body.length, 1);
    });

    it('a reset through the emailed link clears the flag; the new password logs in', async () => {
      const mail = await t.mail.waitFor(user.email!, /new .* password/iu);
      const link = MailCatcher.link(mail);
      const agent = browser(t.app);
      await agent.get(`${link.pathname}${link.search}`).expect(200);
      await agent.post('/auth/password/reset').type('form').send({ _csrf: await agent.csrf(), token: link.searchParams.get('token'), password: 'a brand new clean phrase' }).expect(200);
      assert.equal((await t.storage.getUser(user.user_id))!.app_metadata.breached_password, undefined);
      assert.equal((await login(user.email!, 'a brand new clean phrase')).status, 200);
    });

    it('refuses at reset a password the range API knows (reset_pwd_leak), keeping the link usable', async () => {
      const other = await createVerifiedUser(t);
      const token = await t.auth.gatehouse.users.issueToken(other.user_id, 'reset_password', 60_000, { email: other.email });
      range.add('leaked reset phrase 2024');
      const agent = browser(t.app);
      const res = await agent.post('/auth/password/reset').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), token, password: 'leaked reset phrase 2024' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.rules.map((r: { code: string }) => r.code), ['breached']);
      assert.ok((await logTypes(other.user_id)).includes('reset_pwd_leak'));
      await agent.post('/auth/password/reset').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), token, password: 'clean reset phrase 2024' }).expect(200);
    });

    it('blocks a user whose password is on the offline list (e.g. set before the list, or imported)', async () => {
      const hasher = t.auth.gatehouse.users.hasher;
      const victim = await createVerifiedUser(t);
      await t.storage.setPasswordHash(victim.user_id, await hasher.hash('qwertyuiop123'));
      const res = await login(victim.email!, 'qwertyuiop123');
      assert.equal(res.body.errorCode, 'password_leaked');
      assert.equal(((await t.storage.getUser(victim.user_id))!.app_metadata.breached_password as { source: string }).source, 'offline');
    });
  });

  describe('when the range API times out', () => {
    const quiet = { info() {}, warn() {}, error() {} };

    it('fails open by default: the password is accepted', async () => {
      range.hang = true;
      try {
        const router = identity({ database: t.storage, breachedPasswords: { hibp: { url, timeoutMs: 100 } }, logger: quiet, secret: 'x'.repeat(32), baseUrl: 'http://127.0.0.1', mail: { transport: t.mail.url }, session: { sweepIntervalMs: 0 } });
        await router.ready;
        const created = await router.gatehouse.users.createUser({ email: uniqueEmail('open'), password: 'hanging api phrase 1' });
        assert.ok(created.user_id);
        await router.close();
      } finally {
        range.hang = false;
      }
    });

    it('fails closed when asked: 503 breach_check_unavailable, nothing stored', async () => {
      range.hang = true;
      try {
        const router = identity({ database: t.storage, breachedPasswords: { hibp: { url, timeoutMs: 100, failClosed: true } }, logger: quiet, secret: 'x'.repeat(32), baseUrl: 'http://127.0.0.1', mail: { transport: t.mail.url }, session: { sweepIntervalMs: 0 } });
        await router.ready;
        const email = uniqueEmail('closed');
        await assert.rejects(router.gatehouse.users.createUser({ email, password: 'hanging api phrase 2' }), { code: 'breach_check_unavailable', status: 503 });
        assert.equal(await t.storage.findUserByEmail('Username-Password-Authentication', email), null);
        await router.close();
      } finally {
        range.hang = false;
      }
    });

    it('refuses bad options at construction', () => {
      for (const breachedPasswords of [{ hibp: { url: 'ftp://x' } }, { hibp: { timeoutMs: 0 } }, { offline: 'yes' }]) {
        assert.throws(() => identity({ breachedPasswords: breachedPasswords as never, logger: quiet }), TypeError);
      }
    });
  });
});
