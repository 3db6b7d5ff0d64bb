import { DOMParser } from '@xmldom/xmldom';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const ELEMENT_NODE = 1;

/** What a login response must match, beyond what node-saml checks. */
export interface ResponseExpectations {
  /** The ACS URL: the Destination of the response and the Recipient of the bearer confirmation. */
  acsUrl: string;
  idpIssuer: string;
  allowUnsolicited: boolean;
  now: number;
  clockSkewMs: number;
}

/** What the checks learned, for the replay cache. */
export interface ResponseFacts {
  assertionId: string;
  /** The end of the assertion's lifetime: past it, node-saml refuses the assertion anyway. */
  notOnOrAfter: number;
  inResponseTo: string | null;
}

/** A response that fails a check; the message is for the audit log. */
export class SamlCheckError extends Error {
  /** True when the IdP itself said the login failed (a non-Success status), rather than the message being bad. */
  readonly idpStatus: boolean;

  constructor(message: string, idpStatus = false) {
    super(message);
    this.name = 'SamlCheckError';
    this.idpStatus = idpStatus;
  }
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

function parse(xml: string, what: string): Element {
  const fail = (msg: string) => {
    throw new SamlCheckError(`${what} is not well-formed XML: ${msg}`);
  };
  const doc = new DOMParser({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml');
  if (!doc.documentElement) throw new SamlCheckError(`${what} has no root element`);
  return doc.documentElement;
}

function children(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const el = node as Element;
    if (node.nodeType === ELEMENT_NODE && el.namespaceURI === ns && el.localName === localName) out.push(el);
  }
  return out;
}

/** The text of an element, all of it: comments inside (`user@corp.com<!---->.evil.com`) do not cut it short. */
function textOf(el: Element): string {
  return el.textContent ?? '';
}

function time(value: string | null, what: string): number | null {
  if (value === null || value === '') return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SamlCheckError(`${what} is not a timestamp`);
  return ms;
}

function checkIssuer(parent: Element, expected: string, what: string, required: boolean): void {
  const issuers = children(parent, ASSERTION, 'Issuer');
  if (issuers.length > 1) throw new SamlCheckError(`${what} has ${issuers.length} Issuer elements`);
  if (issuers.length === 0) {
    if (required) throw new SamlCheckError(`${what} has no Issuer`);
    return;
  }
  const issuer = textOf(issuers[0]!);
  if (issuer !== expected) throw new SamlCheckError(`${what} Issuer is ${JSON.stringify(issuer)}, not the IdP's ${JSON.stringify(expected)}`);
}

/**
 * The response-level checks. `responseXml` is the raw message: when the Response is signed,
 * node-saml has verified that its one signature covers the root element, so the root's
 * attributes and Issuer read here are the signed ones. Destination and Issuer are required on a
 * signed response (SAML bindings 3.5.5.2, profiles 4.1.4.2).
 */
function checkResponseRoot(responseXml: string, expect: ResponseExpectations): { inResponseTo: string | null } {
  const root = parse(responseXml, 'the response');
  if (root.namespaceURI !== PROTOCOL || root.localName !== 'Response') throw new SamlCheckError('the message is not a samlp:Response');
  const signed = children(root, XMLDSIG, 'Signature').length > 0;
  const destination = root.getAttribute('Destination');
  if (destination ? destination !== expect.acsUrl : signed) {
    throw new SamlCheckError(`the response Destination is ${JSON.stringify(destination)}, not this ACS ${JSON.stringify(expect.acsUrl)}`);
  }
  checkIssuer(root, expect.idpIssuer, 'the response', signed);
  // node-saml reads the status only when there is no assertion: an assertion beside an error
  // status would otherwise sign the user in.
  const codes = children(root, PROTOCOL, 'Status').flatMap((status) => children(status, PROTOCOL, 'StatusCode'));
  const code = codes.length === 1 ? codes[0]!.getAttribute('Value') : null;
  if (code !== SUCCESS) throw new SamlCheckError(`the response status is ${JSON.stringify(code)}, not Success`, true);
  const inResponseTo = root.getAttribute('InResponseTo') || null;
  if (inResponseTo === null && !expect.allowUnsolicited) throw new SamlCheckError('an unsolicited response (no InResponseTo) and IdP-initiated login is off');
  return { inResponseTo };
}

/**
 * The assertion-level checks, on the assertion node-saml verified (`assertionXml` holds only
 * signed content). The SAML Web Browser SSO profile (4.1.4.2) requires a bearer
 * SubjectConfirmation whose data names this ACS as Recipient, has NotOnOrAfter, and answers the
 * request the response answers.
 */
function checkAssertion(assertionXml: string, inResponseTo: string | null, expect: ResponseExpectations): ResponseFacts {
  const assertion = parse(assertionXml, 'the assertion');
  if (assertion.namespaceURI !== ASSERTION || assertion.localName !== 'Assertion') throw new SamlCheckError('the signed content is not a saml:Assertion');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new SamlCheckError('the assertion has no ID');
  checkIssuer(assertion, expect.idpIssuer, 'the assertion', true);

  const subjects = children(assertion, ASSERTION, 'Subject');
  if (subjects.length !== 1) throw new SamlCheckError(`the assertion has ${subjects.length} Subject elements`);
  let confirmedUntil: number | null = null;
  const seen: string[] = [];
  for (const confirmation of children(subjects[0]!, ASSERTION, 'SubjectConfirmation')) {
    if (confirmation.getAttribute('Method') !== BEARER) continue;
    for (const data of children(confirmation, ASSERTION, 'SubjectConfirmationData')) {
      const recipient = data.getAttribute('Recipient');
      const notOnOrAfter = time(data.getAttribute('NotOnOrAfter'), 'SubjectConfirmationData NotOnOrAfter');
      const notBefore = time(data.getAttribute('NotBefore'), 'SubjectConfirmationData NotBefore');
      const answers = data.getAttribute('InResponseTo') || null;
      seen.push(`Recipient ${JSON.stringify(recipient)}`);
      if (recipient !== expect.acsUrl || notOnOrAfter === null) continue;
      if (expect.now - expect.clockSkewMs >= notOnOrAfter) continue;
      if (notBefore !== null && expect.now + expect.clockSkewMs < notBefore) continue;
      if (answers !== inResponseTo) continue;
      confirmedUntil = Math.max(confirmedUntil ?? 0, notOnOrAfter);
    }
  }
  if (confirmedUntil === null) {
    throw new SamlCheckError(`no bearer SubjectConfirmation for this ACS ${JSON.stringify(expect.acsUrl)}, in time and for this request (${seen.join(', ') || 'none'})`);
  }
  // The assertion lives until its last NotOnOrAfter; its replay marker must live as long.
  let notOnOrAfter = confirmedUntil;
  for (const conditions of children(assertion, ASSERTION, 'Conditions')) {
    const until = time(conditions.getAttribute('NotOnOrAfter'), 'Conditions NotOnOrAfter');
    if (until !== null) notOnOrAfter = Math.max(notOnOrAfter, until);
  }
  return { assertionId, notOnOrAfter, inResponseTo };
}

/**
 * The checks node-saml leaves to the SP: the Issuer of the response and of the assertion, the
 * Destination and the Recipient against this ACS, a refused unsolicited response, and the facts
 * the replay cache needs. Throws a SamlCheckError naming what failed.
 */
export function checkLoginResponse(responseXml: string, assertionXml: string, expect: ResponseExpectations): ResponseFacts {
  const { inResponseTo } = checkResponseRoot(responseXml, expect);
  return checkAssertion(assertionXml, inResponseTo, expect);
}
