import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateRawSync } from 'node:zlib';
import type { Storage } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import supertest from 'supertest';
import {
  commentInDigestValue,
  commentInNameId,
  secondRoot,
  signWithTwoReferences,
  stripSignatures,
  wrapAssertion,
  wrapResponse,
  type AssertionWrapping,
  type ResponseWrapping,
} from '../support/saml-attacks.js';
import { connectionName, failureReasons, SamlBrowser, sessionUser, startSamlApp, type SamlApp } from '../support/saml-app.js';
import { generateKeyPair, renderResponse, TestIdp, toBase64, type KeyPair, type ResponseSpec } from '../support/saml-idp.js';
import { requireTestDatabase, removeTestDatabase, testDatabaseKind, testDatabaseUrl } from '../support/test-database.js';

const IDP = 'https://idp.corp.test/metadata';
const SSO = 'https://idp.corp.test/sso';
const SLO = 'https://idp.corp.test/slo';
const ATTACKER = 'mallory@corp.test';
const VICTIM = 'admin@corp.test';

describe('SAML security (SECURITY.md, SAML)', function () {
  let url: string;
  let storage: Storage;
  let idpKeys: KeyPair;
  let attackerKeys: KeyPair;
  let idp: TestIdp;
  let attackerIdp: TestIdp;
  const apps: SamlApp[] = [];
  const extraStorages: Storage[] = [];

  before(async function () {
    url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
    storage = createSequelizeStorage({ url });
    idpKeys = generateKeyPair('idp.corp.test');
    attackerKeys = generateKeyPair('idp.corp.test');
    idp = new TestIdp({ entityID: IDP, ssoUrl: SSO, sloUrl: SLO, keys: idpKeys });
    attackerIdp = idp.withKeys(attackerKeys);
  });

  after(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(extraStorages.map((s) => s.close()));
    await storage?.close();
    if (url) await removeTestDatabase(url);
  });

  async function browserFor(connection: Record<string, unknown> = {}, options: { storage?: Storage; baseUrl?: string; wantMessageSigned?: boolean } = {}) {
    const app = await startSamlApp({
      storage: options.storage ?? storage,
      baseUrl: options.baseUrl,
      connection: { entryPoint: SSO, idpCert: idpKeys.cert, idpIssuer: IDP, ...connection },
    });
    apps.push(app);
    const metadata = await supertest(app.url).get(`/auth/${app.name}/metadata`).expect(200);
    return new SamlBrowser(app, idp, idp.serviceProvider(metadata.text, { wantMessageSigned: options.wantMessageSigned ?? true }));
  }

  /** The answer refuses the login: status, no session, no victim user, and the audit log says why. */
  async function assertRefused(b: SamlBrowser, posted: { res: supertest.Response; agent: supertest.Agent }, reason: RegExp, status = 400) {
    assert.equal(posted.res.status, status, `expected ${status}, got ${posted.res.status}: ${(await failureReasons(storage, b.app.name)).join('; ')}`);
    assert.equal(await sessionUser(posted.agent), null);
    assert.equal(await storage.getUser(`samlp|${b.app.name}|${VICTIM}`), null);
    const reasons = await failureReasons(storage, b.app.name);
    assert.match(reasons[0] ?? '(no audit event)', reason);
  }

  /** A fresh AuthnRequest and a valid spec answering it, for the attacker's own account. */
  async function attempt(b: SamlBrowser, nameID = ATTACKER) {
    const request = await b.begin();
    return { request, spec: b.spec(request, nameID) };
  }

  describe('signatures', () => {
    let b: SamlBrowser;
    let assertionOnly: SamlBrowser;
    before(async () => {
      b = await browserFor();
      // The IdP signs only the Assertion (SP metadata WantAssertionsSigned, no message signature).
      assertionOnly = await browserFor({ wantAuthnResponseSigned: false, wantAssertionsSigned: true }, { wantMessageSigned: false });
    });

    it('accepts the genuine response these attacks start from', async () => {
      for (const browser of [b, assertionOnly]) {
        const { request, spec } = await attempt(browser);
        const posted = await browser.post(await idp.signedResponse(browser.sp, spec), request.relayState);
        assert.equal(posted.res.status, 303, (await failureReasons(storage, browser.app.name)).join('; '));
        assert.equal(await sessionUser(posted.agent), `samlp|${browser.app.name}|${ATTACKER}`);
      }
    });

    it('refuses an unsigned response and assertion', async () => {
      for (const browser of [b, assertionOnly]) {
        const { request, spec } = await attempt(browser, VICTIM);
        await assertRefused(browser, await browser.post(toBase64(renderResponse(spec)), request.relayState), /signature/iu);
      }
    });

    it('refuses a response whose signatures were stripped', async () => {
      for (const browser of [b, assertionOnly]) {
        const { request, spec } = await attempt(browser, VICTIM);
        const stripped = stripSignatures(await idp.signedResponse(browser.sp, spec));
        await assertRefused(browser, await browser.post(stripped, request.relayState), /signature/iu);
      }
    });

    it("refuses a response re-signed with the attacker's key, their certificate in KeyInfo", async () => {
      for (const browser of [b, assertionOnly]) {
        const { request, spec } = await attempt(browser, VICTIM);
        const forged = await attackerIdp.signedResponse(browser.sp, spec);
        assert.ok(Buffer.from(forged, 'base64').toString().includes(attackerKeys.cert.split('\n')[1]!.slice(0, 40)));
        await assertRefused(browser, await browser.post(forged, request.relayState), /signature/iu);
      }
    });

    for (const variant of ['signature-object', 'sibling', 'extensions'] as ResponseWrapping[]) {
      it(`refuses XML signature wrapping of the Response (${variant})`, async () => {
        const { request, spec } = await attempt(b);
        const wrapped = wrapResponse(await idp.signedResponse(b.sp, spec), VICTIM, variant);
        await assertRefused(b, await b.post(wrapped, request.relayState), /signature|Referenced node|assertion/iu);
      });
    }

    for (const variant of ['before', 'after', 'wrap', 'extensions', 'signature-object', 'same-id'] as AssertionWrapping[]) {
      it(`refuses XML signature wrapping of the Assertion (${variant})`, async () => {
        const { request, spec } = await attempt(assertionOnly);
        const wrapped = wrapAssertion(await idp.signedResponse(assertionOnly.sp, spec), VICTIM, variant);
        await assertRefused(assertionOnly, await assertionOnly.post(wrapped, request.relayState), /signature|assertion|ID/iu);
      });
    }

    it('refuses a document with two roots', async () => {
      const { request, spec } = await attempt(b);
      await assertRefused(b, await b.post(secondRoot(await idp.signedResponse(b.sp, spec), VICTIM), request.relayState), /element|XML/iu);
    });

    it('refuses a signature with two References, even by the IdP key', async () => {
      const { request, spec } = await attempt(b, VICTIM);
      await assertRefused(b, await b.post(signWithTwoReferences(renderResponse(spec), idpKeys), request.relayState), /signature/iu);
    });

    it('refuses a comment-in-DigestValue forgery', async () => {
      const { request, spec } = await attempt(b);
      const legit = await idp.signedResponse(b.sp, spec);
      const forged = await attackerIdp.signedResponse(b.sp, { ...spec, nameID: VICTIM });
      await assertRefused(b, await b.post(commentInDigestValue(legit, forged), request.relayState), /signature/iu);
    });

    it('reads a signed NameID with a comment inside (user@corp.com<!---->.evil.com) whole', async () => {
      const nameID = 'user@corp.com.evil.com';
      const { request, spec } = await attempt(b, nameID);
      const tampered = commentInNameId(await idp.signedResponse(b.sp, spec), nameID, 'user@corp.com'.length);
      const posted = await b.post(tampered, request.relayState);
      assert.equal(posted.res.status, 303, (await failureReasons(storage, b.app.name)).join('; '));
      assert.equal(await sessionUser(posted.agent), `samlp|${b.app.name}|user@corp.com.evil.com`);
      assert.equal(await storage.getUser(`samlp|${b.app.name}|user@corp.com`), null);
    });
  });

  describe('replay', () => {
    it('accepts a response once when it is posted twice, one after the other', async () => {
      const b = await browserFor();
      const { request, spec } = await attempt(b);
      const response = await idp.signedResponse(b.sp, spec);
      assert.equal((await b.post(response, request.relayState)).res.status, 303);
      await assertRefused(b, await b.post(response, request.relayState), /InResponseTo/u);
    });

    it('accepts a response once when it is posted twice at the same time', async () => {
      const b = await browserFor();
      const { request, spec } = await attempt(b);
      const response = await idp.signedResponse(b.sp, spec);
      const results = await Promise.all([b.post(response, request.relayState), b.post(response, request.relayState)]);
      assert.deepEqual(results.map((r) => r.res.status).sort(), [303, 400]);
      const sessions = await Promise.all(results.map((r) => sessionUser(r.agent)));
      assert.equal(sessions.filter((s) => s !== null).length, 1);
    });

    it('accepts a response once across two app instances sharing the database, sequentially and concurrently', async () => {
      // Two identity() instances behind one public address, each with its own connection pool
      // (SQLite: one storage, the file allows one writer).
      const second = testDatabaseKind() === 'sqlite' ? storage : createSequelizeStorage({ url });
      if (second !== storage) extraStorages.push(second);
      const a = await browserFor();
      const other = await startSamlApp({
        storage: second,
        baseUrl: a.app.baseUrl,
        connection: { name: a.app.name, entryPoint: SSO, idpCert: idpKeys.cert, idpIssuer: IDP },
      });
      apps.push(other);

      const first = await attempt(a);
      const response = await idp.signedResponse(a.sp, first.spec);
      assert.equal((await a.post(response, first.request.relayState)).res.status, 303);
      await assertRefused(a, await a.post(response, first.request.relayState, { to: other }), /InResponseTo/u);

      const again = await attempt(a);
      const twice = await idp.signedResponse(a.sp, again.spec);
      const results = await Promise.all([a.post(twice, again.request.relayState), a.post(twice, again.request.relayState, { to: other })]);
      assert.deepEqual(results.map((r) => r.res.status).sort(), [303, 400]);
    });

    it('refuses a replayed unsolicited response through the assertion cache when IdP-initiated login is on', async () => {
      const b = await browserFor({ allowIdpInitiated: true });
      const response = await idp.signedResponse(b.sp, b.spec(null, ATTACKER));
      assert.equal((await b.post(response)).res.status, 303, (await failureReasons(storage, b.app.name)).join('; '));
      const again = await b.post(response);
      assert.equal(again.res.status, 400);
      assert.equal(await sessionUser(again.agent), null);
      assert.match((await failureReasons(storage, b.app.name))[0] ?? '', /replay/u);
    });
  });

  describe('InResponseTo and IdP-initiated login', () => {
    it('refuses an unknown InResponseTo', async () => {
      const b = await browserFor();
      const { request, spec } = await attempt(b);
      await assertRefused(b, await b.post(await idp.signedResponse(b.sp, { ...spec, inResponseTo: '_not-a-request-of-ours' }), request.relayState), /InResponseTo/u);
    });

    it('refuses an InResponseTo whose request expired', async () => {
      // The shared cache seen 16 minutes later (the request lives 15): one method of the real store
      // overridden, as the house style does failure injection.
      const later = Object.create(storage) as Storage;
      later.cacheGet = (key, now) => storage.cacheGet(key, new Date(now.getTime() + 16 * 60_000));
      later.cacheTake = (key, now) => storage.cacheTake(key, new Date(now.getTime() + 16 * 60_000));
      const b = await browserFor({}, { storage: later });
      const { request, spec } = await attempt(b);
      await assertRefused(b, await b.post(await idp.signedResponse(b.sp, spec), request.relayState), /InResponseTo/u);
    });

    it('refuses an unsolicited response when IdP-initiated login is off (the default)', async () => {
      const b = await browserFor();
      await assertRefused(b, await b.post(await idp.signedResponse(b.sp, b.spec(null, VICTIM))), /InResponseTo/u);
    });

    it('refuses an unsolicited response answering a request when IdP-initiated login is on but the assertion says otherwise', async () => {
      const b = await browserFor({ allowIdpInitiated: true });
      const { request, spec } = await attempt(b, VICTIM);
      // The Response claims to be unsolicited; the signed assertion answers a request.
      const edit = (xml: string) => xml.replace(/ InResponseTo="[^"]*"/u, '');
      await assertRefused(b, await b.post(await idp.signedResponse(b.sp, spec, edit), request.relayState), /SubjectConfirmation/u);
    });
  });

  describe('conditions', () => {
    let b: SamlBrowser;
    before(async () => {
      b = await browserFor();
    });
    const minutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    const cases: [string, (s: ResponseSpec) => Partial<ResponseSpec>, RegExp][] = [
      ['a wrong Audience', () => ({ audience: 'https://other-sp.test/metadata' }), /audience/iu],
      ['a wrong Recipient', (s) => ({ recipient: s.recipient.replace('/callback/', '/callback/x') }), /Recipient/u],
      ['a wrong Destination', () => ({ destination: 'https://other-sp.test/acs' }), /Destination/u],
      ['a missing Destination on a signed response', () => ({ destination: null }), /Destination/u],
      ['a wrong response Issuer', () => ({ issuer: 'https://evil.test/idp' }), /response Issuer/u],
      ['a wrong assertion Issuer', () => ({ assertionIssuer: 'https://evil.test/idp' }), /assertion Issuer/u],
      ['an expired NotOnOrAfter', () => ({ notOnOrAfter: minutes(-10), subjectNotOnOrAfter: minutes(-10) }), /expired|subject confirmation/iu],
      ['an expired Conditions NotOnOrAfter alone', () => ({ notOnOrAfter: minutes(-10) }), /expired/iu],
      ['a NotBefore in the future', () => ({ notBefore: minutes(10) }), /not yet valid/u],
    ];
    for (const [what, change, reason] of cases) {
      it(`refuses ${what}`, async () => {
        const { request, spec } = await attempt(b, VICTIM);
        await assertRefused(b, await b.post(await idp.signedResponse(b.sp, { ...spec, ...change(spec) }), request.relayState), reason);
      });
    }
  });

  describe('DOCTYPE, XXE and entity expansion', () => {
    let b: SamlBrowser;
    let catcher: Server;
    let hits = 0;
    let catcherUrl: string;
    before(async () => {
      b = await browserFor();
      catcher = createServer((_req, res) => {
        hits += 1;
        res.end('<!ENTITY x "pwned">');
      });
      await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
      catcherUrl = `http://127.0.0.1:${(catcher.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => catcher.close(() => resolve())));

    const withDoctype = (doctype: string, entity: string) => (xml: string) =>
      xml.replace('<samlp:Response', `${doctype}<samlp:Response`).replace(`>${VICTIM}<`, `>${entity}<`);
    const payloads = (): [string, (xml: string) => string][] => [
      ['an external entity (XXE) over HTTP', withDoctype(`<!DOCTYPE r [<!ENTITY xxe SYSTEM "${catcherUrl}/xxe">]>`, '&xxe;')],
      ['an external entity reading a file', withDoctype('<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;')],
      ['an external DTD', withDoctype(`<!DOCTYPE r SYSTEM "${catcherUrl}/dtd">`, VICTIM)],
      ['a parameter entity', withDoctype(`<!DOCTYPE r [<!ENTITY % p SYSTEM "${catcherUrl}/p"> %p;]>`, VICTIM)],
      [
        'entity expansion (billion laughs)',
        withDoctype(
          `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">${[...'bcdefghij'].map((c, i) => `<!ENTITY ${c} "${`&${'abcdefghij'[i]};`.repeat(10)}">`).join('')}]>`,
          '&j;',
        ),
      ],
    ];

    it('refuses every DOCTYPE with 400 before parsing, and fetches nothing', async () => {
      for (const [what, edit] of payloads()) {
        const { request, spec } = await attempt(b, VICTIM);
        // Unsigned: the DTD check runs before any XML parser, signature verification included.
        await assertRefused(b, await b.post(toBase64(edit(renderResponse(spec))), request.relayState), /DOCTYPE/u);
        assert.equal(hits, 0, `${what}: the SP fetched ${catcherUrl}`);
      }
    });

    it('refuses a DOCTYPE in the Redirect binding and a deflate bomb, also as GET', async () => {
      const doctype = toBase64Deflated(`<!DOCTYPE r [<!ENTITY xxe SYSTEM "${catcherUrl}/xxe">]><samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&xxe;</samlp:LogoutResponse>`);
      const bomb = toBase64Deflated(`<a>${' '.repeat(8 * 1024 * 1024)}</a>`);
      for (const [payload, reason] of [[doctype, /DOCTYPE/u], [bomb, /inflate/u]] as const) {
        const agent = supertest.agent(b.app.url);
        const res = await agent.get(`/auth/callback/${b.app.name}`).query({ SAMLResponse: payload });
        await assertRefused(b, { res, agent }, reason);
      }
      assert.equal(hits, 0);
    });

    it('refuses a SAMLResponse that is not one base64 string', async () => {
      for (const body of ['SAMLResponse=a&SAMLResponse=b', 'SAMLResponse=%3Cxml%3E', `SAMLResponse=${toBase64('not xml')}`]) {
        const agent = supertest.agent(b.app.url);
        const res = await agent.post(`/auth/callback/${b.app.name}`).type('form').send(body);
        await assertRefused(b, { res, agent }, /SAMLResponse/u);
      }
    });
  });

  it('keeps the connection names of this file apart from other runs', () => {
    assert.match(connectionName(), /^corp[0-9a-f]{8}$/u);
  });
});

function toBase64Deflated(xml: string): string {
  return deflateRawSync(Buffer.from(xml)).toString('base64');
}
