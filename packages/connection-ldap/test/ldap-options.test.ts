import assert from 'node:assert/strict';
import { ldap, LDAP_DEFAULTS, type LdapOptions } from '@gatehouse/connection-ldap';

const valid: LdapOptions = {
  name: 'corp',
  url: 'ldaps://ldap.example.com',
  bindDN: 'cn=gatehouse,ou=services,dc=example,dc=com',
  bindCredentials: 'secret',
  searchBase: 'ou=people,dc=example,dc=com',
};

describe('ldap() options', () => {
  it('builds a credentials connection of kind enterprise with the defaults', () => {
    const c = ldap(valid);
    assert.equal(c.name, 'corp');
    assert.equal(c.kind, 'enterprise');
    assert.equal(c.loginMode, 'credentials');
    assert.equal(c.displayName, 'corp');
    assert.equal(c.syncUserProfile, true);
    assert.deepEqual(c.managedRoles, []);
    assert.equal(LDAP_DEFAULTS.searchFilter, '(|(uid={{username}})(mail={{username}}))');
  });

  it('manages the roles of groupRoleMap, each once', () => {
    const c = ldap({
      ...valid,
      groupSearchBase: 'ou=groups,dc=example,dc=com',
      groupRoleMap: { 'cn=admins,ou=groups,dc=example,dc=com': 'admin', 'cn=ops,ou=groups,dc=example,dc=com': 'admin', 'cn=staff,ou=groups,dc=example,dc=com': 'staff' },
    });
    assert.deepEqual(c.managedRoles, ['admin', 'staff']);
  });

  it('treats an option given as undefined as left out', () => {
    assert.doesNotThrow(() => ldap({ ...valid, searchFilter: undefined, timeoutMs: undefined }));
  });

  const BAD: [string, Partial<Record<keyof LdapOptions, unknown>>, RegExp][] = [
    ['a name with upper case', { name: 'Corp' }, /name/u],
    ['a reserved name', { name: 'login' }, /name/u],
    ['an http url', { url: 'http://ldap.example.com' }, /url/u],
    ['a url with a path', { url: 'ldap://ldap.example.com/dc=example' }, /url/u],
    ['no bindDN', { bindDN: undefined }, /bindDN/u],
    ['a bindDN that is not a DN', { bindDN: 'gatehouse' }, /bindDN/u],
    ['an empty bindCredentials', { bindCredentials: '' }, /bindCredentials/u],
    ['a searchFilter without {{username}}', { searchFilter: '(uid=jdoe)' }, /searchFilter/u],
    ['a searchFilter with unbalanced parentheses', { searchFilter: '(|(uid={{username}})' }, /unbalanced/u],
    ['a searchFilter with an unknown placeholder', { searchFilter: '(uid={{user}})' }, /searchFilter/u],
    ['a searchFilter without parentheses', { searchFilter: 'uid={{username}}' }, /searchFilter/u],
    ['a groupSearchFilter without a placeholder', { groupSearchBase: 'ou=groups,dc=example,dc=com', groupSearchFilter: '(cn=admins)' }, /groupSearchFilter/u],
    ['groupRoleMap without groupSearchBase', { groupRoleMap: { 'cn=admins,dc=example,dc=com': 'admin' } }, /groupSearchBase/u],
    ['a groupRoleMap key that is not a DN', { groupSearchBase: 'ou=groups,dc=example,dc=com', groupRoleMap: { admins: 'admin' } }, /groupRoleMap/u],
    ['a groupRoleMap with an empty role', { groupSearchBase: 'ou=groups,dc=example,dc=com', groupRoleMap: { 'cn=admins,dc=example,dc=com': '' } }, /groupRoleMap/u],
    ['starttls', { starttls: true }, /starttls is not supported.*clear text/u],
    ['tls options on ldap://', { url: 'ldap://ldap.example.com', tls: { rejectUnauthorized: true } }, /ldaps/u],
    ['a zero timeout', { timeoutMs: 0 }, /timeoutMs/u],
    ['a fractional timeout', { timeoutMs: 1.5 }, /timeoutMs/u],
    ['a connect timeout beyond the login timeout', { timeoutMs: 1000, connectTimeoutMs: 2000 }, /connectTimeoutMs/u],
    ['an unknown attributeMap field', { attributeMap: { mail: 'mail' } as never }, /attributeMap\.mail/u],
    ['an attributeMap value that is not an attribute', { attributeMap: { email: 'ma il' } }, /attributeMap\.email/u],
    ['searchAttributes that is not an array', { searchAttributes: 'mail' }, /searchAttributes/u],
    ['a searchScope outside base/one/sub', { searchScope: 'subtree' }, /searchScope/u],
  ];
  for (const [label, change, message] of BAD) {
    it(`refuses ${label} with a TypeError at construction`, () => {
      assert.throws(() => ldap({ ...valid, ...change } as LdapOptions), (err: Error) => err instanceof TypeError && message.test(err.message));
    });
  }

  it('warns once at start-up when passwords would travel in clear text to another host', () => {
    const warnings: string[] = [];
    const services = {
      callbackUrl: 'http://app/auth/callback/corp', connectionUrl: 'http://app/auth/corp', cache: {} as never, clock: () => new Date(),
      logger: { info: () => undefined, error: () => undefined, warn: (m: string) => void warnings.push(m) },
    };
    ldap({ ...valid, url: 'ldap://ldap.example.com' }).createStrategy(services);
    ldap({ ...valid, url: 'ldap://127.0.0.1:3890' }).createStrategy(services);
    ldap(valid).createStrategy(services);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /clear text/u);
  });
});
