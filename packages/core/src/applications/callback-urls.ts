import { GatehouseError } from '../gatehouse-error.js';

/*
 * Allowed callback and logout URLs, with Auth0's rules: matched exactly; the scheme is required;
 * `*` only as the whole leftmost label of the host (`https://*.example.com/cb`), standing for
 * exactly one label; scheme and host compare case-insensitively, everything else (port, path,
 * query) case-sensitively.
 */

/** What a stored URL may not contain: a fragment is never sent back, whitespace is a trick. */
const FORBIDDEN = /[\s#\\]/u;
/** A scheme (RFC 3986) followed by `:`. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/u;
/** One DNS label, as `*` may stand for. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/u;

interface SplitUrl {
  scheme: string;
  host: string;
  /** Everything after the host (port, path, query), kept as written. */
  rest: string;
}

/** `scheme://host` + rest, or null when the URL has no authority (custom-scheme native callbacks). */
function split(url: string): SplitUrl | null {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?:]*)(.*)$/su.exec(url);
  if (!match) return null;
  return { scheme: match[1]!.toLowerCase(), host: match[2]!.toLowerCase(), rest: match[3]! };
}

/**
 * Checks one allowed URL as an administrator enters it (`field` names the list in the error):
 * an absolute URL with a scheme, no fragment or whitespace, at most 1,024 characters, and `*`
 * only as `*.` at the start of a host with at least two more labels (never `*.com`).
 */
export function validateAllowedUrl(value: unknown, field: string): string {
  const fail = (why: string): never => {
    throw new GatehouseError('invalid_body', { field, message: `${field}: ${JSON.stringify(value)} ${why}` });
  };
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return fail('must be a URL of 1 to 1024 characters.');
  if (FORBIDDEN.test(value)) return fail('must not contain whitespace, a backslash or a fragment (#).');
  if (!SCHEME.test(value)) return fail('needs a scheme, such as https://.');
  const parts = split(value);
  const wildcard = value.includes('*');
  if (parts === null) {
    if (wildcard) return fail('may use * only as a subdomain (https://*.example.com/...).');
    return value;
  }
  if (parts.host === '') return fail('needs a host.');
  if (wildcard) {
    const labels = parts.host.split('.');
    if (labels[0] !== '*' || labels.slice(1).some((l) => l.includes('*')) || parts.rest.includes('*')) {
      return fail('may use * only as a subdomain (https://*.example.com/...).');
    }
    if (labels.length < 3) return fail('may not put * right below a top-level domain.');
  }
  // The rest must parse as a URL once the wildcard stands for a real label.
  if (!URL.canParse(value.replace('*', 'x'))) return fail('is not a valid URL.');
  return value;
}

/** True when `actual` (a URL a client sent) is allowed by `allowed` (one stored URL). */
export function allowedUrlMatches(allowed: string, actual: string): boolean {
  if (actual.length > 2048 || FORBIDDEN.test(actual)) return false;
  const a = split(allowed);
  const b = split(actual);
  if (a === null || b === null) {
    // Custom-scheme URLs: the scheme is case-insensitive, the rest exact.
    if (a !== null || b !== null) return false;
    const sa = SCHEME.exec(allowed);
    const sb = SCHEME.exec(actual);
    return sa !== null && sb !== null && sa[1]!.toLowerCase() === sb[1]!.toLowerCase() && allowed.slice(sa[0].length) === actual.slice(sb[0].length);
  }
  if (a.scheme !== b.scheme || a.rest !== b.rest) return false;
  if (!a.host.startsWith('*.')) return a.host === b.host;
  const suffix = a.host.slice(1);
  if (!b.host.endsWith(suffix)) return false;
  return LABEL.test(b.host.slice(0, -suffix.length));
}

/** True when any URL of the list allows `actual`. */
export function anyAllowedUrlMatches(allowed: readonly string[], actual: string): boolean {
  return allowed.some((url) => allowedUrlMatches(url, actual));
}
