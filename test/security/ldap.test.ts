import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ldap, type LdapOptions } from '@gatehouse/connection-ldap';
import type { User } from '@gatehouse/core';
import { BASE_DN, ADMIN_DN, ADMIN_PASSWORD, READER_DN, READER_PASSWORD, freePort, startSilentServer, startSlapd, startTapProxy, type Slapd } from '../support/slapd.js';
import { browser, startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

const PEOPLE = `ou=people,${BASE_DN}`;
const GROUPS = `ou=groups,${BASE_DN}`;
const JANE_DN = `uid=jdoe,${PEOPLE}`;

const person = (rdn: string, attrs: Record<string, string>) =>
  `dn: ${rdn},${PEOPLE}\nobjectClass: inetOrgPerson\n${Object.entries(attrs).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;

const SEED = [
  `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people\n`,
  `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups\n`,
  person('uid=jdoe', { uid: 'jdoe', cn: 'Jane Doe', givenName: 'Jane', sn: 'Doe', mail: 'jane@example.org', userPassword: 'jane-password' }),
  person('uid=bsmith', { uid: 'bsmith', cn: 'Bob Smith', sn: 'Smith', mail: 'bob@example.org', userPassword: 'bob-password' }),
  // A name made of filter metacharacters: found only if the filter matches it literally.
  person('cn=Weird Name', { uid: 'we*rd(n)ame\\', cn: 'Weird Name', sn: 'Name', mail: 'weird@example.org', userPassword: 'weird-password' }),
  // Two people sharing one mail address: the default filter finds both.
  person('uid=shared1', { uid: 'shared1', cn: 'Shared One', sn: 'One', mail: 'shared@example.org', userPassword: 'shared-password' }),
  person('uid=shared2', { uid: 'shared2', cn: 'Shared Two', sn: 'Two', mail: 'shared@example.org', userPassword: 'shared-password' }),
  `dn: cn=admins,${GROUPS}\nobjectClass: groupOfNames\ncn: admins\nmember: ${JANE_DN}\n`,
  `dn: cn=staff,${GROUPS}\nobjectClass: groupOfNames\ncn: staff\nmember: ${JANE_DN}\nmember: uid=bsmith,${PEOPLE}\n`,
  `dn: cn=unmapped,${GROUPS}\nobjectClass: groupOfNames\ncn: unmapped\nmember: ${JANE_DN}\n`,
].join('\n');

/** What LDAP, ldapjs, ldapauth-fork or passport-ldapauth say when something goes wrong: never for the browser. */
const LEAKS = [
  'Invalid Credentials', 'InvalidCredentials', 'Invalid username/password', 'no such user', 'unexpected number', 'Bad search base',
  'ECONNREFUSED', 'connectRefused', 'request timeout', 'ConnectionError', 'TimeoutError', 'dc=example', 'uid=', 'ldapjs', 'slapd',
];

interface ErrorBody {
  statusCode: number;
  errorCode: string;
  message: string;
}

describe('security: LDAP connection against a real slapd', function () {
  const suffix = randomBytes(4).toString('hex');
  // Fresh names per run: PostgreSQL and MariaDB are shared between runs.
  const corp = `corp-${suffix}`;
  const names = { asAdmin: `corp-admin-${suffix}`, hang: `hang-${suffix}`, down: `down-${suffix}`, ldaps: `ldaps-${suffix}`, tapped: `tapped-${suffix}`, untrusted: `untrusted-${suffix}`, killed: `killed-${suffix}` };
  const roles = { admins: `ldap-admins-${suffix}`, staff: `ldap-staff-${suffix}` };
  let directory: Slapd;
  let doomed: Slapd;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let tap: Awaited<ReturnType<typeof startTapProxy>>;
  let certDir: string;
  let t: TestApp;
  const warnings: string[] = [];
  const responses: string[] = [];

  before(async function () {
    this.timeout(60_000);
    // A certificate for 127.0.0.1 only (no "localhost"): STARTTLS must check the URL's host.
    certDir = await mkdtemp(join(tmpdir(), 'gatehouse-ldap-cert-'));
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')]);
    const cert = await readFile(join(certDir, 'cert.pem'), 'utf8');
    const key = await readFile(join(certDir, 'key.pem'), 'utf8');
    directory = await startSlapd({ ldif: SEED, tls: { cert, key } });
    doomed = await startSlapd({ ldif: SEED });
    silent = await startSilentServer();
    tap = await startTapProxy(Number(new URL(directory.secureUrl!).port));
    const downUrl = `ldap://127.0.0.1:${await freePort()}`;

    const base: LdapOptions = {
      name: corp,
      displayName: 'Corporate directory',
      url: directory.url,
      bindDN: READER_DN,
      bindCredentials: READER_PASSWORD,
      searchBase: PEOPLE,
      groupSearchBase: GROUPS,
      // Spelled differently from the directory's DNs on purpose: DNs compare case-insensitively.
      groupRoleMap: { [`CN=Admins, OU=Groups, ${BASE_DN}`]: roles.admins, [`cn=staff,${GROUPS}`]: roles.staff },
      timeoutMs: 1500,
      connectTimeoutMs: 1000,
    };
    const capture = { info: () => undefined, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')), error: () => undefined };
    t = await startTestApp({
      logger: capture,
      connections: [
        ldap(base),
        // The directory's admin may read password hashes; it asks for every attribute.
        ldap({ ...base, name: names.asAdmin, bindDN: ADMIN_DN, bindCredentials: ADMIN_PASSWORD, searchAttributes: ['*'] }),
        ldap({ ...base, name: names.hang, url: silent.url }),
        ldap({ ...base, name: names.down, url: downUrl }),
        ldap({ ...base, name: names.killed, url: doomed.url }),
        ldap({ ...base, name: names.ldaps, url: directory.secureUrl!, tls: { ca: cert } }),
        ldap({ ...base, name: names.tapped, url: `ldaps://127.0.0.1:${tap.port}`, tls: { ca: cert } }),
        ldap({ ...base, name: names.untrusted, url: directory.secureUrl!, tls: {} }),
      ],
    });
    for (const [group, name] of Object.entries(roles)) {
      await t.storage.createRole({ id: `rol_${randomBytes(8).toString('hex')}`, name, description: `LDAP ${group}`, permissions: [] });
    }
  });

  after(async () => {
    await t?.close();
    await directory?.stop();
    await doomed?.stop();
    await silent?.stop();
    await tap?.stop();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  /** A JSON login through `POST /auth/<connection>` from a fresh browser; every response body is kept for the leak check. */
  async function login(connection: string, body: Record<string, unknown>, agent = browser(t.app)) {
    const res = await agent.post(`/auth/${connection}`).set('x-csrf-token', await agent.csrf()).send(body);
    responses.push(res.text);
    return { res, agent };
  }

  async function userOf(res: { body: unknown }): Promise<User> {
    const user = await t.storage.getUser((res.body as { user_id: string }).user_id);
    assert.ok(user, 'the signed-in user exists');
    return user;
  }

  const roleNames = async (userId: string) => (await t.storage.getUserRoles(userId)).map((r) => r.name).sort();

  describe('signing in', () => {
    it('signs in a directory user: session, identities[] entry, profile and roles from groups', async () => {
      const { res, agent } = await login(corp, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 200, res.text);
      const user = await userOf(res);
      const identity = user.identities[0]!;
      const entryUUID = identity.profileData?.entryUUID;
      assert.match(String(entryUUID), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u);
      assert.equal(user.user_id, `ad|${corp}|${entryUUID}`);
      assert.deepEqual({ ...identity, profileData: undefined }, { connection: corp, provider: 'ad', user_id: `${corp}|${entryUUID}`, isSocial: false, profileData: undefined });
      assert.equal(identity.profileData?.dn, JANE_DN);
      assert.deepEqual((identity.profileData?.groups as string[]).sort(), [`cn=admins,${GROUPS}`, `cn=staff,${GROUPS}`, `cn=unmapped,${GROUPS}`]);
      assert.equal(user.email, 'jane@example.org');
      assert.equal(user.email_verified, false, 'a directory mail is not verified unless the connection says so');
      assert.equal(user.name, 'Jane Doe');
      assert.equal(user.given_name, 'Jane');
      assert.equal(user.family_name, 'Doe');
      assert.equal(user.nickname, 'jdoe');
      assert.deepEqual(await roleNames(user.user_id), [roles.admins, roles.staff]);
      const me = await agent.get('/private').expect(200);
      assert.equal(me.body.user_id, user.user_id);
    });

    it('updates the same user at the next login: changed name, a group taken away', async () => {
      const first = await login(corp, { username: 'jane@example.org', password: 'jane-password' });
      assert.equal(first.res.status, 200, first.res.text);
      await directory.modify(`dn: ${JANE_DN}\nchangetype: modify\nreplace: cn\ncn: Jane Q. Doe\n\ndn: cn=admins,${GROUPS}\nchangetype: modify\nadd: member\nmember: uid=bsmith,${PEOPLE}\n-\ndelete: member\nmember: ${JANE_DN}\n`);
      try {
        const second = await login(corp, { username: 'jdoe', password: 'jane-password' });
        assert.equal(second.res.status, 200, second.res.text);
        assert.equal(second.res.body.user_id, first.res.body.user_id, 'not a new user');
        const user = await userOf(second.res);
        assert.equal(user.name, 'Jane Q. Doe');
        assert.equal(user.identities.length, 1);
        assert.deepEqual(await roleNames(user.user_id), [roles.staff], 'the admins role follows the directory group');
        const found = await t.storage.findUserByIdentity('ad', user.identities[0]!.user_id);
        assert.equal(found?.user_id, user.user_id);
      } finally {
        await directory.modify(`dn: ${JANE_DN}\nchangetype: modify\nreplace: cn\ncn: Jane Doe\n\ndn: cn=admins,${GROUPS}\nchangetype: modify\nadd: member\nmember: ${JANE_DN}\n-\ndelete: member\nmember: uid=bsmith,${PEOPLE}\n`);
      }
    });

    it('signs in from the hosted login form (POST /auth/login with connection=) and redirects', async () => {
      const agent = browser(t.app);
      const res = await agent.post('/auth/login').type('form').set('Accept', 'text/html')
        .send({ _csrf: await agent.csrf(), connection: corp, username: 'bsmith', password: 'bob-password', returnTo: '/private' });
      responses.push(res.text);
      assert.equal(res.status, 303, res.text);
      assert.equal(res.headers.location, '/private');
      await agent.get('/private').expect(200);
    });

    it('never copies password attributes into profileData, even for a service account that reads them', async () => {
      const { res } = await login(names.asAdmin, { username: 'bsmith', password: 'bob-password' });
      assert.equal(res.status, 200, res.text);
      const data = (await userOf(res)).identities[0]!.profileData!;
      assert.deepEqual(data.objectClass, 'inetOrgPerson');
      assert.equal(data.sn, 'Smith');
      assert.ok(!Object.keys(data).some((k) => k.toLowerCase() === 'userpassword'), JSON.stringify(data));
      assert.ok(!JSON.stringify(data).includes('bob-password'));
    });
  });

  describe('refused logins', () => {
    it('answers a wrong password and an unknown user with the same generic 401, and no session', async () => {
      const wrong = await login(corp, { username: 'jdoe', password: 'not-her-password' });
      const unknown = await login(corp, { username: 'nobody', password: 'whatever-password' });
      for (const { res, agent } of [wrong, unknown]) {
        assert.equal(res.status, 401, res.text);
        assert.equal((res.body as ErrorBody).errorCode, 'connection_login_failed');
        await agent.get('/private').expect(401);
      }
      assert.deepEqual(wrong.res.body, unknown.res.body);
    });

    it('re-renders the login page for a browser, without the directory\'s words', async () => {
      const agent = browser(t.app);
      const res = await agent.post(`/auth/${corp}`).type('form').set('Accept', 'text/html')
        .send({ _csrf: await agent.csrf(), username: 'jdoe', password: 'not-her-password' });
      responses.push(res.text);
      assert.equal(res.status, 401);
      assert.match(res.headers['content-type'] ?? '', /html/u);
      assert.ok(res.text.includes('Sign-in with this provider did not succeed'), res.text);
    });

    const BAD_BODIES: [string, Record<string, unknown>][] = [
      ['an empty password', { username: 'jdoe', password: '' }],
      ['no password', { username: 'jdoe' }],
      ['an array password', { username: 'jdoe', password: ['jane-password'] }],
      ['an object password', { username: 'jdoe', password: { $ne: '' } }],
      ['a null password', { username: 'jdoe', password: null }],
      ['a numeric password', { username: 'jdoe', password: 12345678 }],
      ['an empty username', { username: '', password: 'jane-password' }],
      ['an array username', { username: ['jdoe'], password: 'jane-password' }],
      ['an object username', { username: { uid: 'jdoe' }, password: 'jane-password' }],
    ];

    it('refuses empty, array and object credentials with 400 before any bind (counted in slapd\'s log)', async () => {
      const bindsBefore = directory.binds().length;
      const connectionsBefore = directory.connections();
      for (const [label, body] of BAD_BODIES) {
        const { res } = await login(corp, body);
        assert.equal(res.status, 400, `${label}: ${res.text}`);
        assert.equal((res.body as ErrorBody).errorCode, 'invalid_body', label);
      }
      // A good login afterwards: its binds are logged after any the bad bodies could have caused.
      const { res } = await login(corp, { username: 'bsmith', password: 'bob-password' });
      assert.equal(res.status, 200, res.text);
      await directory.waitForBinds(bindsBefore + 2);
      assert.deepEqual(directory.binds().slice(bindsBefore), [READER_DN, `uid=bsmith,${PEOPLE}`]);
      assert.equal(directory.connections() - connectionsBefore, 2, 'the good login opened its two connections, the bad ones none');
    });

    it('does not even connect for bad credentials (a listener that records connections)', async function () {
      this.timeout(10_000);
      for (const [label, body] of BAD_BODIES) {
        const { res } = await login(names.hang, body);
        assert.equal(res.status, 400, `${label}: ${res.text}`);
      }
      assert.equal(silent.connections(), 0);
      const { res } = await login(names.hang, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 503);
      assert.ok(silent.connections() > 0, 'well-formed credentials do reach the listener');
    });
  });

  describe('filter metacharacters', () => {
    it('finds a user whose name is made of *, (, ) and \\ literally', async () => {
      const { res } = await login(corp, { username: 'we*rd(n)ame\\', password: 'weird-password' });
      assert.equal(res.status, 200, res.text);
      assert.equal((await userOf(res)).email, 'weird@example.org');
    });

    const INJECTIONS = ['jd*', '*', 'j*e', '*)(uid=jdoe', 'jdoe)(|(uid=*', 'jdoe\\', '\\6adoe', 'jdoe\u0000', 'jdoe\u0000)(uid=*', '{{username}}'];
    for (const username of INJECTIONS) {
      it(`searches ${JSON.stringify(username)} literally: no match, generic 401 even with a real password`, async () => {
        const { res } = await login(corp, { username, password: 'jane-password' });
        assert.equal(res.status, 401, res.text);
        assert.equal((res.body as ErrorBody).errorCode, 'connection_login_failed');
      });
    }

    it('sends the escaped value to the directory (slapd\'s log of the search filter)', async () => {
      await login(corp, { username: 'jd*)(\\\u0000', password: 'jane-password' });
      // slapd logs filters with upper-case hex escapes, after it has parsed them (and cuts its
      // log of the IA5String mail value at the NUL, so only the uid part is compared).
      const expected = '(|(uid=jd\\2A\\29\\28\\5C\\00)(mail=';
      const found = () => directory.searches().some((f) => f.startsWith(expected));
      await waitFor(found);
      assert.ok(found(), directory.searches().join('\n'));
    });
  });

  describe('an ambiguous name', () => {
    it('refuses a login when the filter matches two entries, and binds as neither', async () => {
      const bindsBefore = directory.binds().length;
      warnings.length = 0;
      const { res, agent } = await login(corp, { username: 'shared@example.org', password: 'shared-password' });
      assert.equal(res.status, 401, res.text);
      assert.equal((res.body as ErrorBody).errorCode, 'connection_login_failed');
      await agent.get('/private').expect(401);
      assert.ok(warnings.some((w) => w.includes('matched several entries')), warnings.join('\n'));
      assert.ok(!directory.binds().slice(bindsBefore).some((dn) => dn.includes('shared')));
      // Each of them can still sign in by uid.
      assert.equal((await login(corp, { username: 'shared1', password: 'shared-password' })).res.status, 200);
    });
  });

  describe('an unreachable directory', () => {
    it('answers 503 connection_unavailable when nothing listens, no fallback', async function () {
      this.timeout(10_000);
      const { res, agent } = await login(names.down, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 503, res.text);
      assert.equal((res.body as ErrorBody).errorCode, 'connection_unavailable');
      await agent.get('/private').expect(401);
    });

    it('answers 503 when the directory accepts and never answers (bounded by timeoutMs)', async function () {
      // The connection's timeoutMs is 1.5 s; this test's own limit only catches a hang.
      this.timeout(10_000);
      const { res } = await login(names.hang, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 503, res.text);
      assert.equal((res.body as ErrorBody).errorCode, 'connection_unavailable');
    });

    it('answers 503 once slapd is killed, after working', async function () {
      this.timeout(10_000);
      assert.equal((await login(names.killed, { username: 'jdoe', password: 'jane-password' })).res.status, 200);
      await doomed.stop();
      const { res } = await login(names.killed, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 503, res.text);
      assert.equal((res.body as ErrorBody).errorCode, 'connection_unavailable');
    });
  });

  describe('TLS', () => {
    it('signs in over ldaps:// with the directory\'s CA', async () => {
      const { res } = await login(names.ldaps, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 200, res.text);
    });

    it('sends neither the service account\'s nor the user\'s password in clear text over ldaps://', async () => {
      const { res } = await login(names.tapped, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 200, res.text);
      assert.ok(tap.sent().length > 0, 'the login went through the tap');
      assert.ok(!tap.sent().includes(READER_PASSWORD) && !tap.sent().includes('jane-password'));
    });

    it('refuses a directory whose certificate is not trusted: 503, and the password never sent', async function () {
      this.timeout(10_000);
      const bindsBefore = directory.binds().length;
      const { res } = await login(names.untrusted, { username: 'jdoe', password: 'jane-password' });
      assert.equal(res.status, 503, res.text);
      assert.equal((res.body as ErrorBody).errorCode, 'connection_unavailable');
      // Let anything still in flight reach slapd's log before looking.
      await login(corp, { username: 'bsmith', password: 'bob-password' });
      await directory.waitForBinds(bindsBefore + 2);
      assert.ok(!directory.binds().slice(bindsBefore).includes(JANE_DN), directory.binds().slice(bindsBefore).join('\n'));
    });
  });

  describe('every response above', () => it('carries none of the directory\'s error text', () => {
    assert.ok(responses.length > 30, `${responses.length} responses checked`);
    for (const body of responses) {
      for (const leak of LEAKS) assert.ok(!body.includes(leak), `${JSON.stringify(leak)} in ${body.slice(0, 300)}`);
    }
  }));
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
}
