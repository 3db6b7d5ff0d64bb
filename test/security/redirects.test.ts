import assert from 'node:assert/strict';
import { safeReturnTo } from '@gatehouse/express';
import { createVerifiedUser } from '../support/accounts.js';
import { browser, startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

const ATTACKS = [
  '//evil.com',
  '/\\evil.com',
  '\\\\evil.com',
  'https:evil.com',
  'https://evil.com/',
  'http://evil.com@127.0.0.1/',
  'https://127.0.0.1@evil.com/',
  '//evil.com/%2F..',
  '/%09/evil.com',
  '/\t/evil.com',
  '/\n/evil.com',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '///evil.com',
  ' //evil.com',
  'https://app.example.com.evil.com/',
];

describe('security: returnTo and open redirects', function () {
  const allowed = new Set(['https://app.example.com']);

  for (const payload of ATTACKS) {
    it(`falls back to the default for ${JSON.stringify(payload)}`, () => {
      const out = safeReturnTo(payload, allowed, '/');
      // Either the default, or a path that a browser resolves on this app's own origin.
      assert.ok(out.startsWith('/') && !out.startsWith('//') && !out.includes('\\'), `${payload} -> ${out}`);
      assert.equal(new URL(out, 'https://app.test').origin, 'https://app.test', `${payload} -> ${out}`);
    });
  }

  it('keeps plain paths with their query and an allow-listed origin', () => {
    assert.equal(safeReturnTo('/orders?page=2#top', allowed, '/'), '/orders?page=2#top');
    assert.equal(safeReturnTo('https://app.example.com/welcome', allowed, '/'), 'https://app.example.com/welcome');
    assert.equal(safeReturnTo('relative/path', allowed, '/'), '/');
    assert.equal(safeReturnTo(['/a', '/b'], allowed, '/'), '/');
  });

  describe('through a real login', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ allowedOrigins: ['https://app.example.com'] });
    });
    after(async () => t.close());

    for (const payload of ['//evil.com', '/\\evil.com', 'https:evil.com', 'javascript:alert(1)', 'https://evil.com']) {
      it(`redirects to / after login with returnTo=${JSON.stringify(payload)}`, async () => {
        const user = await createVerifiedUser(t);
        const agent = browser(t.app);
        const res = await agent.post('/auth/login').type('form')
          .send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD, returnTo: payload }).expect(303);
        assert.equal(res.headers.location, '/');
      });
    }

    it('follows an allow-listed origin', async () => {
      const user = await createVerifiedUser(t);
      const agent = browser(t.app);
      const res = await agent.post('/auth/login').type('form')
        .send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD, returnTo: 'https://app.example.com/home' }).expect(303);
      assert.equal(res.headers.location, 'https://app.example.com/home');
    });
  });
});
