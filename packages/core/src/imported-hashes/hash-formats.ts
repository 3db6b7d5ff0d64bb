import { createHash } from 'node:crypto';
import type { HashEncoding } from './custom-password-hash.js';

/*
 * The encodings and self-describing formats an imported hash arrives in (hex, base64, PHC pbkdf2
 * strings, RFC 2307 LDAP values), parsed to bytes: shared by the import-time check and by the
 * verification at login.
 */

/** Digest output sizes in bytes, for the algorithms that hash the password directly. */
export const DIGEST_LENGTHS: Readonly<Record<string, number>> = {
  md4: 16, md5: 16, ripemd160: 20, sha1: 20, sha224: 28, mdc2: 16, sha256: 32, sha384: 48, sha512: 64,
};

/** RFC 2307 schemes: the digest, and whether a salt follows it inside the base64. */
export const LDAP_SCHEMES: Readonly<Record<string, { digest: string; salted: boolean }>> = {
  MD5: { digest: 'md5', salted: false },
  SMD5: { digest: 'md5', salted: true },
  SHA: { digest: 'sha1', salted: false },
  SSHA: { digest: 'sha1', salted: true },
  SHA256: { digest: 'sha256', salted: false },
  SSHA256: { digest: 'sha256', salted: true },
  SHA384: { digest: 'sha384', salted: false },
  SSHA384: { digest: 'sha384', salted: true },
  SHA512: { digest: 'sha512', salted: false },
  SSHA512: { digest: 'sha512', salted: true },
};

const availability = new Map<string, boolean>();

/**
 * Whether this Node's OpenSSL can compute a digest. OpenSSL 3 (Node 17+) moved md4 and mdc2 to
 * the legacy provider, which Node loads only with `--openssl-legacy-provider`.
 */
export function isDigestAvailable(digest: string): boolean {
  let known = availability.get(digest);
  if (known === undefined) {
    try {
      createHash(digest).digest();
      known = true;
    } catch {
      known = false;
    }
    availability.set(digest, known);
  }
  return known;
}

const HEX = /^(?:[0-9a-f]{2})*$/iu;
// Standard and url-safe alphabets, padded or not (Auth0 takes "url-encoded base64" too).
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/u;

/** The bytes of an encoded value, or null when it is not valid in that encoding. */
export function decodeBytes(value: string, encoding: HashEncoding): Buffer | null {
  if (encoding === 'utf8') return Buffer.from(value, 'utf8');
  if (encoding === 'hex') return HEX.test(value) ? Buffer.from(value, 'hex') : null;
  return isBase64(value) ? Buffer.from(value, 'base64') : null;
}

function isBase64(value: string): boolean {
  // Buffer.from(..., 'base64') skips characters it does not know, so the alphabet is checked first.
  return BASE64.test(value) && value.replace(/=+$/u, '').length % 4 !== 1;
}

/**
 * PHC's B64 (RFC 4648 base64 without padding), also in passlib's "adapted" form (`.` for `+`) and
 * with padding or url-safe characters, since exporters differ and the bytes are unambiguous.
 */
export function decodePhcBase64(value: string): Buffer | null {
  const standard = value.replace(/\./gu, '+');
  return standard !== '' && isBase64(standard) ? Buffer.from(standard, 'base64') : null;
}

/** A parsed pbkdf2 PHC string. */
export interface Pbkdf2Phc {
  digest: string;
  iterations: number;
  keylen: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * `$pbkdf2-<digest>$i=<iterations>,l=<keylen>$<salt>$<hash>` (Auth0's form), or passlib's
 * `$pbkdf2-<digest>$<iterations>$<salt>$<hash>` where the key length is the hash's. Null when
 * malformed.
 */
export function parsePbkdf2Phc(value: string): Pbkdf2Phc | null {
  const match = /^\$pbkdf2-([a-z0-9]+)\$([^$]+)\$([^$]+)\$([^$]+)$/u.exec(value);
  if (!match) return null;
  const [, digest = '', params = '', saltText = '', hashText = ''] = match;
  const salt = decodePhcBase64(saltText);
  const hash = decodePhcBase64(hashText);
  if (!salt || !hash) return null;
  let iterations: number;
  let keylen = hash.length;
  if (/^\d+$/u.test(params)) {
    iterations = Number(params);
  } else {
    const fields = new Map<string, string>();
    for (const part of params.split(',')) {
      const [key = '', number, extra] = part.split('=');
      if (number === undefined || extra !== undefined || !/^\d+$/u.test(number) || fields.has(key)) return null;
      fields.set(key, number);
    }
    const i = fields.get('i');
    const l = fields.get('l');
    if (i === undefined || [...fields.keys()].some((key) => key !== 'i' && key !== 'l')) return null;
    iterations = Number(i);
    if (l !== undefined) keylen = Number(l);
  }
  return { digest, iterations, keylen, salt, hash };
}

/** A parsed RFC 2307 userPassword value. */
export interface LdapHash {
  digest: string;
  hash: Buffer;
  salt: Buffer;
}

/** `{SSHA}base64(digest || salt)` and the other LDAP_SCHEMES; null when malformed. */
export function parseLdapHash(value: string): LdapHash | null {
  const match = /^\{([A-Za-z0-9]+)\}(.+)$/u.exec(value);
  const scheme = match ? LDAP_SCHEMES[match[1]!.toUpperCase()] : undefined;
  const bytes = match && isBase64(match[2]!) ? Buffer.from(match[2]!, 'base64') : null;
  if (!scheme || !bytes) return null;
  const length = DIGEST_LENGTHS[scheme.digest]!;
  if (scheme.salted ? bytes.length <= length : bytes.length !== length) return null;
  return { digest: scheme.digest, hash: bytes.subarray(0, length), salt: bytes.subarray(length) };
}
