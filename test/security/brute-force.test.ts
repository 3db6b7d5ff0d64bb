import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { identity, type IdentityOptions } from '@gatehouse/express';
import { createVerifiedUser } from '../support/accounts.js';
import { MailCatcher } from '../support/mail-catcher.js';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const DB = 'Username-Password-Authentication';
const WRONG = 'not the right password';
const NEW_PASSWORD = 'a brand new passphrase';

/** A documentation-range IPv4 address no other test of this run uses. */
let ipSeq = randomInt(1 << 20);
function newIp(): string {
  ipSeq += 1;
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

/** Header names of a response, without those that differ per request. */
const headerNames = (r: { headers: Record<string, unknown> }) =>
  Object.keys(r.headers).filter((h) => !['date', 'set-cookie', 'etag', 'content-length'].includes(h)).sort();

/**
 * Brute-force protection through HTTP (SECURITY.md "Passwords"): failures per identifier + IP
 * block that IP for that identifier (Auth0's 10), failures per identifier across IPs and per IP
 * across identifiers throttle, signups and account emails are capped; blocks are in the database
 * and end by the unblock link, a reset, or expiry. The client IP comes from X-Forwarded-For only
 * through a trusted proxy (loopback here).
 */
describe('security: brute-force protection and rate limits', function () {
  const options: IdentityOptions = {
    trustProxy: 'loopback',
    rateLimits: {
      failuresPerIdentifierAndIp: { points: 10, durationSec: 3600, blockSec: 3600 },
      failuresPerIdentifier: { points: 50, durationSec: 3600 },
      failuresPerIp: { points: 20, durationSec: 3600 },
      signupsPerIp: { points: 3, durationSec: 3600 },
      emailsPerIdentifier: { points: 2, durationSec: 3600 },
      emailsPerIp: { points: 4, durationSec: 3600 },
    },
  };
  let t: TestApp;
  before(async () => {
    t = await startTestApp(options);
  });
  after(async () => t.close());

  async function login(app: TestApp, identifier: string, password: string, xff?: string) {
    const agent = browser(app.app);
    const req = agent.post('/auth/login').set('Accept', 'application/json');
    if (xff !== undefined) req.set('X-Forwarded-For', xff);
    return req.send({ _csrf: await agent.csrf(), username: identifier, password });
  }

  /** Ten wrong passwords from `ip`, each answered 401. */
  async function tenFailures(app: TestApp, identifier: string, ip: string) {
    for (let i = 1; i <= 10; i++) {
      const res = await login(app, identifier, WRONG, ip);
      assert.equal(res.status, 401, `attempt ${i}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.errorCode, 'invalid_credentials');
    }
  }

  const blocksOf = (app: TestApp, filter: { userId?: string; identifier?: string }) => app.storage.listLoginBlocks(filter, new Date());

  async function post(path: string, body: Record<string, unknown>, ip: string) {
    const agent = browser(t.app);
    return agent.post(path).set('Accept', 'application/json').set('X-Forwarded-For', ip).send({ _csrf: await agent.csrf(), ...body });
  }

  it('does not count an attempt that ended in neither a wrong password nor a success', async () => {
    const user = await createVerifiedUser(t);
    const ip = newIp();
    // Nine wrong passwords, then ten attempts without a password (400, no password checked):
    // the pair is still one failure short of its block.
    for (let i = 0; i < 9; i++) assert.equal((await login(t, user.email!, WRONG, ip)).status, 401);
    for (let i = 0; i < 10; i++) assert.equal((await login(t, user.email!, '', ip)).status, 400);
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, ip)).status, 200);
  });

  it('answers attempts 1-10 from one IP with 401 and the 11th with 429, then refuses the right password too', async () => {
    const user = await createVerifiedUser(t);
    const ip = newIp();
    await tenFailures(t, user.email!, ip);

    const eleventh = await login(t, user.email!, WRONG, ip);
    assert.equal(eleventh.status, 429);
    assert.equal(eleventh.body.errorCode, 'too_many_attempts');
    const retryAfter = Number(eleventh.headers['retry-after']);
    assert.ok(retryAfter > 3500 && retryAfter <= 3600, `Retry-After ${retryAfter} is the block's remaining life`);
    const right = await login(t, user.email!, STRONG_PASSWORD, ip);
    assert.equal(right.status, 429, 'the right password does not get through a block');
    assert.equal(right.body.errorCode, 'too_many_attempts');

    const blocks = await blocksOf(t, { userId: user.user_id });
    assert.equal(blocks.length, 1);
    assert.deepEqual({ ...blocks[0], id: undefined, created_at: undefined, expires_at: undefined }, {
      id: undefined, identifier: user.email, ip, connection: DB, user_id: user.user_id, created_at: undefined, expires_at: undefined,
    });
    const { logs } = await t.storage.listUserLogs(user.user_id, 0, 50);
    assert.ok(logs.some((l) => l.type === 'limit_wc' && l.ip === ip), 'the block is in the audit log');

    // Only that IP is blocked: the owner elsewhere signs in (and the user is told by email).
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, newIp())).status, 200);
    const mail = await t.mail.waitFor(user.email!, /blocked/u);
    assert.ok(mail.text.includes(ip));
    assert.equal(MailCatcher.link(mail).pathname, '/auth/unblock');
  });

  it('counts an unknown user exactly like a known one: same answers, same headers, a block without a user', async () => {
    const known = await createVerifiedUser(t);
    const ghost = uniqueEmail('ghost');
    const [ipKnown, ipGhost] = [newIp(), newIp()];
    await tenFailures(t, known.email!, ipKnown);
    await tenFailures(t, ghost, ipGhost);
    const a = await login(t, known.email!, WRONG, ipKnown);
    const b = await login(t, ghost, WRONG, ipGhost);
    assert.equal(a.status, 429);
    assert.deepEqual(a.body, b.body);
    assert.deepEqual(headerNames(a), headerNames(b));
    const [ghostBlock] = await blocksOf(t, { identifier: ghost });
    assert.equal(ghostBlock?.user_id, null);
    assert.equal(ghostBlock?.ip, ipGhost);
  });

  it('lifts the block with the emailed one-time unblock link', async () => {
    const user = await createVerifiedUser(t);
    const ip = newIp();
    await tenFailures(t, user.email!, ip);
    const link = MailCatcher.link(await t.mail.waitFor(user.email!, /blocked/u));
    const token = link.searchParams.get('token')!;
    assert.ok(token.length >= 43, 'a 256-bit token');
    // A mail scanner following the link changes nothing: the GET only shows a button.
    await browser(t.app).get(link.pathname + link.search).expect(200);
    assert.equal((await blocksOf(t, { userId: user.user_id })).length, 1);

    assert.equal((await post('/auth/unblock', { token }, newIp())).status, 200);
    assert.deepEqual(await blocksOf(t, { userId: user.user_id }), []);
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, ip)).status, 200);
    const again = await post('/auth/unblock', { token }, newIp());
    assert.equal(again.status, 400);
    assert.equal(again.body.errorCode, 'invalid_token');
    const { logs } = await t.storage.listUserLogs(user.user_id, 0, 50);
    assert.ok(logs.some((l) => l.type === 'ublkdu'), 'the unblock is in the audit log');
  });

  async function resetPassword(email: string) {
    const ip = newIp();
    assert.equal((await post('/auth/password/forgot', { email }, ip)).status, 200);
    const token = MailCatcher.link(await t.mail.waitFor(email, /Reset your/u)).searchParams.get('token')!;
    const res = await post('/auth/password/reset', { token, password: NEW_PASSWORD }, ip);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  it('lifts the block when the user resets the password', async () => {
    const user = await createVerifiedUser(t);
    const ip = newIp();
    await tenFailures(t, user.email!, ip);
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, ip)).status, 429);
    await resetPassword(user.email!);
    assert.deepEqual(await blocksOf(t, { userId: user.user_id }), []);
    assert.equal((await login(t, user.email!, NEW_PASSWORD, ip)).status, 200);
  });

  it('throttles 100 failures on one account spread over 50 IPs before the 100th, the right password too, until a reset', async () => {
    const user = await createVerifiedUser(t);
    const ips = Array.from({ length: 50 }, newIp);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await login(t, user.email!, WRONG, ips[i % 50])).status);
    const firstThrottled = statuses.indexOf(429);
    assert.ok(firstThrottled >= 0 && firstThrottled < 99, `throttled at attempt ${firstThrottled + 1}`);
    assert.equal(firstThrottled, 50, 'the 51st failure is refused');
    assert.ok(statuses.slice(0, firstThrottled).every((s) => s === 401));
    assert.ok(statuses.slice(firstThrottled).every((s) => s === 429), 'and every one after it');

    const right = await login(t, user.email!, STRONG_PASSWORD, newIp());
    assert.equal(right.status, 429);
    assert.equal(right.body.errorCode, 'too_many_requests');
    assert.ok(Number(right.headers['retry-after']) >= 1);
    // No IP reached 10 failures: nothing is blocked, the account is throttled.
    assert.deepEqual(await blocksOf(t, { userId: user.user_id }), []);

    // The victim is not locked out: a reset lets them straight back in.
    await resetPassword(user.email!);
    assert.equal((await login(t, user.email!, NEW_PASSWORD, newIp())).status, 200);
  });

  it('throttles an IP that fails across many accounts (suspicious IP), even for a right password', async () => {
    const ip = newIp();
    for (let i = 0; i < 20; i++) assert.equal((await login(t, uniqueEmail('spray'), WRONG, ip)).status, 401);
    const user = await createVerifiedUser(t);
    const res = await login(t, user.email!, STRONG_PASSWORD, ip);
    assert.equal(res.status, 429);
    assert.equal(res.body.errorCode, 'too_many_requests');
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, newIp())).status, 200, 'other IPs are not affected');
  });

  it('ends a run of failures at a successful login', async () => {
    const user = await createVerifiedUser(t);
    const ip = newIp();
    for (let i = 0; i < 9; i++) assert.equal((await login(t, user.email!, WRONG, ip)).status, 401);
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, ip)).status, 200);
    await tenFailures(t, user.email!, ip);
    assert.equal((await login(t, user.email!, WRONG, ip)).status, 429);
  });

  it('counts the IP a trusted proxy saw, never a spoofed X-Forwarded-For entry', async () => {
    const user = await createVerifiedUser(t);
    const real = newIp();
    // The client writes whatever it likes on the left; the loopback proxy appends the real peer.
    for (let i = 1; i <= 10; i++) {
      assert.equal((await login(t, user.email!, WRONG, `${newIp()}, ${real}`)).status, 401, `attempt ${i}`);
    }
    assert.equal((await login(t, user.email!, STRONG_PASSWORD, `${newIp()}, ${real}`)).status, 429);
    assert.deepEqual((await blocksOf(t, { userId: user.user_id })).map((b) => b.ip), [real]);
  });

  it('ignores X-Forwarded-For entirely when no proxy is trusted', async () => {
    const direct = await startTestApp({ rateLimits: options.rateLimits });
    try {
      const user = await createVerifiedUser(direct);
      for (let i = 1; i <= 10; i++) assert.equal((await login(direct, user.email!, WRONG, newIp())).status, 401);
      const res = await login(direct, user.email!, STRONG_PASSWORD, newIp());
      assert.equal(res.status, 429, 'a new X-Forwarded-For each time does not make a new client');
      const blocks = await blocksOf(direct, { userId: user.user_id });
      assert.equal(blocks.length, 1);
      assert.match(blocks[0]!.ip, /^(::ffff:)?127\.0\.0\.1$|^::1$/u);
    } finally {
      await direct.close();
    }
  });

  it('lets a block expire on its own', async () => {
    const short = await startTestApp({ trustProxy: 'loopback', rateLimits: { failuresPerIdentifierAndIp: { points: 10, durationSec: 3600, blockSec: 1 } } });
    try {
      const user = await createVerifiedUser(short);
      const ip = newIp();
      await tenFailures(short, user.email!, ip);
      const blocked = await login(short, user.email!, STRONG_PASSWORD, ip);
      assert.equal(blocked.status, 429);
      const [block] = await blocksOf(short, { userId: user.user_id });
      // Wait out the one-second block (no timing is asserted, only the state after it).
      await new Promise((r) => setTimeout(r, Math.max(0, block!.expires_at.getTime() - Date.now()) + 50));
      assert.equal((await login(short, user.email!, STRONG_PASSWORD, ip)).status, 200);
      assert.deepEqual(await blocksOf(short, { userId: user.user_id }), []);
    } finally {
      await short.close();
    }
  });

  it('caps signups per IP with 429, creating nothing', async () => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) assert.equal((await post('/auth/signup', { email: uniqueEmail('cap'), password: STRONG_PASSWORD }, ip)).status, 201);
    const email = uniqueEmail('cap');
    const res = await post('/auth/signup', { email, password: STRONG_PASSWORD }, ip);
    assert.equal(res.status, 429);
    assert.equal(res.body.errorCode, 'too_many_requests');
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.equal(await t.storage.findUserByEmail(DB, email), null);
    assert.equal((await post('/auth/signup', { email, password: STRONG_PASSWORD }, newIp())).status, 201);
  });

  it('caps reset emails per address, known or not, and per IP', async () => {
    const user = await createVerifiedUser(t);
    for (const email of [user.email!, uniqueEmail('nobody')]) {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post('/auth/password/forgot', { email }, newIp())).status);
      assert.deepEqual(statuses, [200, 200, 429], email);
    }
    const ip = newIp();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/auth/password/forgot', { email: uniqueEmail('many') }, ip)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
  });

  it('refuses limits that cannot work at start-up, with a TypeError naming the option', () => {
    const bad: Array<[IdentityOptions['rateLimits'], RegExp]> = [
      [{ failuresPerIdentifierAndIp: { points: 101 } }, /rateLimits\.failuresPerIdentifierAndIp\.points must be an integer from 1 to 100/u],
      [{ failuresPerIp: { durationSec: 0 } }, /rateLimits\.failuresPerIp\.durationSec/u],
      [{ signupsPerIp: { points: 1.5 } }, /rateLimits\.signupsPerIp\.points/u],
      [{ store: 'redis' as never }, /rateLimits\.store/u],
      [{ failuresPerUser: {} } as never, /rateLimits\.failuresPerUser is not a known limit/u],
    ];
    for (const [rateLimits, message] of bad) {
      assert.throws(() => identity({ database: t.storage, secret: 'x'.repeat(32), baseUrl: 'http://127.0.0.1', rateLimits }), (err: Error) => err instanceof TypeError && message.test(err.message));
    }
  });

  it('caps verification emails a pending user asks for', async () => {
    const user = await t.auth.gatehouse.users.createUser({ email: uniqueEmail('pending'), password: STRONG_PASSWORD });
    const agent = browser(t.app);
    const ip = newIp();
    const res = await agent.post('/auth/login').set('Accept', 'application/json').set('X-Forwarded-For', ip)
      .send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD });
    assert.equal(res.body.errorCode, 'email_not_verified');
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await agent.post('/auth/verify-email/resend').set('Accept', 'application/json').set('X-Forwarded-For', ip).send({ _csrf: await agent.csrf() })).status);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });
});
