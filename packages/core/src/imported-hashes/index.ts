export {
  CUSTOM_HASH_ALGORITHMS,
  HASH_ENCODINGS,
  HMAC_DIGESTS,
  IMPORTED_HASH_LIMITS,
  PASSWORD_ENCODINGS,
  checkCustomPasswordHash,
  validateCustomPasswordHash,
  type CheckCustomPasswordHashOptions,
  type CustomHashAlgorithm,
  type CustomHashIssue,
  type CustomPasswordHash,
  type HashEncoding,
  type HmacDigest,
  type PasswordEncoding,
  type SaltPosition,
  type StoredImportedHash,
} from './custom-password-hash.js';
export { isDigestAvailable } from './hash-formats.js';
export { verifyImportedHash } from './verify-imported-hash.js';
export { IMPORTED_HASH_PREFIX, decodeImportedHash, encodeImportedHash } from './imported-hash-encoding.js';
