import { checkCustomPasswordHash, validateCustomPasswordHash, type CustomPasswordHash } from './custom-password-hash.js';

/*
 * How an imported custom hash fits the credential store's single `password_hash` string:
 *
 *   $gh-import$v=1$<base64url(JSON of the validated custom_password_hash)>
 *
 * - It starts with `$` like every modular-crypt/PHC hash, and `$gh-import$` cannot be mistaken
 *   for `$argon2…` or `$2a$…`, so the hasher dispatches on the prefix alone and an old Gatehouse
 *   that does not know it simply fails to verify (never "verifies" the wrong way).
 * - base64url has no `$`, quotes or whitespace: the whole value is one opaque token that survives
 *   any column, log line or export escaping.
 * - JSON of Auth0's own shape keeps every field (encodings, salt position, hmac key, scrypt
 *   parameters) without inventing one grammar per algorithm, and reading it back goes through
 *   the same validator as the import, so nothing unchecked reaches the verifier.
 * - `v=1` (PHC's version field) leaves room to change the payload.
 * The value holds the hmac key where there is one, exactly as the import file did: it is as
 * secret as the hash itself and never leaves the store (exports never include hashes).
 */

/** The prefix of imported custom hashes in the credential store. */
export const IMPORTED_HASH_PREFIX = '$gh-import$v=1$';

const BASE64URL = /^[A-Za-z0-9_-]+$/u;

/**
 * The credential-store form of a custom password hash. Validates it (again) first, so only a
 * hash that can be checked is ever stored; throws `invalid_body` otherwise.
 *
 * @example
 * const stored = encodeImportedHash(validateCustomPasswordHash(record.custom_password_hash));
 */
export function encodeImportedHash(hash: CustomPasswordHash): string {
  const json = JSON.stringify(validateCustomPasswordHash(hash));
  return IMPORTED_HASH_PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

/**
 * The custom password hash in a stored `password_hash`, or null when the value is not one or is
 * damaged. Digests missing from this Node (md4) still decode, so the verifier can report them.
 */
export function decodeImportedHash(stored: string): CustomPasswordHash | null {
  if (!stored.startsWith(IMPORTED_HASH_PREFIX)) return null;
  const payload = stored.slice(IMPORTED_HASH_PREFIX.length);
  if (!BASE64URL.test(payload)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return checkCustomPasswordHash(parsed, { requireAvailable: false }).hash;
}

