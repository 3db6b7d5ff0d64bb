import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as xmllint from '@authenio/samlify-node-xmllint';
import * as samlify from 'samlify';

samlify.setSchemaValidator(xmllint);

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** A test-only key pair and self-signed certificate, made at test time (nothing private is committed). */
export interface KeyPair {
  privateKey: string;
  cert: string;
}

/** A fresh RSA key with a self-signed certificate (openssl makes the certificate; node:crypto cannot). */
export function generateKeyPair(cn: string): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-saml-key-'));
  try {
    writeFileSync(join(dir, 'key.pem'), pem, { mode: 0o600 });
    const cert = execFileSync('openssl', ['req', '-new', '-x509', '-key', join(dir, 'key.pem'), '-subj', `/CN=${cn}`, '-days', '2'], { encoding: 'utf8' });
    return { privateKey: pem, cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const escape = (s: string) => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');

/** Everything a login response says; each test changes what it is about. Null leaves an attribute out. */
export interface ResponseSpec {
  id: string;
  assertionId: string;
  inResponseTo: string | null;
  destination: string | null;
  issuer: string;
  assertionIssuer: string;
  audience: string;
  recipient: string;
  nameID: string;
  nameIDFormat: string;
  issueInstant: string;
  notBefore: string;
  notOnOrAfter: string;
  subjectNotOnOrAfter: string;
  sessionIndex: string;
  statusCode: string;
  attributes: Record<string, string | string[]>;
}

function attributeStatement(attributes: Record<string, string | string[]>): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '';
  const attrs = entries.map(([name, value]) => {
    const values = (Array.isArray(value) ? value : [value])
      .map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`)
      .join('');
    return `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values}</saml:Attribute>`;
  });
  return `<saml:AttributeStatement>${attrs.join('')}</saml:AttributeStatement>`;
}

/**
 * The response XML, unsigned: samlify's own login-response template with samlify's tag
 * replacement (which escapes values and drops attributes whose value is null), plus an
 * AuthnStatement and an AttributeStatement.
 */
export function renderResponse(spec: ResponseSpec): string {
  const template = samlify.SamlLib.defaultLoginResponseTemplate.context
    .replace('{AuthnStatement}', `<saml:AuthnStatement AuthnInstant="${spec.issueInstant}" SessionIndex="${escape(spec.sessionIndex)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`)
    .replace('{AttributeStatement}', attributeStatement(spec.attributes))
    // The default template uses {Issuer} twice; the tests need the two apart.
    .replace(/(<saml:Assertion[^>]*><saml:Issuer>)\{Issuer\}/u, '$1{AssertionIssuer}');
  return samlify.SamlLib.replaceTagsByValue(template, {
    ID: spec.id,
    AssertionID: spec.assertionId,
    Destination: spec.destination,
    Audience: spec.audience,
    SubjectRecipient: spec.recipient,
    Issuer: spec.issuer,
    AssertionIssuer: spec.assertionIssuer,
    IssueInstant: spec.issueInstant,
    StatusCode: spec.statusCode,
    ConditionsNotBefore: spec.notBefore,
    ConditionsNotOnOrAfter: spec.notOnOrAfter,
    SubjectConfirmationDataNotOnOrAfter: spec.subjectNotOnOrAfter,
    NameIDFormat: spec.nameIDFormat,
    NameID: spec.nameID,
    InResponseTo: spec.inResponseTo,
  } as Record<string, unknown> as Record<string, string>);
}

export const samlId = () => `_${randomBytes(16).toString('hex')}`;
const iso = (ms: number) => new Date(ms).toISOString();

export interface TestIdpOptions {
  entityID: string;
  ssoUrl: string;
  sloUrl: string;
  keys: KeyPair;
  wantAuthnRequestsSigned?: boolean;
}

/** What the SP's AuthnRequest asked, as samlify's IdP read it. */
export interface ParsedAuthnRequest {
  id: string;
  relayState: string | undefined;
  acsUrl: string;
  issuer: string;
  requestInfo: unknown;
}

/**
 * samlify as an independent IdP: it reads the SP's metadata and AuthnRequests (schema-validated
 * by xmllint) and signs the login responses the tests describe.
 */
export class TestIdp {
  readonly entityID: string;
  readonly ssoUrl: string;
  readonly keys: KeyPair;
  private readonly idp: samlify.IdentityProviderInstance;

  constructor(options: TestIdpOptions) {
    this.entityID = options.entityID;
    this.ssoUrl = options.ssoUrl;
    this.keys = options.keys;
    this.idp = samlify.IdentityProvider({
      entityID: options.entityID,
      privateKey: options.keys.privateKey,
      signingCert: options.keys.cert,
      nameIDFormat: [EMAIL_FORMAT],
      wantAuthnRequestsSigned: options.wantAuthnRequestsSigned ?? false,
      singleSignOnService: [{ Binding: REDIRECT, Location: options.ssoUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: options.sloUrl }],
    });
  }

  /** The same IdP name with another key: what an attacker who does not hold the IdP's key can sign. */
  withKeys(keys: KeyPair): TestIdp {
    return new TestIdp({ entityID: this.entityID, ssoUrl: this.ssoUrl, sloUrl: 'https://unused.test/slo', keys });
  }

  /** samlify's view of the SP, from the SP's own metadata document. */
  serviceProvider(metadata: string, options: { wantMessageSigned?: boolean } = {}): samlify.ServiceProviderInstance {
    return samlify.ServiceProvider({ metadata, wantMessageSigned: options.wantMessageSigned ?? true, wantLogoutResponseSigned: true });
  }

  /** Reads the AuthnRequest of a redirect to the IdP (the `Location` of `GET /auth/<connection>`). */
  async parseAuthnRequest(sp: samlify.ServiceProviderInstance, location: string): Promise<ParsedAuthnRequest> {
    const url = new URL(location);
    if (`${url.origin}${url.pathname}` !== this.ssoUrl) throw new Error(`the SP redirected to ${location}, not the IdP's SSO URL`);
    // The signed octet string is the query as sent, without the Signature parameter.
    const octetString = url.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&');
    const requestInfo = await this.idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString } as never);
    const extract = (requestInfo as unknown as { extract: { request: { id: string; assertionConsumerServiceUrl: string }; issuer: string } }).extract;
    return {
      id: extract.request.id,
      relayState: url.searchParams.get('RelayState') ?? undefined,
      acsUrl: extract.request.assertionConsumerServiceUrl,
      issuer: extract.issuer,
      requestInfo,
    };
  }

  /** A response spec valid for this SP: the tests change one thing at a time. */
  spec(sp: { acsUrl: string; entityID: string }, inResponseTo: string | null, nameID: string, attributes: Record<string, string | string[]> = {}): ResponseSpec {
    const now = Date.now();
    return {
      id: samlId(),
      assertionId: samlId(),
      inResponseTo,
      destination: sp.acsUrl,
      issuer: this.entityID,
      assertionIssuer: this.entityID,
      audience: sp.entityID,
      recipient: sp.acsUrl,
      nameID,
      nameIDFormat: EMAIL_FORMAT,
      issueInstant: iso(now),
      notBefore: iso(now - 60_000),
      notOnOrAfter: iso(now + 5 * 60_000),
      subjectNotOnOrAfter: iso(now + 5 * 60_000),
      sessionIndex: samlId(),
      statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      attributes,
    };
  }

  /**
   * A login response signed by samlify as the SP's metadata asks (the Assertion when it says
   * WantAssertionsSigned) and as `wantMessageSigned` asks (the Response). Base64, as posted.
   */
  async signedResponse(sp: samlify.ServiceProviderInstance, spec: ResponseSpec, edit: (xml: string) => string = (x) => x): Promise<string> {
    const requestInfo = spec.inResponseTo === null ? {} : { extract: { request: { id: spec.inResponseTo } } };
    const result = await this.idp.createLoginResponse(sp, requestInfo as never, 'post', { email: spec.nameID }, {
      customTagReplacement: () => ({ id: spec.id, context: edit(renderResponse(spec)) }),
    } as never);
    return (result as { context: string }).context;
  }

  /** Reads an SP's LogoutRequest (a redirect URL) and answers with a signed LogoutResponse: the redirect URL back to the SP. */
  async logoutResponse(sp: samlify.ServiceProviderInstance, location: string): Promise<string> {
    const url = new URL(location);
    const requestInfo = await this.idp.parseLogoutRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams), octetString: url.search.slice(1) } as never);
    const relayState = url.searchParams.get('RelayState') ?? '';
    return (this.idp.createLogoutResponse(sp, requestInfo as never, 'redirect', { relayState } as never) as { context: string }).context;
  }
}

export const fromBase64 = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
export const toBase64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
