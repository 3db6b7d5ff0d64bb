import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { randomBytes } from 'node:crypto';
import { hashingSlots } from './hashing-slots.js';
import { decodeImportedHash, IMPORTED_HASH_PREFIX } from './imported-hashes/imported-hash-encoding.js';
import { verifyImportedHash } from './imported-hashes/verify-imported-hash.js';
import { normalizePassword } from './password-policy.js';

/** Argon2id cost, OWASP's recommended minimum: 19 MiB, 2 iterations, 1 lane. */
export interface Argon2Params {
  /** KiB. @default 19456 */
  memoryCost: number;
  /** @default 2 */
  timeCost: number;
  /** @default 1 */
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * Hashes new passwords with Argon2id and verifies the hashes Gatehouse knows. Hashing runs on
 * libuv's thread pool (native @node-rs/argon2), never on the event loop, and at most
 * `hashingSlots` at a time per process (see hashing-slots.ts).
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash should be replaced by a fresh Argon2id hash at the next successful login. */
  needsRehash(hash: string): boolean;
  /** Spends the same time as a real verification, for unknown users (equal timing). */
  verifyDummy(password: string): Promise<void>;
}

/** @example const hasher = createPasswordHasher(); await hasher.hash('correct horse battery') */
export function createPasswordHasher(params: Argon2Params = OWASP_ARGON2ID): PasswordHasher {
  // Argon2id is the library's default algorithm (its Algorithm enum is a const enum: left out).
  const options = { memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism };
  const current = `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$`;
  let dummy: Promise<string> | undefined;

  const verifyDummy = async (password: string): Promise<void> => {
    dummy ??= hashingSlots(() => argon2Hash(randomBytes(32).toString('base64'), options));
    const stored = await dummy;
    await hashingSlots(() => argon2Verify(stored, normalizePassword(password))).catch(() => false);
  };

  return {
    hash: (password) => hashingSlots(() => argon2Hash(normalizePassword(password), options)),

    async verify(hash, password) {
      if (hash.startsWith('$argon2')) {
        return hashingSlots(() => argon2Verify(hash, normalizePassword(password))).catch(() => false);
      }
      if (/^\$2[aby]\$\d\d\$/u.test(hash)) {
        // Imported bcrypt hashes were made from the raw password, so they are checked against it.
        return hashingSlots(() => bcryptVerify(password, hash)).catch(() => false);
      }
      if (hash.startsWith(IMPORTED_HASH_PREFIX)) {
        // An imported custom_password_hash; needsRehash is true for it, so it is replaced at this login.
        // Fast digests (md5, sha*) answer in microseconds: the dummy Argon2id runs beside them, so
        // the timing does not tell an imported account from an unknown one.
        const imported = decodeImportedHash(hash);
        const [ok] = await Promise.all([
          imported ? hashingSlots(() => verifyImportedHash(imported, password)) : false,
          verifyDummy(password),
        ]);
        return ok;
      }
      await verifyDummy(password);
      return false;
    },

    needsRehash: (hash) => !hash.startsWith(current),

    verifyDummy,
  };
}
