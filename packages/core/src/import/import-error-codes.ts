/**
 * Auth0's per-record error codes of a users-import job (`GET /jobs/{id}/errors`), with what each
 * means in Gatehouse. They are an API, as Auth0 spells them: never renamed.
 */
export const IMPORT_ERROR_CODES = {
  ANY_OF_MISSING: 'None of the allowed alternatives is present (an mfa_factors entry without totp, phone or email).',
  ARRAY_LENGTH_LONG: 'The array has too many items.',
  ARRAY_LENGTH_SHORT: 'The array has too few items.',
  CONFLICT: 'The user conflicts with an existing user (importer).',
  CONFLICT_EMAIL: 'A user with this email already exists (importer).',
  CONFLICT_USERNAME: 'A user with this username already exists (importer).',
  CONNECTION_NOT_FOUND: 'The connection to import into does not exist (importer).',
  DUPLICATED_USER: 'A user with this email, username or user_id was already provided in this file (importer).',
  ENUM_MISMATCH: 'The value is not one of the allowed values.',
  FORMAT: 'The value is not in the required format (email, URL, hash format).',
  INVALID_TYPE: 'The value has the wrong JSON type.',
  MAX_LENGTH: 'The string is too long.',
  MAXIMUM: 'The number is too large.',
  MFA_FACTORS_FAILED: 'The MFA enrollments could not be imported (importer).',
  MIN_LENGTH: 'The string is too short.',
  MINIMUM: 'The number is too small.',
  NOT_PASSED: 'A forbidden property or combination: a property the schema does not define, password_hash with custom_password_hash, a reserved metadata name.',
  OBJECT_REQUIRED: 'A required property is missing.',
  PATTERN: 'The string does not match the required pattern.',
} as const satisfies Record<string, string>;

/** An Auth0 import error code. */
export type ImportErrorCode = keyof typeof IMPORT_ERROR_CODES;

/**
 * One problem with one imported record, as Auth0 reports it. `path` is a JSON pointer into the
 * record, written `#/custom_password_hash/hash/value` (`#/` for the record itself).
 */
export interface ImportError {
  code: ImportErrorCode;
  message: string;
  path: string;
}
