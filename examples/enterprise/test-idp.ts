import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as xmllint from '@authenio/samlify-node-xmllint';
import escapeHtml from 'escape-html';
import express, { type Request, type Response } from 'express';
import samlify from 'samlify';

// Every SAML message samlify reads (the SP's metadata and AuthnRequests) is schema-validated first.
samlify.setSchemaValidator(xmllint);

const run = promisify(execFile);
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
/** How long a response may be used: as short as a real IdP's. */
const RESPONSE_LIFETIME_MS = 5 * 60 * 1000;

/** Someone the test IdP can sign in as. The email is the NameID; `groups` is a multi-valued attribute. */
export interface TestIdpUser {
  email: string;
  givenName: string;
  familyName: string;
  groups: readonly string[];
}

/** The test IdP's people. Grace is in no group: she signs in with no role. */
export const TEST_IDP_USERS: readonly TestIdpUser[] = [
  { email: 'jane@example.org', givenName: 'Jane', familyName: 'Doe', groups: ['engineering'] },
  { email: 'john@example.org', givenName: 'John', familyName: 'Smith', groups: ['sales'] },
  { email: 'grace@example.org', givenName: 'Grace', familyName: 'Hopper', groups: [] },
];

export interface TestIdpOptions {
  /** Where the SP publishes its metadata (`<baseUrl>/auth/<connection>/metadata`), read at each login. */
  spMetadataUrl: string;
  /** The TCP port on 127.0.0.1; 0 picks a free one. @default 7000 */
  port?: number;
  /** The host name in the IdP's URLs (entity ID, SSO URL). @default 'localhost' */
  hostname?: string;
  /** Where the signing key and certificate are kept, made on first start. @default './data/test-idp' */
  dir?: string;
  /** @default TEST_IDP_USERS */
  users?: readonly TestIdpUser[];
}

/** A running test IdP: what the SP's connection needs (`entryPoint`, `idpIssuer`, `idpCert`). */
export interface TestIdp {
  url: string;
  /** The IdP's entity ID (`idpIssuer`), which is also its metadata URL. */
  entityID: string;
  /** The Single Sign-On URL (`entryPoint`), HTTP-Redirect binding. */
  ssoUrl: string;
  /** The signing certificate (PEM), `idpCert`. */
  cert: string;
  certFile: string;
  close(): Promise<void>;
}

/** The signing key and its self-signed certificate: made once, then reused so the SP's `idpCert` stays valid. */
async function signingKeys(dir: string): Promise<{ privateKey: string; cert: string; certFile: string }> {
  const keyFile = join(dir, 'idp-key.pem');
  const certFile = join(dir, 'idp-cert.pem');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    // node:crypto cannot make certificates; openssl can.
    await run('openssl', ['req', '-new', '-x509', '-key', keyFile, '-subj', '/CN=Gatehouse test IdP', '-days', '3650', '-out', certFile]);
  }
  return { privateKey: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{background:#f3f4f8;padding:1rem;overflow:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}.warning{background:#fff4d6;padding:.5rem 1rem}</style></head>
<body><main><p class="warning">Gatehouse <strong>test IdP</strong>: signs anyone in without a password. For local development only.</p>${body}</main></body></html>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/** The AuthnStatement and AttributeStatement samlify's default response template leaves to the IdP. */
function statements(user: TestIdpUser, now: string): { authn: string; attributes: string } {
  const attributes: Record<string, readonly string[]> = {
    email: [user.email],
    givenName: [user.givenName],
    sn: [user.familyName],
    displayName: [`${user.givenName} ${user.familyName}`],
    groups: user.groups,
  };
  const xml = Object.entries(attributes).filter(([, values]) => values.length > 0).map(([name, values]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeHtml(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`);
  return {
    authn: `<saml:AuthnStatement AuthnInstant="${now}" SessionIndex="_${randomBytes(16).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    attributes: `<saml:AttributeStatement>${xml.join('')}</saml:AttributeStatement>`,
  };
}

/**
 * A development SAML IdP on samlify, on 127.0.0.1 only: it serves its metadata at `/metadata`,
 * reads the SP's metadata and SP-initiated AuthnRequests (HTTP-Redirect) at `/sso`, lets you pick
 * who to sign in as, and posts a signed response to the ACS URL of the SP's metadata.
 */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const users = options.users ?? TEST_IDP_USERS;
  const keys = await signingKeys(resolve(options.dir ?? './data/test-idp'));
  const app = express();
  const server = createServer(app);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 7000, '127.0.0.1', done);
  });
  const url = `http://${options.hostname ?? 'localhost'}:${(server.address() as AddressInfo).port}`;
  const entityID = `${url}/metadata`;
  const ssoUrl = `${url}/sso`;
  const idp = samlify.IdentityProvider({
    entityID,
    privateKey: keys.privateKey,
    signingCert: keys.cert,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
    singleLogoutService: [{ Binding: REDIRECT, Location: `${url}/slo` }],
  });

  /** The SP, from its metadata as published now (the app may have restarted with a new key). */
  async function serviceProvider(): Promise<samlify.ServiceProviderInstance> {
    const res = await fetch(options.spMetadataUrl).catch(() => null);
    if (!res?.ok) throw new Error(`Could not read the SP's metadata at ${options.spMetadataUrl}: is the app running?`);
    // node-saml wants the whole Response signed, not only the Assertion.
    return samlify.ServiceProvider({ metadata: await res.text(), wantMessageSigned: true });
  }

  /** Reads and checks an AuthnRequest from the query string as it was sent (the signed octets, if signed). */
  async function authnRequest(sp: samlify.ServiceProviderInstance, queryString: string) {
    const query = Object.fromEntries(new URLSearchParams(queryString));
    if (typeof query.SAMLRequest !== 'string') throw new Error('No SAMLRequest: start the login at the app.');
    const octetString = queryString.split('&').filter((p) => !p.startsWith('Signature=')).join('&');
    const info = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
    const issuer = info.extract.issuer;
    if (issuer !== sp.entityMeta.getEntityID()) throw new Error(`The AuthnRequest's issuer ${String(issuer)} is not the SP of ${options.spMetadataUrl}.`);
    return { info, relayState: query.RelayState, issuer };
  }

  const failed = (res: Response, err: unknown) =>
    res.status(400).type('html').send(page('Test IdP: error', `<h1>Cannot sign in</h1><p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`));

  app.get('/', (_req, res) => {
    res.type('html').send(page('Gatehouse test IdP', `<h1>Gatehouse test IdP</h1><p>Entity ID and metadata: <a href="/metadata">${escapeHtml(entityID)}</a>.
      SSO URL: ${escapeHtml(ssoUrl)}. Start a login at the app; this IdP serves the SP of <a href="${escapeHtml(options.spMetadataUrl)}">${escapeHtml(options.spMetadataUrl)}</a>.</p>`));
  });

  // Announced in the metadata because IdPs usually have it; there is no IdP session to end here.
  app.get('/slo', (_req, res) => {
    res.type('html').send(page('Test IdP: signed out', '<h1>Signed out</h1><p>This test IdP keeps no sessions: there is nothing to sign out of.</p>'));
  });

  app.get('/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(idp.getMetadata());
  });

  // Step 1: the browser arrives with the SP's AuthnRequest; show who it can sign in as.
  app.get('/sso', (req: Request, res: Response) => {
    const queryString = req.originalUrl.split('?')[1] ?? '';
    (async () => {
      const { issuer } = await authnRequest(await serviceProvider(), queryString);
      const choices = users.map((u, i) => `<label><input type="radio" name="user" value="${escapeHtml(u.email)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(`${u.givenName} ${u.familyName}`)} &lt;${escapeHtml(u.email)}&gt;${u.groups.length ? `, groups: ${escapeHtml(u.groups.join(', '))}` : ''}</label><br>`);
      res.set('Cache-Control', 'no-store').type('html').send(page('Test IdP: sign in', `<h1>Sign in to ${escapeHtml(String(issuer))}</h1>
<form method="post" action="/sso">${hidden('request', queryString)}<fieldset><legend>Sign in as</legend>${choices.join('\n')}</fieldset><p><button type="submit">Sign in</button></p></form>`));
    })().catch((err: unknown) => failed(res, err));
  });

  // Step 2: the chosen user: a signed response for the ACS, in a form the browser posts there.
  app.post('/sso', express.urlencoded({ extended: false, limit: '64kb' }), (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    (async () => {
      const user = users.find((u) => u.email === body.user);
      if (!user || typeof body.request !== 'string') throw new Error('Choose someone to sign in as.');
      const sp = await serviceProvider();
      const { info, relayState } = await authnRequest(sp, body.request);
      const now = new Date();
      const { authn, attributes } = statements(user, now.toISOString());
      const id = `_${randomBytes(16).toString('hex')}`;
      const acs = sp.entityMeta.getAssertionConsumerService('post');
      const acsUrl = Array.isArray(acs) ? acs[0] : acs;
      const result = await idp.createLoginResponse(sp, { extract: info.extract }, 'post', { email: user.email }, {
        customTagReplacement: (template) => ({
          id,
          context: samlify.SamlLib.replaceTagsByValue(template.replace('{AuthnStatement}', authn).replace('{AttributeStatement}', attributes), {
            ID: id,
            AssertionID: `_${randomBytes(16).toString('hex')}`,
            Destination: acsUrl,
            Audience: sp.entityMeta.getEntityID(),
            SubjectRecipient: acsUrl,
            Issuer: entityID,
            IssueInstant: now.toISOString(),
            StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
            ConditionsNotBefore: now.toISOString(),
            ConditionsNotOnOrAfter: new Date(now.getTime() + RESPONSE_LIFETIME_MS).toISOString(),
            SubjectConfirmationDataNotOnOrAfter: new Date(now.getTime() + RESPONSE_LIFETIME_MS).toISOString(),
            NameIDFormat: EMAIL_FORMAT,
            NameID: user.email,
            InResponseTo: String(info.extract.request?.id),
          }),
        }),
      });
      const signed = result.context;
      const xml = Buffer.from(signed, 'base64').toString('utf8');
      res.set('Cache-Control', 'no-store').type('html').send(page('Test IdP: signed in', `<h1>Signed in as ${escapeHtml(`${user.givenName} ${user.familyName}`)}</h1>
<p>This signed response goes back to the app's ACS, ${escapeHtml(String(acsUrl))}.</p>
<form method="post" action="${escapeHtml(String(acsUrl))}">${hidden('SAMLResponse', signed)}${typeof relayState === 'string' ? hidden('RelayState', relayState) : ''}<button type="submit">Continue to the app</button></form>
<details><summary>The signed SAML response</summary><pre>${escapeHtml(xml)}</pre></details>`));
    })().catch((err: unknown) => failed(res, err));
  });

  return {
    url,
    entityID,
    ssoUrl,
    cert: keys.cert,
    certFile: keys.certFile,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

// `npm run idp`: start it for the example app and print where things are.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const baseUrl = process.env.BASE_URL ?? 'http://localhost:3001';
  const spMetadataUrl = process.env.SP_METADATA_URL ?? `${baseUrl}/auth/corp-sso/metadata`;
  const idp = await startTestIdp({ spMetadataUrl, port: Number(process.env.IDP_PORT ?? 7000), dir: process.env.IDP_DATA_DIR ?? './data/test-idp' });
  const people = TEST_IDP_USERS.map((u) => `    ${u.email.padEnd(20)} groups: ${u.groups.join(', ') || '(none)'}`);
  console.log(`\nGatehouse test SAML IdP on ${idp.url} (development only: no passwords)
  entity ID / metadata: ${idp.entityID}
  SSO URL:              ${idp.ssoUrl}
  signing certificate:  ${idp.certFile}
  serves the SP of:     ${spMetadataUrl}
  people:
${people.join('\n')}
Ctrl-C stops it.\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void idp.close());
  }
}
