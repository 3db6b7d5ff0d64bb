import { parseOptions as parseArgon2Options } from '@node-rs/argon2';
import { GatehouseError } from '../gatehouse-error.js';
import { decodeBytes, DIGEST_LENGTHS, isDigestAvailable, LDAP_SCHEMES, parseLdapHash, parsePbkdf2Phc } from './hash-formats.js';

/*
 * Auth0's `custom_password_hash` (bulk import schema), checked in full when a user is imported so a
 * hash that can never match is refused with a precise message then, not discovered by a user who
 * cannot sign in. Stricter than Auth0 in one way: a field the algorithm does not use (a salt beside
 * an argon2 PHC string, keylen on sha256) is refused, because it means the source hash was
 * misunderstood.
 */

/** The algorithms of Auth0's `custom_password_hash.algorithm`. */
export const CUSTOM_HASH_ALGORITHMS = [
  'argon2', 'bcrypt', 'hmac', 'ldap', 'md4', 'md5', 'sha1', 'sha256', 'sha512', 'pbkdf2', 'scrypt',
] as const;
export type CustomHashAlgorithm = (typeof CUSTOM_HASH_ALGORITHMS)[number];

/** How `hash.value`, `hash.key.value` and `salt.value` are written. Hex is case-insensitive; base64 may be url-safe and unpadded. */
export const HASH_ENCODINGS = ['base64', 'hex', 'utf8'] as const;
export type HashEncoding = (typeof HASH_ENCODINGS)[number];

/** How the password is turned into bytes before hashing (Node's names, as Auth0 takes them). */
export const PASSWORD_ENCODINGS = ['utf8', 'utf16le', 'ucs2', 'latin1', 'binary', 'ascii'] as const;
export type PasswordEncoding = (typeof PASSWORD_ENCODINGS)[number];

/** Auth0's `hash.digest` values for hmac; the pbkdf2 PHC digest takes the same names. */
export const HMAC_DIGESTS = ['md4', 'md5', 'ripemd160', 'sha1', 'sha224', 'mdc2', 'sha256', 'sha384', 'sha512'] as const;
export type HmacDigest = (typeof HMAC_DIGESTS)[number];

export type SaltPosition = 'prefix' | 'suffix';

/**
 * A validated custom password hash, with every default filled in so a stored one never depends
 * on the defaults of a later Gatehouse version.
 */
export interface CustomPasswordHash {
  algorithm: CustomHashAlgorithm;
  hash: {
    value: string;
    /** utf8 for the self-describing formats (argon2, bcrypt, ldap, pbkdf2). */
    encoding: HashEncoding;
    /** hmac only. */
    digest?: HmacDigest;
    /** hmac only. */
    key?: { value: string; encoding: HashEncoding };
  };
  /** md4, md5, sha*, hmac (position required) and scrypt (position unused). */
  salt?: { value: string; encoding: HashEncoding; position?: SaltPosition };
  password: { encoding: PasswordEncoding };
  /** scrypt only: derived key length in bytes. */
  keylen?: number;
  /** scrypt only: N. @default 16384 */
  cost?: number;
  /** scrypt only: r. @default 8 */
  blockSize?: number;
  /** scrypt only: p. @default 1 */
  parallelization?: number;
}

/** What decodeImportedHash returns and verifyImportedHash checks: a validated custom password hash. */
export type StoredImportedHash = Readonly<CustomPasswordHash>;

/**
 * One problem in a custom_password_hash. `code` uses the JSON-schema names of Auth0's import
 * error codes, so the bulk importer reports it unchanged; `path` is relative to the object.
 */
export interface CustomHashIssue {
  code: 'INVALID_TYPE' | 'ENUM_MISMATCH' | 'OBJECT_REQUIRED' | 'NOT_PASSED' | 'FORMAT' | 'MIN_LENGTH' | 'MINIMUM' | 'MAXIMUM';
  path: string[];
  message: string;
}

/**
 * Gatehouse's ceilings on the work one login may cost, so an import file cannot make each
 * sign-in allocate gigabytes or spin for minutes.
 */
export const IMPORTED_HASH_LIMITS = {
  /** pbkdf2 iterations. */
  maxIterations: 10_000_000,
  /** Derived key length in bytes (pbkdf2 l, scrypt keylen). */
  maxKeyLength: 1024,
  /** argon2 m, KiB (1 GiB). */
  maxArgon2MemoryKiB: 1024 * 1024,
  /** argon2 t. */
  maxArgon2TimeCost: 64,
  /** scrypt 128 * N * r * p, bytes (1 GiB). */
  maxScryptMemoryBytes: 1024 * 1024 * 1024,
} as const;

const SCRYPT_DEFAULTS = { cost: 16384, blockSize: 8, parallelization: 1 } as const;

const BCRYPT = /^\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/u;
const ARGON2 = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/u;

const SELF_DESCRIBING = new Set<CustomHashAlgorithm>(['argon2', 'bcrypt', 'ldap', 'pbkdf2']);
const SCRYPT_FIELDS = ['keylen', 'cost', 'blockSize', 'parallelization'] as const;
const ROOT_FIELDS = new Set(['algorithm', 'hash', 'salt', 'password', ...SCRYPT_FIELDS]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function oneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** Options of checkCustomPasswordHash. */
export interface CheckCustomPasswordHashOptions {
  /**
   * Refuse algorithms and digests this Node cannot compute (md4, mdc2 on OpenSSL 3). Off only
   * when reading back stored hashes, so the verifier can say why it cannot check one.
   * @default true
   */
  requireAvailable?: boolean;
}

/**
 * Checks a custom_password_hash and collects every problem. Returns the normalized hash when
 * there are none. The bulk importer uses this for per-field errors; most callers want
 * validateCustomPasswordHash.
 */
export function checkCustomPasswordHash(
  value: unknown,
  options: CheckCustomPasswordHashOptions = {},
): { hash: CustomPasswordHash; issues: [] } | { hash: null; issues: CustomHashIssue[] } {
  const requireAvailable = options.requireAvailable ?? true;
  const issues: CustomHashIssue[] = [];
  const issue = (code: CustomHashIssue['code'], path: string[], message: string): void => {
    issues.push({ code, path, message: `custom_password_hash${path.map((p) => `.${p}`).join('')} ${message}` });
  };

  if (!isObject(value)) {
    issues.push({ code: 'INVALID_TYPE', path: [], message: 'custom_password_hash must be an object.' });
    return { hash: null, issues };
  }
  const unknownFields = (object: Json, allowed: ReadonlySet<string>, at: string[]): void => {
    for (const key of Object.keys(object)) {
      if (!allowed.has(key)) issue('NOT_PASSED', [...at, key], 'is not an allowed property.');
    }
  };
  unknownFields(value, ROOT_FIELDS, []);

  const algorithm = value.algorithm;
  if (algorithm === undefined) {
    issue('OBJECT_REQUIRED', ['algorithm'], 'is required.');
  } else if (!oneOf(CUSTOM_HASH_ALGORITHMS, algorithm)) {
    issue('ENUM_MISMATCH', ['algorithm'], `must be one of ${CUSTOM_HASH_ALGORITHMS.join(', ')}.`);
  } else if (requireAvailable && algorithm in DIGEST_LENGTHS && !isDigestAvailable(algorithm)) {
    issue('ENUM_MISMATCH', ['algorithm'], `${algorithm} is not available in this Node.js build (OpenSSL 3 keeps it in the legacy provider; start Node with --openssl-legacy-provider to import these hashes).`);
  }
  const known = oneOf(CUSTOM_HASH_ALGORITHMS, algorithm) ? algorithm : null;
  const selfDescribing = known !== null && SELF_DESCRIBING.has(known);

  // hash
  let hashValue: string | null = null;
  let hashEncoding: HashEncoding | null = null;
  let encodingFits = false;
  let digest: HmacDigest | undefined;
  let key: { value: string; encoding: HashEncoding } | undefined;
  const hash = value.hash;
  if (hash === undefined) {
    issue('OBJECT_REQUIRED', ['hash'], 'is required.');
  } else if (!isObject(hash)) {
    issue('INVALID_TYPE', ['hash'], 'must be an object.');
  } else {
    unknownFields(hash, new Set(['value', 'encoding', 'digest', 'key']), ['hash']);
    hashValue = requiredString(hash.value, ['hash', 'value'], issue);
    hashEncoding = encodingOf(hash.encoding, ['hash', 'encoding'], issue, known === null ? null : selfDescribing ? 'utf8' : undefined);
    if (hashEncoding !== null && known !== null) {
      if (selfDescribing && hashEncoding !== 'utf8') {
        issue('ENUM_MISMATCH', ['hash', 'encoding'], `must be utf8 for ${known}: the value is a text format.`);
      } else if (!selfDescribing && hashEncoding === 'utf8') {
        issue('ENUM_MISMATCH', ['hash', 'encoding'], `must be hex or base64 for ${known}: a digest is binary.`);
      } else {
        encodingFits = true;
      }
    }
    if (known === 'hmac') {
      digest = digestOf(hash.digest, requireAvailable, issue);
      key = encodedValue(hash.key, ['hash', 'key'], issue);
    } else if (known !== null) {
      if (hash.digest !== undefined) issue('NOT_PASSED', ['hash', 'digest'], `is only used by hmac, not ${known}.`);
      if (hash.key !== undefined) issue('NOT_PASSED', ['hash', 'key'], `is only used by hmac, not ${known}.`);
    }
  }

  // salt
  let salt: CustomPasswordHash['salt'];
  if (value.salt !== undefined && known !== null && selfDescribing) {
    issue('NOT_PASSED', ['salt'], `is not used by ${known}: its salt is inside hash.value.`);
  } else if (value.salt !== undefined) {
    const encoded = encodedValue(value.salt, ['salt'], issue, new Set(['position']));
    const position = isObject(value.salt) ? value.salt.position : undefined;
    if (!isObject(value.salt)) {
      // already reported as the wrong type
    } else if (position === undefined) {
      if (known !== 'scrypt') issue('OBJECT_REQUIRED', ['salt', 'position'], 'is required: prefix or suffix.');
    } else if (position !== 'prefix' && position !== 'suffix') {
      issue('ENUM_MISMATCH', ['salt', 'position'], 'must be prefix or suffix.');
    }
    if (encoded) salt = { ...encoded, ...(position === 'prefix' || position === 'suffix' ? { position } : {}) };
  }

  // password
  let passwordEncoding: PasswordEncoding = 'utf8';
  if (value.password !== undefined) {
    if (!isObject(value.password)) {
      issue('INVALID_TYPE', ['password'], 'must be an object.');
    } else {
      unknownFields(value.password, new Set(['encoding']), ['password']);
      const encoding = value.password.encoding;
      if (encoding !== undefined && !oneOf(PASSWORD_ENCODINGS, encoding)) {
        issue('ENUM_MISMATCH', ['password', 'encoding'], `must be one of ${PASSWORD_ENCODINGS.join(', ')}.`);
      } else if (encoding !== undefined) {
        passwordEncoding = encoding;
      }
    }
  }

  // scrypt parameters
  const numbers: Partial<Record<(typeof SCRYPT_FIELDS)[number], number>> = {};
  for (const field of SCRYPT_FIELDS) {
    const n = value[field];
    if (n === undefined) continue;
    if (known !== null && known !== 'scrypt') {
      issue('NOT_PASSED', [field], `is only used by scrypt, not ${known}.`);
    } else if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
      issue('INVALID_TYPE', [field], 'must be an integer.');
    } else if (n < 1) {
      issue('MINIMUM', [field], 'must be at least 1.');
    } else {
      numbers[field] = n;
    }
  }
  if (known === 'scrypt') {
    if (value.keylen === undefined) issue('OBJECT_REQUIRED', ['keylen'], 'is required for scrypt.');
    const cost = numbers.cost ?? SCRYPT_DEFAULTS.cost;
    const blockSize = numbers.blockSize ?? SCRYPT_DEFAULTS.blockSize;
    const parallelization = numbers.parallelization ?? SCRYPT_DEFAULTS.parallelization;
    if (numbers.cost !== undefined && (cost < 2 || (cost & (cost - 1)) !== 0)) {
      issue('FORMAT', ['cost'], 'must be a power of two greater than 1.');
    }
    if (128 * cost * blockSize * parallelization > IMPORTED_HASH_LIMITS.maxScryptMemoryBytes) {
      issue('MAXIMUM', ['cost'], 'with blockSize and parallelization needs more than the 1 GiB Gatehouse allows per verification.');
    }
    if ((numbers.keylen ?? 0) > IMPORTED_HASH_LIMITS.maxKeyLength) {
      issue('MAXIMUM', ['keylen'], `must be at most ${IMPORTED_HASH_LIMITS.maxKeyLength}.`);
    }
    Object.assign(numbers, { cost, blockSize, parallelization });
  }

  // The value itself, whenever what it depends on is known, so all problems come out in one pass.
  const valueCheckable = (known !== 'hmac' || digest !== undefined) && (known !== 'scrypt' || numbers.keylen !== undefined);
  if (known !== null && hashValue !== null && hashEncoding !== null && encodingFits && valueCheckable) {
    checkHashValue(known, hashValue, hashEncoding, { digest, keylen: numbers.keylen, requireAvailable }, issue);
  }

  if (issues.length > 0 || known === null || hashValue === null || hashEncoding === null) {
    return { hash: null, issues };
  }
  const result: CustomPasswordHash = {
    algorithm: known,
    hash: { value: hashValue, encoding: hashEncoding, ...(digest ? { digest } : {}), ...(key ? { key } : {}) },
    ...(salt ? { salt } : {}),
    password: { encoding: passwordEncoding },
    ...numbers,
  };
  return { hash: result, issues: [] };
}

type Report = (code: CustomHashIssue['code'], path: string[], message: string) => void;

function requiredString(value: unknown, path: string[], issue: Report): string | null {
  if (value === undefined) issue('OBJECT_REQUIRED', path, 'is required.');
  else if (typeof value !== 'string') issue('INVALID_TYPE', path, 'must be a string.');
  else if (value === '') issue('MIN_LENGTH', path, 'must not be empty.');
  else return value;
  return null;
}

/** The encoding, or its default (`undefined` = required), or null after an issue. */
function encodingOf(value: unknown, path: string[], issue: Report, fallback: HashEncoding | null | undefined): HashEncoding | null {
  if (value === undefined) {
    if (fallback === undefined) issue('OBJECT_REQUIRED', path, 'is required: hex or base64.');
    return fallback ?? null;
  }
  if (!oneOf(HASH_ENCODINGS, value)) {
    issue('ENUM_MISMATCH', path, `must be one of ${HASH_ENCODINGS.join(', ')}.`);
    return null;
  }
  return value;
}

function encodedValue(
  value: unknown,
  path: string[],
  issue: Report,
  extra: ReadonlySet<string> = new Set(),
): { value: string; encoding: HashEncoding } | undefined {
  if (value === undefined) {
    issue('OBJECT_REQUIRED', path, 'is required.');
    return undefined;
  }
  if (!isObject(value)) {
    issue('INVALID_TYPE', path, 'must be an object.');
    return undefined;
  }
  for (const name of Object.keys(value)) {
    if (name !== 'value' && name !== 'encoding' && !extra.has(name)) {
      issue('NOT_PASSED', [...path, name], 'is not an allowed property.');
    }
  }
  const text = requiredString(value.value, [...path, 'value'], issue);
  const encoding = encodingOf(value.encoding, [...path, 'encoding'], issue, 'utf8');
  if (text === null || encoding === null) return undefined;
  if (!decodeBytes(text, encoding)) {
    issue('FORMAT', [...path, 'value'], `is not valid ${encoding}.`);
    return undefined;
  }
  return { value: text, encoding };
}

function digestOf(value: unknown, requireAvailable: boolean, issue: Report): HmacDigest | undefined {
  if (value === undefined) {
    issue('OBJECT_REQUIRED', ['hash', 'digest'], 'is required for hmac.');
  } else if (!oneOf(HMAC_DIGESTS, value)) {
    issue('ENUM_MISMATCH', ['hash', 'digest'], `must be one of ${HMAC_DIGESTS.join(', ')}.`);
  } else if (requireAvailable && !isDigestAvailable(value)) {
    issue('ENUM_MISMATCH', ['hash', 'digest'], `${value} is not available in this Node.js build (OpenSSL 3 legacy provider; start Node with --openssl-legacy-provider).`);
  } else {
    return value;
  }
  return undefined;
}

function checkHashValue(
  algorithm: CustomHashAlgorithm,
  value: string,
  encoding: HashEncoding,
  context: { digest: HmacDigest | undefined; keylen: number | undefined; requireAvailable: boolean },
  issue: Report,
): void {
  const at = ['hash', 'value'];
  switch (algorithm) {
    case 'bcrypt':
      if (!BCRYPT.test(value)) issue('FORMAT', at, 'must be a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31).');
      return;
    case 'argon2': {
      let params: { memoryCost: number; timeCost: number } | null = null;
      try {
        params = ARGON2.test(value) ? parseArgon2Options(value) : null;
      } catch {
        params = null;
      }
      if (!params) issue('FORMAT', at, 'must be an argon2 PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).');
      else if (params.memoryCost > IMPORTED_HASH_LIMITS.maxArgon2MemoryKiB || params.timeCost > IMPORTED_HASH_LIMITS.maxArgon2TimeCost) {
        issue('MAXIMUM', at, 'asks for more memory or passes than Gatehouse allows per verification (m <= 1 GiB, t <= 64).');
      }
      return;
    }
    case 'ldap':
      if (!parseLdapHash(value)) {
        issue('FORMAT', at, `must be an RFC 2307 value: {${Object.keys(LDAP_SCHEMES).join('}, {')}} then base64 of the digest (and salt).`);
      }
      return;
    case 'pbkdf2': {
      const phc = parsePbkdf2Phc(value);
      if (!phc) {
        issue('FORMAT', at, 'must be a PHC string: $pbkdf2-<digest>$i=<iterations>,l=<keylen>$<salt B64>$<hash B64>.');
      } else if (!oneOf(HMAC_DIGESTS, phc.digest)) {
        issue('FORMAT', at, `has an unknown digest "${phc.digest}" (one of ${HMAC_DIGESTS.join(', ')}).`);
      } else if (context.requireAvailable && !isDigestAvailable(phc.digest)) {
        issue('FORMAT', at, `uses ${phc.digest}, which is not available in this Node.js build (OpenSSL 3 legacy provider).`);
      } else if (phc.iterations < 1 || phc.iterations > IMPORTED_HASH_LIMITS.maxIterations) {
        issue(phc.iterations < 1 ? 'MINIMUM' : 'MAXIMUM', at, `must have 1 to ${IMPORTED_HASH_LIMITS.maxIterations} iterations.`);
      } else if (phc.keylen !== phc.hash.length) {
        issue('FORMAT', at, `says l=${phc.keylen} but its hash is ${phc.hash.length} bytes.`);
      } else if (phc.keylen > IMPORTED_HASH_LIMITS.maxKeyLength) {
        issue('MAXIMUM', at, `has a key length above ${IMPORTED_HASH_LIMITS.maxKeyLength} bytes.`);
      }
      return;
    }
    default: {
      const bytes = decodeBytes(value, encoding);
      if (!bytes) {
        issue('FORMAT', at, `is not valid ${encoding}.`);
        return;
      }
      const expected = algorithm === 'scrypt' ? context.keylen : DIGEST_LENGTHS[algorithm === 'hmac' ? (context.digest ?? '') : algorithm];
      if (expected !== undefined && bytes.length !== expected) {
        // The most common import mistake: the encoding named is not the one the value is in.
        issue('FORMAT', at, `decodes (as ${encoding}) to ${bytes.length} bytes; ${algorithm === 'scrypt' ? 'keylen says' : 'the digest has'} ${expected}.`);
      }
    }
  }
}

/**
 * Validates Auth0's `custom_password_hash` and returns it normalized (defaults filled in).
 * Throws `invalid_body` (field `custom_password_hash`) listing every problem.
 *
 * @example
 * const hash = validateCustomPasswordHash({
 *   algorithm: 'sha256',
 *   hash: { value: 'a1b2...', encoding: 'hex' },
 *   salt: { value: 'pepper', position: 'prefix' },
 * });
 */
export function validateCustomPasswordHash(value: unknown): CustomPasswordHash {
  const result = checkCustomPasswordHash(value);
  if (result.hash === null) {
    throw new GatehouseError('invalid_body', {
      field: 'custom_password_hash',
      message: result.issues.map((i) => i.message).join(' '),
    });
  }
  return result.hash;
}
