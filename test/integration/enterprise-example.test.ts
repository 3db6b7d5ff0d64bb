import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdentityRouter } from '@gatehouse/express';
import supertest from 'supertest';
import { createEnterpriseApp } from '../../examples/enterprise/app.js';
import { DIRECTORY, startDirectory, type Directory } from '../../examples/enterprise/directory.js';
import { startTestIdp, type TestIdp } from '../../examples/enterprise/test-idp.js';
import { freePort } from '../support/slapd.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseUrl } from '../support/test-database.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const unescapeHtml = (s: string) =>
  s.replace(/&quot;/gu, '"').replace(/&#39;/gu, "'").replace(/&lt;/gu, '<').replace(/&gt;/gu, '>').replace(/&amp;/gu, '&');

/** The value of a form field of a page, as a browser would submit it. */
function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`, 'u').exec(html);
  assert.ok(match, `no "${name}" field in the page: ${html.slice(0, 800)}`);
  return unescapeHtml(match[1]!);
}

/** The action of the page's first (or only) form. */
function formAction(html: string): string {
  const match = /<form method="post" action="([^"]*)"/u.exec(html);
  assert.ok(match, `no form in the page: ${html.slice(0, 800)}`);
  return unescapeHtml(match[1]!);
}

/** What the example's home page says about who is signed in. */
function homeFacts(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<dd id="([a-z-]+)">([^<]*)<\/dd>/gu)].map((m) => [m[1]!, unescapeHtml(m[2]!)]));
}

describe('examples/enterprise: signing in through a local directory and a test SAML IdP', function () {
  // Fresh connection names per run: the PostgreSQL and MariaDB test databases are shared between runs.
  const suffix = randomBytes(4).toString('hex');
  const samlName = `sso-${suffix}`;
  const ldapName = `ldap-${suffix}`;
  let dbUrl: string;
  let dir: string;
  let directory: Directory;
  let idp: TestIdp;
  let server: Server;
  let baseUrl: string;
  let auth: IdentityRouter;

  before(async function () {
    this.timeout(60_000);
    dbUrl = await testDatabaseUrl();
    await requireTestDatabase(this, dbUrl);
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-enterprise-'));
    directory = await startDirectory({ port: await freePort(), dir: join(dir, 'slapd') });
    // The server listens first: the app's baseUrl (ACS URL, SP entity ID) carries its real port.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    idp = await startTestIdp({ port: 0, hostname: '127.0.0.1', dir: join(dir, 'idp'), spMetadataUrl: `${baseUrl}/auth/${samlName}/metadata` });
    const example = createEnterpriseApp({
      baseUrl,
      database: dbUrl,
      saml: { name: samlName, entryPoint: idp.ssoUrl, idpIssuer: idp.entityID, idpCert: idp.cert },
      ldap: {
        name: ldapName,
        url: directory.url,
        bindDN: DIRECTORY.readerDN,
        bindCredentials: DIRECTORY.readerPassword,
        searchBase: DIRECTORY.peopleDN,
        groupSearchBase: DIRECTORY.groupsDN,
      },
      identity: { secret: 'enterprise-example-test-secret-0123456789', mail: { transport: 'console' }, logger: quiet },
    });
    auth = example.auth;
    server.on('request', example.app);
    await example.ready;
  });

  after(async () => {
    // The directory and the IdP are processes and ports of their own: stopped even if the app's close fails.
    try {
      if (server?.listening) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await auth?.close();
    } finally {
      await idp?.close();
      await directory?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
      if (dbUrl) await removeTestDatabase(dbUrl);
    }
  });

  const roleNames = async (userId: string) => (await auth.gatehouse.storage.getUserRoles(userId)).map((r) => r.name).sort();

  describe('LDAP', () => {
    /** The hosted login form, filled in for the directory connection as a person would. */
    async function ldapLogin(username: string, password: string, returnTo = '/') {
      const browser = supertest.agent(baseUrl);
      const form = await browser.get('/auth/login').expect(200);
      assert.match(form.text, new RegExp(`<option value="${ldapName}"`, 'u'), 'the form offers the directory');
      const res = await browser.post('/auth/login').type('form').set('Accept', 'text/html')
        .send({ _csrf: field(form.text, '_csrf'), connection: ldapName, username, password, returnTo });
      return { browser, res };
    }

    it('signs Jane in from the login form: session, profile, and the role of her directory group', async () => {
      const { browser, res } = await ldapLogin('jane', 'jane-password', '/engineering');
      assert.equal(res.status, 303, res.text);
      assert.equal(res.headers.location, '/engineering');
      const home = homeFacts((await browser.get('/').expect(200)).text);
      assert.equal(home.name, 'Jane Doe');
      assert.equal(home.email, 'jane@example.org');
      assert.equal(home.connection, ldapName);
      assert.equal(home.roles, 'engineering', 'engineering maps to a role, everyone maps to none');
      assert.match(home['user-id']!, new RegExp(`^ad\\|${ldapName}\\|[0-9a-f-]{36}$`, 'u'));
      assert.deepEqual(await roleNames(home['user-id']!), ['engineering']);
      await browser.get('/engineering').expect(200);
      assert.match((await browser.get('/profile').expect(200)).text, /jane@example\.org/u);
    });

    it("gives John his group's role, and not the engineering page", async () => {
      const { browser, res } = await ldapLogin('john@example.org', 'john-password');
      assert.equal(res.status, 303, res.text);
      const home = homeFacts((await browser.get('/').expect(200)).text);
      assert.equal(home.name, 'John Smith');
      assert.equal(home.roles, 'sales');
      await browser.get('/engineering').expect(403);
    });

    it('refuses a wrong password with no session', async () => {
      const { browser, res } = await ldapLogin('jane', 'not-her-password');
      assert.equal(res.status, 401);
      assert.deepEqual(homeFacts((await browser.get('/').expect(200)).text), {});
      await browser.get('/profile').set('Accept', 'text/html').expect(303);
    });
  });

  describe('SAML', () => {
    /**
     * A whole SP-initiated login as a browser makes it: the app's redirect to the IdP, the IdP's
     * "sign in as" form, and the form of the signed response, posted to the ACS.
     */
    async function samlLogin(email: string, returnTo = '/') {
      const browser = supertest.agent(baseUrl);
      const login = await browser.get('/auth/login').expect(200);
      assert.match(login.text, new RegExp(`href="/auth/${samlName}\\?returnTo=`, 'u'), 'the login page offers the IdP');
      const start = await browser.get(`/auth/${samlName}`).query({ returnTo }).expect(302);
      const location = new URL(start.headers.location as string);
      assert.equal(`${location.origin}${location.pathname}`, idp.ssoUrl);
      assert.ok(location.searchParams.has('SAMLRequest'));

      const atIdp = supertest.agent(idp.url);
      const choose = await atIdp.get(`${location.pathname}${location.search}`).expect(200);
      assert.equal(formAction(choose.text), '/sso');
      assert.match(choose.text, new RegExp(`value="${email}"`, 'u'));
      const signed = await atIdp.post('/sso').type('form').send({ request: field(choose.text, 'request'), user: email }).expect(200);
      const acs = new URL(formAction(signed.text));
      assert.equal(acs.href, `${baseUrl}/auth/callback/${samlName}`);
      const response = { SAMLResponse: field(signed.text, 'SAMLResponse'), RelayState: field(signed.text, 'RelayState') };
      const res = await browser.post(acs.pathname).type('form').send(response);
      return { browser, res, response };
    }

    it("serves the IdP's metadata with the certificate the app trusts", async () => {
      const metadata = await supertest(idp.url).get('/metadata').expect(200);
      assert.match(metadata.text, new RegExp(`entityID="${idp.entityID}"`, 'u'));
      assert.ok(metadata.text.includes(idp.cert.split('\n')[1]!), 'the signing certificate is in the metadata');
    });

    it('signs Jane in through the IdP: signed response at the ACS, session, profile and role from the groups attribute', async () => {
      const { browser, res } = await samlLogin('jane@example.org', '/profile');
      assert.equal(res.status, 303, res.text);
      assert.equal(res.headers.location, '/profile');
      await browser.get('/profile').expect(200);
      const home = homeFacts((await browser.get('/').expect(200)).text);
      assert.deepEqual(home, { name: 'Jane Doe', email: 'jane@example.org', connection: samlName, roles: 'engineering', 'user-id': `samlp|${samlName}|jane@example.org` });
      assert.deepEqual(await roleNames(home['user-id']!), ['engineering']);
      await browser.get('/engineering').expect(200);
      const user = await auth.gatehouse.storage.getUser(home['user-id']!);
      assert.deepEqual(user?.identities.map((i) => [i.connection, i.provider]), [[samlName, 'samlp']]);
    });

    it('signs in Grace, who is in no group, with no role', async () => {
      const { browser, res } = await samlLogin('grace@example.org');
      assert.equal(res.status, 303, res.text);
      const home = homeFacts((await browser.get('/').expect(200)).text);
      assert.equal(home.name, 'Grace Hopper');
      assert.equal(home.roles, '(none)');
      await browser.get('/engineering').expect(403);
    });

    it('refuses the same signed response posted a second time', async () => {
      const { res, response } = await samlLogin('john@example.org');
      assert.equal(res.status, 303, res.text);
      const replay = supertest.agent(baseUrl);
      const again = await replay.post(`/auth/callback/${samlName}`).type('form').set('Accept', 'text/html').send(response);
      assert.equal(again.status, 400);
      assert.deepEqual(homeFacts((await replay.get('/').expect(200)).text), {});
    });
  });
});
