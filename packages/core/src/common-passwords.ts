import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Bytes of SHA-1 kept per password: 48 bits, so a false match is about 1 in 5 billion per check. */
export const COMMON_PASSWORD_KEY_BYTES = 6;

/**
 * The key a password is listed under: the first bytes of SHA-1 of its NFKC, lower-case form.
 * Lower case because the list is lower case and `Password1` is as guessable as `password1`.
 */
export function commonPasswordKey(password: string): Buffer {
  return createHash('sha1').update(password.normalize('NFKC').toLowerCase(), 'utf8').digest().subarray(0, COMMON_PASSWORD_KEY_BYTES);
}

let keys: Buffer | undefined;

/**
 * The shipped list (data/common-passwords.bin, built by scripts/build-common-passwords.ts from
 * @zxcvbn-ts/language-common's 49,233 most common leaked passwords): sorted fixed-size keys.
 * Read once, on first use: ~290 KB, searched in place.
 */
function commonPasswordKeys(): Buffer {
  keys ??= readFileSync(new URL('../data/common-passwords.bin', import.meta.url));
  return keys;
}

/** How many passwords the shipped list holds. */
export function commonPasswordCount(): number {
  return commonPasswordKeys().length / COMMON_PASSWORD_KEY_BYTES;
}

/**
 * True when the password (case-insensitively) is on the shipped list of the most common leaked
 * passwords. A binary search over sorted hash prefixes: no word is kept in memory or on disk.
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswordKeys();
  const key = commonPasswordKey(password);
  let low = 0;
  let high = list.length / COMMON_PASSWORD_KEY_BYTES - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = mid * COMMON_PASSWORD_KEY_BYTES;
    const order = Buffer.compare(list.subarray(at, at + COMMON_PASSWORD_KEY_BYTES), key);
    if (order === 0) return true;
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}
