import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { emailCode, emailLink, smsCode, twilioSmsSender } from '@gatehouse/connection-passwordless';
import { addressUserId } from '@gatehouse/connection-passwordless';
import type { CaughtMail } from '../support/mail-catcher.js';
import { MailCatcher } from '../support/mail-catcher.js';
import { browser, startTestApp, uniqueEmail, type TestApp } from '../support/test-app.js';
import { FakeTwilio, type ReceivedSms } from '../support/twilio-server.js';

/*
 * Passwordless sign-in through HTTP against a real SMTP server (smtp-server, what nodemailer sends)
 * and a local server speaking Twilio's Messages API, on the test database: every Passwordless case
 * of SECURITY.md. Each test has its own client IP (X-Forwarded-For from a trusted loopback proxy)
 * and its own addresses, so the send caps of one test never reach another.
 */

const SID = 'ACtest0123456789';
const TOKEN = 'twilio-auth-token';
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const codeOf = (text: string) => {
  const match = /^(\d{6,10})$/mu.exec(text);
  if (!match) throw new Error(`no code in: ${text}`);
  return match[1]!;
};

let ipCounter = 0;
/** A client IP no other test uses. */
const newIp = () => `10.${randomBytes(1)[0]}.${(ipCounter += 1) % 250}.${randomBytes(1)[0]! % 250 + 1}`;

/** Waits (up to 5 s) until `list` holds `n` items matching, and returns the n-th. */
async function nth<T>(list: T[], match: (item: T) => boolean, n: number): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = list.filter(match);
    if (found.length >= n) return found[n - 1]!;
    if (Date.now() > deadline) throw new Error(`only ${found.length} of ${n} messages arrived`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('security: passwordless (email code, email link, SMS code)', function () {
  let t: TestApp;
  let twilio: FakeTwilio;
  const errors: unknown[][] = [];

  before(async () => {
    twilio = await new FakeTwilio(SID, TOKEN).start();
    t = await startTestApp({
      trustProxy: 'loopback',
      logger: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => void errors.push(args) },
      connections: [
        emailCode({ name: 'email-code', appName: 'Test App' }),
        emailLink({ name: 'email-link' }),
        smsCode({ name: 'sms', sender: twilioSmsSender({ accountSid: SID, authToken: TOKEN, from: '+15005550006', baseUrl: twilio.url }) }),
        emailCode({ name: 'members', signup: false }),
        emailCode({ name: 'capped', sendLimits: { perIp: { points: 3 }, perDestination: { points: 3 } } }),
      ],
    });
  });
  after(async () => {
    await t?.close();
    await twilio?.stop();
  });

  const mailsTo = (to: string, n: number): Promise<CaughtMail> => nth(t.mail.messages, (m) => m.to.includes(to.toLowerCase()), n);
  const smsTo = (to: string, n: number): Promise<ReceivedSms> => nth(twilio.messages, (m) => m.to === to, n);

  /** A browser that asks for a code or link for `address` from `ip`. */
  async function ask(connection: string, address: string, ip: string, agent = browser(t.app), field = 'email') {
    const res = await agent.post(`/auth/${connection}`).set('x-forwarded-for', ip).type('form').send({ _csrf: await agent.csrf(), [field]: address });
    return { agent, res };
  }

  /** Types a code in `agent`'s session (JSON), expecting `status`. */
  async function typeCode(agent: ReturnType<typeof browser>, connection: string, code: string, ip: string, status: number, extra: Record<string, string> = {}) {
    return agent.post(`/auth/${connection}/verify`).set('x-forwarded-for', ip).set('accept', 'application/json')
      .send({ _csrf: await agent.csrf(), code, ...extra }).expect(status);
  }

  describe('email code', () => {
    it('signs a new user up with a verified email, then signs the same user in again', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-code');
      const start = await browser(t.app).get('/auth/email-code').expect(200);
      assert.match(start.text, /<form method="post" action="\/auth\/email-code"/u);
      assert.match(start.text, /name="email" type="email"/u);

      const { agent, res } = await ask('email-code', email, ip);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/auth/email-code/verify');
      const page = await agent.get('/auth/email-code/verify').expect(200);
      assert.match(page.text, new RegExp(email.replace(/[.+]/gu, '\\$&'), 'u'));
      assert.match(page.text, /autocomplete="one-time-code"/u);

      const mail = await mailsTo(email, 1);
      assert.match(mail.subject, /sign-in code for Test App/u);
      const code = codeOf(mail.text);
      assert.match(code, /^\d{6}$/u);
      const done = await agent.post('/auth/email-code/verify').set('x-forwarded-for', ip).type('form').send({ _csrf: await agent.csrf(), code }).expect(303);
      assert.equal(done.headers.location, '/');
      const userId = `email|${addressUserId('email', email)}`;
      await agent.get('/private').expect(200, { user_id: userId });
      const user = (await t.storage.getUser(userId))!;
      assert.equal(user.email, email);
      assert.equal(user.email_verified, true);
      assert.deepEqual(user.identities, [{ connection: 'email-code', provider: 'email', user_id: addressUserId('email', email), isSocial: false }]);

      const again = await ask('email-code', email, ip);
      const second = codeOf((await mailsTo(email, 2)).text);
      await typeCode(again.agent, 'email-code', second, ip, 200);
      assert.equal((await t.storage.getUser(userId))!.logins_count, 2);
      assert.deepEqual((await t.storage.listUsersByEmail(email)).map((u) => u.user_id), [userId]);
    });

    it('stores only an HMAC of the code, bound to the session, living 5 minutes by default', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-hash');
      await ask('email-code', email, ip);
      const code = codeOf((await mailsTo(email, 1)).text);
      const record = (await t.storage.findPasswordlessCode('email-code', email, new Date()))!;
      assert.equal(record.kind, 'code');
      assert.match(record.hash, /^[0-9a-f]{64}$/u);
      assert.notEqual(record.hash, sha256(code), 'not a plain SHA-256 of a low-entropy code');
      assert.match(record.session_hash!, /^[0-9a-f]{64}$/u);
      assert.equal(record.expires_at.getTime() - record.created_at.getTime(), 5 * 60_000);
    });

    it('is single use: of two concurrent submissions of the right code exactly one signs in', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-once');
      const { agent } = await ask('email-code', email, ip);
      const code = codeOf((await mailsTo(email, 1)).text);
      const csrf = await agent.csrf();
      const results = await Promise.all(
        [1, 2].map(() => agent.post('/auth/email-code/verify').set('x-forwarded-for', ip).set('accept', 'application/json').send({ _csrf: csrf, code })),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
      assert.equal(results.find((r) => r.status === 401)!.body.errorCode, 'invalid_code');
      assert.equal(await t.storage.findPasswordlessCode('email-code', email, new Date()), null);
    });

    it('is bound to the browser session that asked: the right code from another session fails and counts as a wrong try', async () => {
      const ip = newIp();
      const victim = uniqueEmail('pwl-victim');
      const { agent } = await ask('email-code', victim, ip);
      const code = codeOf((await mailsTo(victim, 1)).text);

      // A session that never asked for a code.
      const stranger = browser(t.app);
      const none = await typeCode(stranger, 'email-code', code, ip, 401, { email: victim });
      assert.equal(none.body.errorCode, 'invalid_code');
      await stranger.get('/private').expect(401);

      // A session that asked for a code of its own, naming the victim's address.
      const attacker = (await ask('email-code', uniqueEmail('pwl-attacker'), ip)).agent;
      const res = await typeCode(attacker, 'email-code', code, ip, 401, { email: victim });
      assert.equal(res.body.errorCode, 'invalid_code');
      await attacker.get('/private').expect(401);
      assert.equal((await t.storage.findPasswordlessCode('email-code', victim, new Date()))!.attempts, 1);
      assert.equal((await t.storage.listUsersByEmail(victim)).length, 0);

      await typeCode(agent, 'email-code', code, ip, 200);
    });

    it('dies after 5 wrong tries: the right code fails then, and a new code works', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-dead');
      const { agent } = await ask('email-code', email, ip);
      const code = codeOf((await mailsTo(email, 1)).text);
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 5; i += 1) {
        const res = await typeCode(agent, 'email-code', wrong, ip, 401);
        assert.equal(res.body.errorCode, 'invalid_code');
      }
      await typeCode(agent, 'email-code', code, ip, 401);
      await agent.get('/private').expect(401);

      await ask('email-code', email, ip, agent);
      const fresh = codeOf((await mailsTo(email, 2)).text);
      await typeCode(agent, 'email-code', fresh, ip, 200);
    });

    it('shows a browser the code page again with the error after a wrong code', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-page');
      const { agent } = await ask('email-code', email, ip);
      await mailsTo(email, 1);
      const res = await agent.post('/auth/email-code/verify').set('x-forwarded-for', ip).type('form').send({ _csrf: await agent.csrf(), code: '000000x' }).expect(401);
      assert.match(res.text, /The code is wrong or has expired/u);
      assert.match(res.text, /Send a new code/u);
    });

    it('a resend replaces the old code: only the newest works', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-resend');
      const { agent } = await ask('email-code', email, ip);
      const first = codeOf((await mailsTo(email, 1)).text);
      await ask('email-code', email, ip, agent);
      const second = codeOf((await mailsTo(email, 2)).text);
      if (first !== second) await typeCode(agent, 'email-code', first, ip, 401);
      await typeCode(agent, 'email-code', second, ip, 200);
    });

    it('refuses an expired code', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-expired');
      const { agent } = await ask('email-code', email, ip);
      const code = codeOf((await mailsTo(email, 1)).text);
      const record = (await t.storage.findPasswordlessCode('email-code', email, new Date()))!;
      // The same code, past its lifetime (no clock to move: the record's expiry is set back).
      await t.storage.putPasswordlessCode({ ...record, created_at: new Date(Date.now() - 10 * 60_000), expires_at: new Date(Date.now() - 1000) });
      const res = await typeCode(agent, 'email-code', code, ip, 401);
      assert.equal(res.body.errorCode, 'invalid_code');
    });

    it('needs the CSRF token to start or verify', async () => {
      const agent = browser(t.app);
      await agent.get('/auth/email-code').expect(200);
      const start = await agent.post('/auth/email-code').set('accept', 'application/json').send({ email: uniqueEmail('pwl-csrf') }).expect(403);
      assert.equal(start.body.errorCode, 'invalid_csrf_token');
      await agent.post('/auth/email-code/verify').set('accept', 'application/json').send({ code: '123456' }).expect(403);
    });
  });

  describe('addresses', () => {
    const bad = [
      'victim@example.com\r\nBcc: attacker@example.com',
      'victim@example.com\nBcc: attacker@example.com',
      'victim@example.com\r',
      'victim@example.com\u0085',
      'victim@example.com\u2028x',
      'victim@example.com, attacker@example.com',
      'victim@example.com;attacker@example.com',
      '<attacker@example.com>',
      'a'.repeat(400) + '@example.com',
    ];
    for (const address of bad) {
      it(`refuses ${JSON.stringify(address.slice(0, 60))} with 400 and sends nothing`, async () => {
        const agent = browser(t.app);
        const res = await agent.post('/auth/email-code').set('x-forwarded-for', newIp()).set('accept', 'application/json')
          .send({ _csrf: await agent.csrf(), email: address }).expect(400);
        assert.equal(res.body.errorCode, 'invalid_body');
        assert.equal(res.body.field, 'email');
        assert.equal(await t.storage.findPasswordlessCode('email-code', 'victim@example.com', new Date()), null);
        assert.ok(!t.mail.messages.some((m) => m.to.includes('attacker@example.com')));
      });
    }

    it('refuses CR/LF in a phone number, and a non-string address, with 400', async () => {
      const agent = browser(t.app);
      for (const phone of ['+1415555\r\n0123', ['+14155550123'], '0123456789']) {
        const res = await agent.post('/auth/sms').set('x-forwarded-for', newIp()).set('accept', 'application/json')
          .send({ _csrf: await agent.csrf(), phone_number: phone }).expect(400);
        assert.equal(res.body.field, 'phone_number');
      }
    });

    it('shows a browser the address page again with the error', async () => {
      const agent = browser(t.app);
      const res = await agent.post('/auth/email-code').set('x-forwarded-for', newIp()).type('form')
        .send({ _csrf: await agent.csrf(), email: 'nobody@example.com\r\nBcc: x@example.com' }).expect(400);
      assert.match(res.text, /must not contain control characters/u);
      assert.match(res.text, /aria-invalid="true"/u);
    });
  });

  describe('send caps', () => {
    it('caps messages per address (5 an hour by default) with 429 and Retry-After, known or unknown alike', async () => {
      const email = uniqueEmail('pwl-cap');
      for (let i = 0; i < 5; i += 1) assert.equal((await ask('email-code', email, newIp())).res.status, 303, `send ${i + 1}`);
      const agent = browser(t.app);
      const res = await agent.post('/auth/email-code').set('x-forwarded-for', newIp()).set('accept', 'application/json')
        .send({ _csrf: await agent.csrf(), email }).expect(429);
      assert.equal(res.body.errorCode, 'too_many_requests');
      assert.ok(Number(res.headers['retry-after']) > 0);
      await mailsTo(email, 5);
    });

    it('caps messages per client IP', async () => {
      const ip = newIp();
      for (let i = 0; i < 3; i += 1) assert.equal((await ask('capped', uniqueEmail('pwl-ip'), ip)).res.status, 303);
      const { res } = await ask('capped', uniqueEmail('pwl-ip'), ip);
      assert.equal(res.status, 429);
      assert.equal((await ask('capped', uniqueEmail('pwl-ip'), newIp())).res.status, 303, 'another IP is not affected');
    });

    it('caps messages per destination: +tags of one mailbox share a count', async () => {
      const [local, domain] = uniqueEmail('pwl-dest').split('@');
      for (let i = 0; i < 3; i += 1) assert.equal((await ask('capped', `${local}+${i}@${domain}`, newIp())).res.status, 303);
      const { res } = await ask('capped', `${local}+x@${domain}`, newIp());
      assert.equal(res.status, 429);
      assert.match(res.text, /Too many requests/u);
    });
  });

  describe('known and unknown addresses (signup off)', () => {
    it('answers the same, sends only to the known address, and never creates a user', async () => {
      const known = uniqueEmail('pwl-known');
      const unknown = uniqueEmail('pwl-unknown');
      // A user of the email channel (the same identity on every email connection).
      const first = await ask('email-code', known, newIp());
      await typeCode(first.agent, 'email-code', codeOf((await mailsTo(known, 1)).text), newIp(), 200);

      const answer = async (email: string, json: boolean) => {
        const agent = browser(t.app);
        const req = agent.post('/auth/members').set('x-forwarded-for', newIp());
        const res = await (json ? req.set('accept', 'application/json') : req.type('form')).send({ _csrf: await agent.csrf(), email });
        const headers = Object.keys(res.headers).filter((h) => !['date', 'set-cookie', 'etag', 'content-length'].includes(h)).sort();
        return { status: res.status, body: res.body as unknown, text: res.text, headers, location: res.headers.location as string | undefined, agent };
      };
      for (const json of [true, false]) {
        const a = await answer(known, json);
        const b = await answer(unknown, json);
        assert.equal(a.status, b.status);
        assert.deepEqual(a.body, b.body);
        assert.equal(a.text, b.text);
        assert.deepEqual(a.headers, b.headers);
        assert.equal(a.location, b.location);
      }
      const code = codeOf((await mailsTo(known, 2)).text);
      assert.match(code, /^\d{6}$/u);
      // The unknown address's start is recorded as "nothing sent" once the background work ends.
      const deadline = Date.now() + 5000;
      for (;;) {
        const { logs } = await t.storage.listLogs({ types: ['cls'], sort: -1, page: 0, perPage: 50, includeTotals: false });
        if (logs.filter((l) => l.description.includes('nothing sent')).length >= 2) break;
        if (Date.now() > deadline) assert.fail('the unknown address was never processed');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(!t.mail.messages.some((m) => m.to.includes(unknown)));
      assert.equal(await t.storage.findPasswordlessCode('members', unknown, new Date()), null);
      assert.deepEqual(await t.storage.listUsersByEmail(unknown), []);
    });
  });

  describe('email link', () => {
    it('sends a 256-bit link stored hashed; GETs (mail scanners) do not use it; the POST from any browser signs in once', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-link');
      const { res } = await ask('email-link', email, ip);
      assert.equal(res.status, 200);
      assert.match(res.text, /Check your inbox/u);
      const link = MailCatcher.link(await mailsTo(email, 1));
      assert.equal(link.pathname, '/auth/email-link/link');
      const token = link.searchParams.get('token')!;
      assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 bits');
      const record = (await t.storage.findPasswordlessCode('email-link', email, new Date()))!;
      assert.equal(record.kind, 'link');
      assert.equal(record.hash, sha256(token));
      assert.ok(!JSON.stringify(record).includes(token));

      // A scanner fetches the link twice, without cookies.
      for (let i = 0; i < 2; i += 1) {
        const page = await browser(t.app).get(`${link.pathname}${link.search}`).expect(200);
        assert.match(page.text, /<form method="post" action="\/auth\/email-link\/link">/u);
        assert.doesNotMatch(page.text, /<script/u);
      }
      assert.ok(await t.storage.findPasswordlessCode('email-link', email, new Date()), 'still usable after GETs');

      // The person opens it on another device: a new browser.
      const phone = browser(t.app);
      const landing = await phone.get(`${link.pathname}${link.search}`).expect(200);
      assert.match(landing.text, new RegExp(`name="token" value="${token}"`, 'u'));
      const done = await phone.post('/auth/email-link/link').type('form').send({ _csrf: await phone.csrf(), token }).expect(303);
      assert.equal(done.headers.location, '/');
      const userId = `email|${addressUserId('email', email)}`;
      await phone.get('/private').expect(200, { user_id: userId });
      assert.equal((await t.storage.getUser(userId))!.email_verified, true);

      const replay = browser(t.app);
      const again = await replay.post('/auth/email-link/link').set('accept', 'application/json').send({ _csrf: await replay.csrf(), token }).expect(400);
      assert.equal(again.body.errorCode, 'invalid_token');
      await replay.get('/private').expect(401);
    });

    it('cannot be used through the CSRF-free callback route (login CSRF)', async () => {
      const email = uniqueEmail('pwl-callback');
      await ask('email-link', email, newIp());
      const token = MailCatcher.link(await mailsTo(email, 1)).searchParams.get('token')!;
      const victim = browser(t.app);
      await victim.post('/auth/callback/email-link').type('form').send({ token }).expect(404);
      await victim.get('/private').expect(401);
      assert.ok(await t.storage.findPasswordlessCode('email-link', email, new Date()), 'the link still works');
    });

    it('keeps returnTo through the link, and drops an open-redirect one', async () => {
      const email = uniqueEmail('pwl-return');
      const agent = browser(t.app);
      await agent.post('/auth/email-link').set('x-forwarded-for', newIp()).type('form').send({ _csrf: await agent.csrf(), email, returnTo: '/dashboard?tab=1' }).expect(200);
      const link = MailCatcher.link(await mailsTo(email, 1));
      assert.equal(link.searchParams.get('returnTo'), '/dashboard?tab=1');
      const landing = await agent.get(`${link.pathname}${link.search}`).expect(200);
      assert.match(landing.text, /name="returnTo" value="\/dashboard\?tab=1"/u);
      const done = await agent.post('/auth/email-link/link').type('form')
        .send({ _csrf: await agent.csrf(), token: link.searchParams.get('token'), returnTo: '//evil.example' }).expect(303);
      assert.equal(done.headers.location, '/');
    });

    it('a new link replaces the old one', async () => {
      const email = uniqueEmail('pwl-relink');
      await ask('email-link', email, newIp());
      const old = MailCatcher.link(await mailsTo(email, 1)).searchParams.get('token')!;
      await ask('email-link', email, newIp());
      const fresh = MailCatcher.link(await mailsTo(email, 2)).searchParams.get('token')!;
      const agent = browser(t.app);
      await agent.post('/auth/email-link/link').set('accept', 'application/json').send({ _csrf: await agent.csrf(), token: old }).expect(400);
      await agent.post('/auth/email-link/link').set('accept', 'application/json').send({ _csrf: await agent.csrf(), token: fresh }).expect(200);
    });

    it('shows a browser an error page for a used link', async () => {
      const agent = browser(t.app);
      const res = await agent.post('/auth/email-link/link').type('form').send({ _csrf: await agent.csrf(), token: randomBytes(32).toString('base64url') }).expect(400);
      assert.match(res.text, /This link is invalid or has expired/u);
      assert.match(res.text, /Get a new link/u);
    });
  });

  describe('SMS code (Twilio-compatible API)', () => {
    it('sends the code through the Twilio format and signs the number in', async () => {
      const ip = newIp();
      const number = `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      const typed = `${number.slice(0, 2)} ${number.slice(2, 5)} ${number.slice(5, 8)}-${number.slice(8)}`;
      const { agent, res } = await ask('sms', typed, ip, browser(t.app), 'phone_number');
      assert.equal(res.status, 303);
      const sms = await smsTo(number, 1);
      assert.equal(sms.credentials, `${SID}:${TOKEN}`);
      assert.equal(sms.from, '+15005550006');
      const code = codeOf(sms.body.split(' ')[0]!);
      await typeCode(agent, 'sms', code, ip, 200);
      const userId = `sms|${addressUserId('sms', number)}`;
      await agent.get('/private').expect(200, { user_id: userId });
      const smsUser = (await t.storage.getUser(userId))!;
      assert.equal(smsUser.phone_number, number);
      assert.equal(smsUser.phone_verified, true, "an SMS code proves the number");
    });

    it('answers the same when the provider refuses the number, and logs the failure', async () => {
      const number = `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
      twilio.refuse.add(number);
      const before = errors.length;
      const agent = browser(t.app);
      const res = await agent.post('/auth/sms').set('x-forwarded-for', newIp()).set('accept', 'application/json')
        .send({ _csrf: await agent.csrf(), phone_number: number }).expect(200);
      assert.equal(res.body.delivery, 'code');
      await nth(errors, () => true, before + 1);
      assert.doesNotMatch(JSON.stringify(res.body), /21211|valid phone/u);
    });
  });

  describe('Auth0-style endpoints', () => {
    it('starts and verifies with the connection in a JSON body', async () => {
      const ip = newIp();
      const email = uniqueEmail('pwl-api');
      const agent = browser(t.app);
      const start = await agent.post('/auth/passwordless/start').set('x-forwarded-for', ip).send({ _csrf: await agent.csrf(), connection: 'email-code', email }).expect(200);
      assert.deepEqual(start.body, { message: 'If this address can sign in, a code is on its way.', connection: 'email-code', delivery: 'code' });
      const code = codeOf((await mailsTo(email, 1)).text);
      const done = await agent.post('/auth/passwordless/verify').set('x-forwarded-for', ip).send({ _csrf: await agent.csrf(), connection: 'email-code', code }).expect(200);
      assert.equal(done.body.user_id, `email|${addressUserId('email', email)}`);
      const unknown = await agent.post('/auth/passwordless/start').send({ _csrf: await agent.csrf(), connection: 'nope', email }).expect(400);
      assert.equal(unknown.body.field, 'connection');
    });
  });
});
