import { inflateRawSync } from 'node:zlib';

/** A SAML message that reached the ACS, before any XML parsing. */
export interface InboundSamlMessage {
  /** `SAMLResponse` (a login or logout response) or `SAMLRequest` (an IdP's logout request). */
  kind: 'SAMLResponse' | 'SAMLRequest';
  binding: 'post' | 'redirect';
  /** The parameter as it arrived (checked by decodeSamlMessage). */
  encoded: unknown;
  relayState: unknown;
}

/** Far above any real response (certificates and a few hundred attributes) and far below what hurts. */
const MAX_XML_BYTES = 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/u;

/**
 * Anything that starts a markup declaration other than a comment or CDATA: `<!DOCTYPE`,
 * `<!ENTITY`, `<!ELEMENT`... A SAML message never needs a DTD, and refusing it before any parser
 * runs rules out XXE (external entity fetches) and entity expansion (billion laughs) whatever the
 * parsers underneath do with DTDs.
 */
const MARKUP_DECLARATION = /<!(?!--|\[CDATA\[)/u;

/** The SAML message of a request to the ACS, or null when there is none (a login being started). */
export function inboundSamlMessage(req: { method?: string; body?: unknown; query?: unknown }): InboundSamlMessage | null {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const kind of ['SAMLResponse', 'SAMLRequest'] as const) {
    if (query[kind] !== undefined) return { kind, binding: 'redirect', encoded: query[kind], relayState: query.RelayState };
    if (req.method === 'POST' && body[kind] !== undefined) return { kind, binding: 'post', encoded: body[kind], relayState: body.RelayState };
  }
  return null;
}

/**
 * The message's XML, checked to be safe to hand to an XML parser: a single base64 string (the
 * Redirect binding's is also deflated, inflated here with a size cap against zip bombs), at most
 * 1 MiB of XML, and no DTD. Throws an Error saying what is wrong.
 */
export function decodeSamlMessage(message: InboundSamlMessage): string {
  const { encoded } = message;
  if (typeof encoded !== 'string' || encoded.length === 0) throw new Error(`${message.kind} is not a single string`);
  if (encoded.length > (MAX_XML_BYTES * 4) / 3 + 4 || !BASE64.test(encoded)) throw new Error(`${message.kind} is not base64`);
  let bytes = Buffer.from(encoded, 'base64');
  if (message.binding === 'redirect') {
    try {
      bytes = inflateRawSync(bytes, { maxOutputLength: MAX_XML_BYTES });
    } catch (err) {
      throw new Error(`${message.kind} does not inflate to at most ${MAX_XML_BYTES} bytes`, { cause: err });
    }
  }
  if (bytes.length > MAX_XML_BYTES) throw new Error(`${message.kind} is over ${MAX_XML_BYTES} bytes`);
  const xml = bytes.toString('utf8');
  if (!xml.trimStart().startsWith('<')) throw new Error(`${message.kind} is not XML`);
  if (MARKUP_DECLARATION.test(xml)) throw new Error(`${message.kind} contains a DOCTYPE or another markup declaration`);
  return xml;
}

const TRANSACTION = /^[A-Za-z0-9_-]{16,64}$/u;

/**
 * The login transaction the IdP gave back as RelayState. Only ids shaped like Gatehouse's are
 * returned: an IdP-initiated login may carry anything there (often a URL), and it must not be
 * mistaken for a transaction.
 */
export function transactionOf(relayState: unknown): string | undefined {
  return typeof relayState === 'string' && TRANSACTION.test(relayState) ? relayState : undefined;
}
