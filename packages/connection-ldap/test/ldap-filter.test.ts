import assert from 'node:assert/strict';
import { escapeFilterValue } from '@gatehouse/connection-ldap';
import { normalizeDn } from '../src/distinguished-name.js';
import { fillFilter } from '../src/ldap-filter.js';
import { formatGuid } from '../src/ldap-profile.js';

describe('LDAP filter values (RFC 4515)', () => {
  it('escapes *, (, ), \\ and NUL, each exactly once', () => {
    assert.equal(escapeFilterValue('a*b(c)d\\e\u0000f'), 'a\\2ab\\28c\\29d\\5ce\\00f');
    assert.equal(escapeFilterValue('\\2a'), '\\5c2a');
  });

  it('leaves other characters, including non-ASCII, as they are', () => {
    assert.equal(escapeFilterValue('jöse.o\'brien@example.com'), 'jöse.o\'brien@example.com');
  });

  it('escapes braces, so a value cannot become another placeholder', () => {
    assert.equal(fillFilter('(uid={{username}})', { username: '{{username}}' }), '(uid=\\7b\\7busername\\7d\\7d)');
  });

  it('fills every occurrence of a placeholder', () => {
    assert.equal(fillFilter('(|(uid={{username}})(mail={{username}}))', { username: 'j*' }), '(|(uid=j\\2a)(mail=j\\2a))');
  });
});

describe('distinguished names', () => {
  it('compare without case and spaces around separators', () => {
    assert.equal(normalizeDn('CN=Admins, OU=Groups , dc=Example,dc=org'), 'cn=admins,ou=groups,dc=example,dc=org');
  });

  it('keep escaped commas inside their value', () => {
    assert.equal(normalizeDn('cn=Doe\\, Jane,ou=people'), 'cn=doe\\, jane,ou=people');
  });
});

describe('Active Directory objectGUID', () => {
  it('formats the bytes in Microsoft\'s mixed-endian order', () => {
    const bytes = Uint8Array.from([0xe0, 0x04, 0x25, 0x3f, 0x89, 0x4f, 0xd3, 0x11, 0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01]);
    assert.equal(formatGuid(bytes), '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  });
});
