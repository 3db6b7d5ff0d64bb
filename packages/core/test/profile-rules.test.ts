import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  defaultPicture,
  formatUserId,
  initialsOf,
  normalizeEmail,
  normalizePhone,
  normalizePicture,
  normalizeUsername,
  parseCreateUserInput,
  parseUserPatch,
  parseUserId,
} from '../src/index.js';

describe('profile rules', () => {
  it('lower-cases and bounds emails', () => {
    assert.equal(normalizeEmail('  Ada@Example.COM '), 'ada@example.com');
    assert.throws(() => normalizeEmail(`${'a'.repeat(65)}@x.com`), { code: 'invalid_body', field: 'email' });
    assert.throws(() => normalizeEmail(`a@${'b'.repeat(250)}.com`), { code: 'invalid_body' });
    for (const bad of ['no-at', 'a@b', 'a b@c.d', 'a@b.c\r\nBcc: x@y.z', 42]) {
      assert.throws(() => normalizeEmail(bad), { code: 'invalid_body' }, String(bad));
    }
  });

  it("checks usernames with Auth0's character set, not an email", () => {
    assert.equal(normalizeUsername('Ada_L'), 'ada_l');
    assert.throws(() => normalizeUsername('a'.repeat(16)), { field: 'username' });
    assert.equal(normalizeUsername('a'.repeat(20), 128), 'a'.repeat(20));
    assert.throws(() => normalizeUsername('ada lovelace'), { field: 'username' });
    assert.throws(() => normalizeUsername('ada@x.io', 128), { field: 'username' });
  });

  it('accepts E.164 phone numbers only', () => {
    assert.equal(normalizePhone('+1 415 555 0123'), '+14155550123');
    assert.throws(() => normalizePhone('0415550123'), { field: 'phone_number' });
  });

  it('accepts http(s) pictures only', () => {
    assert.equal(normalizePicture('https://example.com/a.png'), 'https://example.com/a.png');
    for (const bad of ['javascript:alert(1)', 'data:image/png;base64,xx', '/relative.png']) {
      assert.throws(() => normalizePicture(bad), { field: 'picture' });
    }
  });

  it("gives database users Auth0's Gravatar picture with an initials fallback", () => {
    const url = new URL(defaultPicture('Ada.Lovelace@Example.com'));
    const md5 = createHash('md5').update('ada.lovelace@example.com').digest('hex');
    assert.equal(url.origin + url.pathname, `https://s.gravatar.com/avatar/${md5}`);
    assert.equal(url.searchParams.get('s'), '480');
    assert.equal(url.searchParams.get('r'), 'pg');
    assert.match(url.searchParams.get('d')!, /al\.png$/u);
    assert.equal(initialsOf('ada.lovelace@example.com'), 'AL');
    assert.equal(initialsOf('Grace Hopper'), 'GH');
  });

  it('formats and parses provider-prefixed user ids', () => {
    assert.equal(formatUserId('auth0', 'abc'), 'auth0|abc');
    assert.equal(formatUserId('auth0', 'auth0|abc'), 'auth0|abc');
    assert.deepEqual(parseUserId('google-oauth2|123|x'), { provider: 'google-oauth2', id: '123|x' });
    assert.equal(parseUserId('nopipe'), null);
  });

  it("refuses Auth0's conflicting PATCH pairs", () => {
    for (const body of [
      { password: 'x'.repeat(12), email: 'a@b.co' },
      { password: 'x'.repeat(12), email_verified: true },
      { username: 'ada', email: 'a@b.co' },
      { username: 'ada', email_verified: true },
      { username: 'ada', password: 'x'.repeat(12) },
    ]) {
      assert.throws(() => parseUserPatch(body, 'admin'), { code: 'invalid_body' }, JSON.stringify(body));
    }
  });

  it('refuses unknown fields on create and patch', () => {
    assert.throws(() => parseCreateUserInput({ email: 'a@b.co', isAdmin: true }), { code: 'invalid_body', field: 'isAdmin' });
    assert.throws(() => parseUserPatch({ identities: [] }, 'admin'), { code: 'invalid_body', field: 'identities' });
  });
});
