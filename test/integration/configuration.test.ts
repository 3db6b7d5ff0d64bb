import assert from 'node:assert/strict';
import { identity } from '@gatehouse/express';

describe('identity(): configuration is checked at start-up', function () {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a prefix without a leading slash', { prefix: 'auth' }, /option "prefix" must be a path like "\/auth"/u],
    ['a prefix with a trailing slash', { prefix: '/auth/' }, /option "prefix"/u],
    ['an unknown database scheme', { database: 'oracle://db' }, /option "database" must be a sqlite:, postgres:, mysql: or mariadb: URL/u],
    ['a short secret', { secret: 'short' }, /option "secret" must be a string .* of at least 32 characters, got "\[redacted\]"/u],
    ['a baseUrl that is no URL', { baseUrl: 'localhost:3000' }, /option "baseUrl" must be an absolute http\(s\) URL/u],
    ['a minLength above maxLength', { passwordPolicy: { minLength: 100, maxLength: 80 } }, /passwordPolicy.maxLength/u],
    ['a non-boolean signup', { signup: 'yes' }, /option "signup" must be true or false/u],
    ['a negative session lifetime', { session: { maxAgeMs: -1 } }, /option "session.maxAgeMs"/u],
    ['a mail transport that is not SMTP', { mail: { transport: 'http://mail' } }, /option "mail.transport"/u],
    ['an allowed origin that is not a URL', { allowedOrigins: ['evil'] }, /option "allowedOrigins"/u],
    ['a defaultReturnTo off the app', { defaultReturnTo: '//evil.com' }, /option "defaultReturnTo"/u],
  ];
  for (const [label, options, message] of cases) {
    it(`throws a TypeError for ${label}`, () => {
      assert.throws(() => identity({ logger: quiet, ...options }), (err: Error) => {
        assert.ok(err instanceof TypeError);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('never echoes a secret in its error message', () => {
    assert.throws(() => identity({ logger: quiet, secret: 'hunter2-is-my-secret' }), (err: Error) => !err.message.includes('hunter2'));
  });

  describe('under NODE_ENV=production', () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    });

    it('refuses development defaults, naming each missing setting', () => {
      assert.throws(() => identity({ logger: quiet }), (err: Error) => {
        assert.ok(err instanceof TypeError);
        for (const name of ['database', 'secret', 'baseUrl', 'mail']) assert.match(err.message, new RegExp(name, 'u'));
        return true;
      });
    });

    it('uses __Host- Secure cookies once everything is set', async () => {
      const router = identity({
        logger: quiet,
        database: 'sqlite::memory:',
        secret: 'a-production-secret-of-more-than-32-chars',
        baseUrl: 'https://id.example.com',
        mail: { transport: 'smtp://127.0.0.1:1' },
      });
      assert.equal(router.gatehouse.options.cookieName, '__Host-gatehouse.sid');
      assert.equal(router.gatehouse.options.secureCookies, true);
      await router.close();
    });
  });
});
