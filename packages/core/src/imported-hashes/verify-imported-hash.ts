import { verify as argon2Verify } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { createHash, createHmac, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { GatehouseError } from '../gatehouse-error.js';
import type { StoredImportedHash } from './custom-password-hash.js';
import { decodeBytes, isDigestAvailable, parseLdapHash, parsePbkdf2Phc } from './hash-formats.js';

/**
 * Checks a password against a hash imported from another system (a validated
 * custom_password_hash). The password is used as typed, not NFKC-normalized: the source system
 * hashed the raw string. pbkdf2, scrypt, argon2 and bcrypt run on libuv's thread pool; the plain
 * digests are microseconds.
 *
 * Throws `internal_error` when this Node cannot compute the digest (md4 without the OpenSSL legacy
 * provider), so operators see why those users cannot sign in instead of a silent mismatch.
 *
 * @example
 * await verifyImportedHash(validateCustomPasswordHash(record.custom_password_hash), 'hunter2')
 */
export async function verifyImportedHash(stored: StoredImportedHash, password: string): Promise<boolean> {
  const bytes = Buffer.from(password, stored.password.encoding);
  const { value, encoding } = stored.hash;

  switch (stored.algorithm) {
    case 'argon2':
      return argon2Verify(value, bytes);
    case 'bcrypt':
      return bcryptVerify(bytes, value);
    case 'ldap': {
      const ldap = parseLdapHash(value);
      if (!ldap) return false;
      // RFC 2307 salted schemes hash password || salt and append the salt to the digest.
      return equal(digest(ldap.digest).update(bytes).update(ldap.salt).digest(), ldap.hash);
    }
    case 'pbkdf2': {
      const phc = parsePbkdf2Phc(value);
      if (!phc) return false;
      usable(phc.digest);
      return equal(await pbkdf2Async(bytes, phc.salt, phc.iterations, phc.keylen, phc.digest), phc.hash);
    }
    case 'scrypt': {
      const expected = decodeBytes(value, encoding);
      const salt = stored.salt ? decodeBytes(stored.salt.value, stored.salt.encoding) : Buffer.alloc(0);
      if (!expected || !salt) return false;
      const N = stored.cost ?? 16384;
      const r = stored.blockSize ?? 8;
      const p = stored.parallelization ?? 1;
      const derived = await scryptAsync(bytes, salt, stored.keylen ?? expected.length, { N, r, p, maxmem: 256 * N * r * p });
      return equal(derived, expected);
    }
    case 'hmac': {
      const expected = decodeBytes(value, encoding);
      const key = stored.hash.key ? decodeBytes(stored.hash.key.value, stored.hash.key.encoding) : null;
      if (!expected || !key || !stored.hash.digest) return false;
      usable(stored.hash.digest);
      return equal(createHmac(stored.hash.digest, key).update(salted(stored, bytes)).digest(), expected);
    }
    default: {
      const expected = decodeBytes(value, encoding);
      if (!expected) return false;
      return equal(digest(stored.algorithm).update(salted(stored, bytes)).digest(), expected);
    }
  }
}

/** The password bytes with the salt before or after them. */
function salted(stored: StoredImportedHash, password: Buffer): Buffer {
  const salt = stored.salt ? decodeBytes(stored.salt.value, stored.salt.encoding) : null;
  if (!salt || !stored.salt) return password;
  return stored.salt.position === 'prefix' ? Buffer.concat([salt, password]) : Buffer.concat([password, salt]);
}

function usable(name: string): void {
  if (!isDigestAvailable(name)) {
    throw new GatehouseError('internal_error', {
      message: `Cannot verify an imported ${name} password hash: ${name} is not available in this Node.js build (start Node with --openssl-legacy-provider).`,
    });
  }
}

function digest(name: string): ReturnType<typeof createHash> {
  usable(name);
  return createHash(name);
}

/** Constant-time comparison; the lengths are public (fixed by the algorithm), so a mismatch returns early. */
function equal(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function pbkdf2Async(password: Buffer, salt: Buffer, iterations: number, keylen: number, digestName: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, keylen, digestName, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function scryptAsync(
  password: Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
