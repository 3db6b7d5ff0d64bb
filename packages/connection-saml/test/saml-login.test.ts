import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { Storage } from '@gatehouse/core';
import { saml } from '@gatehouse/connection-saml';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import supertest from 'supertest';
import { failureReasons, SamlBrowser, sessionUser, startSamlApp, type SamlApp } from '../../../test/support/saml-app.js';
import { generateKeyPair, TestIdp, type KeyPair } from '../../../test/support/saml-idp.js';
import { requireTestDatabase, removeTestDatabase, testDatabaseUrl } from '../../../test/support/test-database.js';

const IDP = 'https://idp.corp.test/metadata';
const SSO = 'https://idp.corp.test/sso';
const SLO = 'https://idp.corp.test/slo';

describe('SAML connection: login through samlify as the IdP', function () {
  let url: string;
  let storage: Storage;
  let idpKeys: KeyPair;
  let spKeys: KeyPair;
  let idp: TestIdp;
  const apps: SamlApp[] = [];

  before(async function () {
    url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
    storage = createSequelizeStorage({ url });
    idpKeys = generateKeyPair('idp.corp.test');
    spKeys = generateKeyPair('sp.test');
    idp = new TestIdp({ entityID: IDP, ssoUrl: SSO, sloUrl: SLO, keys: idpKeys });
  });

  after(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await storage?.close();
    if (url) await removeTestDatabase(url);
  });

  async function browserFor(connection: Record<string, unknown> = {}, theIdp = idp): Promise<SamlBrowser> {
    const app = await startSamlApp({ storage, connection: { entryPoint: SSO, idpCert: idpKeys.cert, idpIssuer: IDP, ...connection } });
    apps.push(app);
    const metadata = await supertest(app.url).get(`/auth/${app.name}/metadata`).expect(200);
    return new SamlBrowser(app, theIdp, theIdp.serviceProvider(metadata.text));
  }

  it('signs a user in: AuthnRequest, signed response posted cross-site, session, protected route', async () => {
    const b = await browserFor();
    const request = await b.begin('/private');
    assert.equal(request.acsUrl, b.app.acsUrl);
    assert.equal(request.issuer, b.app.spEntityID);
    assert.match(request.relayState ?? '', /^[A-Za-z0-9_-]{16,64}$/u);
    const response = await idp.signedResponse(b.sp, b.spec(request, 'jane@corp.test', { givenName: 'Jane', sn: 'Doe', email: 'Jane@Corp.test' }));
    const { res, agent } = await b.post(response, request.relayState);
    assert.equal(res.status, 303, (await failureReasons(storage, b.app.name)).join('; '));
    // The session cookie did not come with the cross-site POST: returnTo came back through RelayState.
    assert.equal(res.headers.location, '/private');
    const me = await agent.get('/private').expect(200);
    const userId = `samlp|${b.app.name}|jane@corp.test`;
    assert.equal(me.body.user_id, userId);

    const user = await storage.getUser(userId);
    assert.ok(user);
    assert.equal(user.email, 'jane@corp.test');
    assert.equal(user.email_verified, false);
    assert.equal(user.given_name, 'Jane');
    assert.equal(user.family_name, 'Doe');
    assert.equal(user.name, 'Jane Doe');
    assert.equal(user.identities.length, 1);
    const identity = user.identities[0]!;
    assert.equal(identity.connection, b.app.name);
    assert.equal(identity.provider, 'samlp');
    assert.equal(identity.user_id, `${b.app.name}|jane@corp.test`);
    assert.equal(identity.isSocial, false);
    assert.deepEqual(identity.profileData, { givenName: 'Jane', sn: 'Doe', email: 'Jane@Corp.test' });
  });

  it('maps groups to roles and updates the same user at the next login', async () => {
    const tag = randomBytes(3).toString('hex');
    const editor = await storage.createRole({ id: `rol_ed${tag}`, name: `saml-editor-${tag}`, description: '', permissions: [] });
    const viewer = await storage.createRole({ id: `rol_vw${tag}`, name: `saml-viewer-${tag}`, description: '', permissions: [] });
    const b = await browserFor({
      rolesAttribute: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
      roleMap: { Editors: editor.name, Viewers: [viewer.name], constructor: editor.name },
    });
    const groups = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
    const first = await b.login('sam@corp.test', { [groups]: ['Editors', 'Unmapped'], displayName: 'Sam One' });
    assert.equal(first.res.status, 303, (await failureReasons(storage, b.app.name)).join('; '));
    const userId = `samlp|${b.app.name}|sam@corp.test`;
    assert.equal(await sessionUser(first.agent), userId);
    assert.deepEqual((await storage.getUserRoles(userId)).map((r) => r.name), [editor.name]);
    assert.equal((await storage.getUser(userId))!.name, 'Sam One');

    const second = await b.login('sam@corp.test', { [groups]: 'Viewers', displayName: 'Sam Two', email: 'sam.two@corp.test' });
    assert.equal(second.res.status, 303);
    assert.equal(await sessionUser(second.agent), userId);
    assert.deepEqual((await storage.getUserRoles(userId)).map((r) => r.name), [viewer.name]);
    const user = (await storage.getUser(userId))!;
    assert.equal(user.name, 'Sam Two');
    assert.equal(user.email, 'sam.two@corp.test');
    assert.equal(user.identities.length, 1);
    assert.equal((await storage.listUsersByEmail('sam@corp.test')).filter((u) => u.user_id.includes(b.app.name)).length, 0);
  });

  it('reads ADFS / Entra ID claim URIs and falls back to an email NameID', async () => {
    const b = await browserFor({ emailVerified: true });
    const claims = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
    const { res, agent } = await b.login('ada@corp.test', { [`${claims}/givenname`]: 'Ada', [`${claims}/surname`]: 'Lovelace' });
    assert.equal(res.status, 303);
    const user = (await storage.getUser((await sessionUser(agent))!))!;
    assert.equal(user.email, 'ada@corp.test');
    assert.equal(user.email_verified, true);
    assert.equal(user.given_name, 'Ada');
    assert.equal(user.family_name, 'Lovelace');
  });

  it('takes the user id from userIdAttribute when the NameID is transient, and refuses a transient NameID otherwise', async () => {
    const transient = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
    const b = await browserFor({ userIdAttribute: 'employeeNumber', identifierFormat: transient });
    const request = await b.begin();
    const spec = { ...b.spec(request, '_t1', { employeeNumber: 'E-42', mail: 'e42@corp.test' }), nameIDFormat: transient };
    const { res, agent } = await b.post(await idp.signedResponse(b.sp, spec), request.relayState);
    assert.equal(res.status, 303);
    assert.equal(await sessionUser(agent), `samlp|${b.app.name}|E-42`);

    const plain = await browserFor({ identifierFormat: transient });
    const again = await plain.begin();
    const refused = await plain.post(await idp.signedResponse(plain.sp, { ...plain.spec(again, '_t2'), nameIDFormat: transient }), again.relayState);
    assert.equal(refused.res.status, 502);
    assert.equal(await sessionUser(refused.agent), null);
  });

  it('turns an IdP error status into connection_login_failed (401), also when an assertion comes with it', async () => {
    const b = await browserFor();
    const responder = 'urn:oasis:names:tc:SAML:2.0:status:Responder';
    const withoutAssertion = (xml: string) => xml.replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/u, '');
    for (const edit of [withoutAssertion, (xml: string) => xml]) {
      const request = await b.begin();
      const spec = { ...b.spec(request, 'x@corp.test'), statusCode: responder };
      const { res, agent } = await b.post(await idp.signedResponse(b.sp, spec, edit), request.relayState);
      assert.equal(res.status, 401);
      assert.match(res.text, /did not succeed/u);
      assert.equal(await sessionUser(agent), null);
      assert.match((await failureReasons(storage, b.app.name))[0] ?? '', /Responder/u);
    }
    assert.equal(await storage.getUser(`samlp|${b.app.name}|x@corp.test`), null);
  });

  it('publishes SP metadata samlify can read: entity ID, ACS, NameID format, and the signing certificate when requests are signed', async () => {
    const b = await browserFor();
    const res = await supertest(b.app.url).get(`/auth/${b.app.name}/metadata`).expect(200);
    assert.match(res.headers['content-type'] ?? '', /^application\/samlmetadata\+xml/u);
    assert.equal(b.sp.entityMeta.getEntityID(), b.app.spEntityID);
    assert.equal(b.sp.entityMeta.getAssertionConsumerService('post'), b.app.acsUrl);
    assert.match(res.text, /AuthnRequestsSigned="false"/u);
    assert.doesNotMatch(res.text, /WantAssertionsSigned="true"|SingleLogoutService/u);

    const signed = await browserFor({ signAuthnRequests: { privateKey: spKeys.privateKey, cert: spKeys.cert }, logoutUrl: SLO, spIssuer: 'urn:gatehouse:test-sp' });
    const meta = await supertest(signed.app.url).get(`/auth/${signed.app.name}/metadata`).expect(200);
    assert.match(meta.text, /AuthnRequestsSigned="true"/u);
    assert.match(meta.text, /entityID="urn:gatehouse:test-sp"/u);
    assert.match(meta.text, new RegExp(`SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${signed.app.acsUrl}"`, 'u'));
    const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/gu, '');
    assert.ok(body(meta.text).includes(body(spKeys.cert)));
  });

  it('signs AuthnRequests when asked, and the IdP verifies them with the published certificate', async () => {
    const strictIdp = new TestIdp({ entityID: IDP, ssoUrl: SSO, sloUrl: SLO, keys: idpKeys, wantAuthnRequestsSigned: true });
    const b = await browserFor({ signAuthnRequests: { privateKey: spKeys.privateKey, cert: spKeys.cert } }, strictIdp);
    const request = await b.begin();
    const { res } = await b.post(await strictIdp.signedResponse(b.sp, b.spec(request, 'signed@corp.test')), request.relayState);
    assert.equal(res.status, 303);

    // The same IdP refuses an unsigned request: the check above is real.
    const unsigned = await browserFor({}, strictIdp);
    const location = (await supertest(unsigned.app.url).get(`/auth/${unsigned.app.name}`).expect(302)).headers.location as string;
    await assert.rejects(strictIdp.parseAuthnRequest(b.sp, location));
  });

  it('logs out at the IdP (SP-initiated): POST /auth/logout sends a LogoutRequest, the IdP\'s answer returns to returnTo', async () => {
    const b = await browserFor({ logoutUrl: SLO });
    const request = await b.begin();
    const spec = b.spec(request, 'leave@corp.test');
    const { res, agent } = await b.post(await idp.signedResponse(b.sp, spec), request.relayState);
    assert.equal(res.status, 303);
    const csrf = ((await agent.get('/auth/csrf-token').expect(200)).body as { csrfToken: string }).csrfToken;
    const logout = await agent.post('/auth/logout').type('form').send({ _csrf: csrf, returnTo: '/goodbye' }).expect(303);
    const location = logout.headers.location as string;
    assert.ok(location.startsWith(`${SLO}?`), location);
    assert.equal(await sessionUser(agent), null);

    // samlify reads the LogoutRequest: the session's NameID and SessionIndex.
    const answer = new URL(await idp.logoutResponse(b.sp, location));
    assert.equal(`${answer.origin}${answer.pathname}`, b.app.acsUrl);
    assert.ok(answer.searchParams.get('Signature'));
    const back = await supertest(b.app.url).get(`${answer.pathname}${answer.search}`);
    assert.equal(back.status, 303, (await failureReasons(storage, b.app.name)).join('; '));
    assert.equal(back.headers.location, `${b.app.baseUrl}/goodbye`);

    const sessionIndex = /SessionIndex[^>]*>([^<]+)</u.exec(
      inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLRequest')!, 'base64')).toString(),
    );
    assert.equal(sessionIndex?.[1], spec.sessionIndex);

    const local = await browserFor();
    assert.equal(await local.app.connection.logoutUrl!({ sessionData: { nameID: 'x' }, providerUserId: 'x', returnTo: '/' }), null);
  });

  it('offers the connection on the hosted login page', async () => {
    const b = await browserFor({ displayName: 'Corp SSO' });
    const page = await supertest(b.app.url).get('/auth/login').query({ returnTo: '/private' }).expect(200);
    assert.match(page.text, new RegExp(`href="/auth/${b.app.name}\\?returnTo=[^"]*"[^>]*>Continue with Corp SSO<`, 'u'));
  });

  it('validates its options at construction with TypeErrors naming the option', () => {
    const base = { name: 'corp', entryPoint: SSO, idpCert: idpKeys.cert, idpIssuer: IDP };
    assert.doesNotThrow(() => saml(base));
    assert.throws(() => saml({ ...base, idpCert: 'not a certificate' }), /idpCert/u);
    assert.throws(() => saml({ ...base, idpCerts: [idpKeys.cert] }), /exactly one of "idpCert" and "idpCerts"/u);
    assert.throws(() => saml({ ...base, name: 'Corp!' }), /"name"/u);
    assert.throws(() => saml({ ...base, name: 'login' }), /"name"/u);
    assert.throws(() => saml({ ...base, entryPoint: 'ftp://idp' }), /"entryPoint"/u);
    assert.throws(() => saml({ ...base, rolesAttribute: 'groups' }), /rolesAttribute/u);
    assert.throws(() => saml({ ...base, clockSkewMs: -1 }), /clockSkewMs/u);
    assert.throws(() => saml({ ...base, allowIdpInitiated: 'yes' as unknown as boolean }), /allowIdpInitiated/u);
    assert.throws(() => saml({ ...base, attributeMap: { shoeSize: 'x' } as never }), /attributeMap.shoeSize/u);
    const c = saml({ ...base, idpCert: idpKeys.cert.replace(/-----[A-Z ]+-----|\n/gu, '') });
    assert.equal(c.kind, 'enterprise');
    assert.equal(c.loginMode, 'redirect');
    assert.deepEqual(c.documentPaths, ['metadata']);
  });
});
