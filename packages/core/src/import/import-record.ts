import { isGatehouseError } from '../gatehouse-error.js';
import { checkCustomPasswordHash } from '../imported-hashes/custom-password-hash.js';
import { encodeImportedHash } from '../imported-hashes/imported-hash-encoding.js';
import { MAX_METADATA_BYTES, RESERVED_APP_METADATA_KEYS, validateMetadata, type MetadataKind } from '../metadata.js';
import {
  NAME_LIMITS,
  normalizeBoolean,
  normalizeEmail,
  normalizeName,
  normalizePhone,
  normalizePicture,
  normalizeUsername,
} from '../profile-rules.js';
import type { Metadata } from '../user.js';
import { DATABASE_PROVIDER, formatUserId } from '../user-id.js';
import type { ImportError, ImportErrorCode } from './import-error-codes.js';

/*
 * One record of an Auth0 bulk-import file, checked against Auth0's user schema
 * (additionalProperties: false, email required) with Gatehouse's own profile and metadata rules,
 * so an imported user is held to the same rules as one created through the API. Every problem of
 * the record is reported, in Auth0's {code, message, path} shape.
 *
 * Codes where Auth0's list has no exact JSON-schema name:
 * - a property the schema does not define -> NOT_PASSED: `additionalProperties: false` gives each
 *   extra property the schema `false`, which is `{"not": {}}`; OBJECT_ADDITIONAL_PROPERTIES is not
 *   among Auth0's codes. The path names the property.
 * - password_hash with custom_password_hash -> NOT_PASSED at `#/`: Auth0 reports exactly this
 *   combination as NOT_PASSED (a `not` rule over the record), as it does reserved app_metadata names.
 * - an mfa_factors entry with two factors -> NOT_PASSED; with none -> ANY_OF_MISSING.
 */

/** One MFA enrollment to import (Auth0's `mfa_factors[]`). */
export type ImportMfaFactor = { totp: { secret: string } } | { phone: { value: string } } | { email: { value: string } };

/**
 * An import record, normalized and ready for the importer. Only the fields present in the record
 * are set (the importer needs to tell "absent" from "false" on upsert); Auth0's default for a new
 * user's email_verified is false.
 */
export interface ImportUser {
  /** Lower-cased. */
  email: string;
  email_verified?: boolean;
  /** With the database provider prefix: `auth0|<id>`. */
  user_id?: string;
  /** Lower-cased. */
  username?: string;
  /** E.164. */
  phone_number?: string;
  phone_verified?: boolean;
  given_name?: string;
  family_name?: string;
  name?: string;
  nickname?: string;
  picture?: string;
  blocked?: boolean;
  /**
   * What the credential store keeps: the bcrypt `password_hash` as given, or the stored form
   * (encodeImportedHash) of `custom_password_hash`. Verified and re-hashed at the first login.
   */
  password_hash?: string;
  app_metadata?: Metadata;
  user_metadata?: Metadata;
  mfa_factors?: ImportMfaFactor[];
}

/** Options of validateImportRecord. */
export interface ImportRecordOptions {
  /** The connection's username limit (Auth0: 1-15 by default, up to 128). @default 15 */
  usernameMaxLength?: number;
}

export type ImportRecordResult = { ok: true; user: ImportUser } | { ok: false; errors: ImportError[] };

/** Gatehouse's bound on mfa_factors entries (Auth0 reports ARRAY_LENGTH_LONG past its own). */
export const MAX_IMPORT_MFA_FACTORS = 10;

const BCRYPT = /^\$2[ab]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/u;
const BASE32 = /^[A-Z2-7]+$/u;
const CONTROL = /[\u0000-\u001f\u007f]/u;
const USER_ID_MAX_LENGTH = 128;
// 16 base32 characters are 80 bits, the shortest secret authenticator apps hand out.
const TOTP_SECRET_MIN_LENGTH = 16;

type Path = ReadonlyArray<string | number>;
type Report = (code: ImportErrorCode, path: Path, message: string) => void;
interface Context {
  report: Report;
  usernameMaxLength: number;
}
type FieldCheck = (value: unknown, context: Context) => unknown;

/** `#/a/b/0`, escaping `~` and `/` as JSON pointers do. */
function pointer(path: Path): string {
  return `#/${path.map((p) => String(p).replace(/~/gu, '~0').replace(/\//gu, '~1')).join('/')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Runs a profile rule. Its GatehouseError becomes an import error whose code `classify` picks
 * from the value (never from the message), so the rules are not repeated here.
 */
function rule<T>(context: Context, path: Path, classify: () => ImportErrorCode, run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (!isGatehouseError(err)) throw err;
    context.report(classify(), path, err.message);
    return undefined;
  }
}

function string(value: unknown, path: Path, context: Context): value is string {
  if (typeof value === 'string') return true;
  context.report('INVALID_TYPE', path, `${path.join('.')} must be a string.`);
  return false;
}

/** Names and usernames: control characters break the pattern; otherwise it is the length. */
function lengthOrPattern(text: string, max: number, length = (s: string) => [...s].length): ImportErrorCode {
  if (CONTROL.test(text)) return 'PATTERN';
  const n = length(text.trim());
  return n < 1 ? 'MIN_LENGTH' : n > max ? 'MAX_LENGTH' : 'PATTERN';
}

const boolean: (field: string) => FieldCheck = (field) => (value, context) =>
  rule(context, [field], () => 'INVALID_TYPE', () => normalizeBoolean(field, value));

const name: (field: keyof typeof NAME_LIMITS) => FieldCheck = (field) => (value, context) =>
  string(value, [field], context)
    ? rule(context, [field], () => lengthOrPattern(value, NAME_LIMITS[field]), () => normalizeName(field, value, NAME_LIMITS[field]))
    : undefined;

const metadata: (kind: MetadataKind) => FieldCheck = (kind) => (value, context) => {
  if (!isObject(value)) {
    context.report('INVALID_TYPE', [kind], `${kind} must be a JSON object.`);
    return undefined;
  }
  const reserved = kind === 'app_metadata' ? Object.keys(value).find((k) => RESERVED_APP_METADATA_KEYS.has(k)) : undefined;
  const path = reserved === undefined ? [kind] : [kind, reserved];
  return rule(context, path, () => {
    if (reserved !== undefined) return 'NOT_PASSED';
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) return 'MAX_LENGTH';
    return 'PATTERN'; // field names: no ".", "$", empty names, __proto__, constructor, prototype
  }, () => validateMetadata(kind, value));
};

const FIELDS: ReadonlyMap<string, FieldCheck> = new Map<string, FieldCheck>([
  ['email', (value, context) =>
    string(value, ['email'], context) ? rule(context, ['email'], () => 'FORMAT', () => normalizeEmail(value)) : undefined],
  ['email_verified', boolean('email_verified')],
  ['phone_number', (value, context) =>
    string(value, ['phone_number'], context) ? rule(context, ['phone_number'], () => 'PATTERN', () => normalizePhone(value)) : undefined],
  ['phone_verified', boolean('phone_verified')],
  ['user_id', (value, context) => {
    if (!string(value, ['user_id'], context)) return undefined;
    const local = value.replace(/^auth0\|/u, '');
    const code = CONTROL.test(local) ? 'PATTERN' : local.length < 1 ? 'MIN_LENGTH' : local.length > USER_ID_MAX_LENGTH ? 'MAX_LENGTH' : null;
    if (code === null) return formatUserId(DATABASE_PROVIDER, local);
    context.report(code, ['user_id'], `user_id must be 1 to ${USER_ID_MAX_LENGTH} characters without control characters.`);
    return undefined;
  }],
  ['username', (value, context) =>
    string(value, ['username'], context)
      ? rule(
          context,
          ['username'],
          () => lengthOrPattern(value, context.usernameMaxLength, (s) => s.length),
          () => normalizeUsername(value, context.usernameMaxLength),
        )
      : undefined],
  ['given_name', name('given_name')],
  ['family_name', name('family_name')],
  ['name', name('name')],
  ['nickname', name('nickname')],
  ['picture', (value, context) =>
    string(value, ['picture'], context) ? rule(context, ['picture'], () => 'FORMAT', () => normalizePicture(value)) : undefined],
  ['blocked', boolean('blocked')],
  ['password_hash', (value, context) => {
    if (!string(value, ['password_hash'], context)) return undefined;
    if (BCRYPT.test(value)) return value;
    context.report('PATTERN', ['password_hash'], 'password_hash must be a bcrypt hash ($2a$ or $2b$); use custom_password_hash for other algorithms.');
    return undefined;
  }],
  ['custom_password_hash', (value, context) => {
    const result = checkCustomPasswordHash(value);
    for (const issue of result.issues) context.report(issue.code, ['custom_password_hash', ...issue.path], issue.message);
    return result.hash === null ? undefined : encodeImportedHash(result.hash);
  }],
  ['app_metadata', metadata('app_metadata')],
  ['user_metadata', metadata('user_metadata')],
  ['mfa_factors', checkMfaFactors],
]);

function checkMfaFactors(value: unknown, context: Context): ImportMfaFactor[] | undefined {
  const { report } = context;
  if (!Array.isArray(value)) {
    report('INVALID_TYPE', ['mfa_factors'], 'mfa_factors must be an array.');
    return undefined;
  }
  if (value.length < 1) report('ARRAY_LENGTH_SHORT', ['mfa_factors'], 'mfa_factors must have at least one entry.');
  if (value.length > MAX_IMPORT_MFA_FACTORS) {
    report('ARRAY_LENGTH_LONG', ['mfa_factors'], `mfa_factors may have at most ${MAX_IMPORT_MFA_FACTORS} entries.`);
  }
  const factors: ImportMfaFactor[] = [];
  value.forEach((entry: unknown, index) => {
    const at = ['mfa_factors', index];
    if (!isObject(entry)) {
      report('INVALID_TYPE', at, 'An MFA factor must be an object.');
      return;
    }
    const kinds = Object.keys(entry).filter((k): k is 'totp' | 'phone' | 'email' => k === 'totp' || k === 'phone' || k === 'email');
    for (const k of Object.keys(entry)) {
      if (!(kinds as string[]).includes(k)) report('NOT_PASSED', [...at, k], `${k} is not an MFA factor (totp, phone or email).`);
    }
    if (kinds.length === 0) report('ANY_OF_MISSING', at, 'An MFA factor needs one of totp, phone or email.');
    if (kinds.length > 1) report('NOT_PASSED', at, 'An MFA factor has exactly one of totp, phone or email.');
    if (kinds.length !== 1) return;
    const kind = kinds[0]!;
    const factor = checkFactor(kind, entry[kind], [...at, kind], context);
    if (factor) factors.push(factor);
  });
  return factors;
}

function checkFactor(kind: 'totp' | 'phone' | 'email', value: unknown, at: Path, context: Context): ImportMfaFactor | undefined {
  const { report } = context;
  const field = kind === 'totp' ? 'secret' : 'value';
  if (!isObject(value)) {
    report('INVALID_TYPE', at, `${kind} must be an object.`);
    return undefined;
  }
  for (const k of Object.keys(value)) if (k !== field) report('NOT_PASSED', [...at, k], `${k} is not a property of ${kind}.`);
  const text = value[field];
  const path = [...at, field];
  if (text === undefined) {
    report('OBJECT_REQUIRED', path, `${kind}.${field} is required.`);
    return undefined;
  }
  if (!string(text, path, context)) return undefined;
  if (kind === 'phone') {
    const phone = rule(context, path, () => 'PATTERN', () => normalizePhone(text));
    return phone === undefined ? undefined : { phone: { value: phone } };
  }
  if (kind === 'email') {
    const email = rule(context, path, () => 'FORMAT', () => normalizeEmail(text, 'mfa_factors.email.value'));
    return email === undefined ? undefined : { email: { value: email } };
  }
  if (!BASE32.test(text)) {
    report('PATTERN', path, 'The TOTP secret must be base32 (A-Z and 2-7, no padding).');
  } else if (text.length < TOTP_SECRET_MIN_LENGTH) {
    report('MIN_LENGTH', path, `The TOTP secret must be at least ${TOTP_SECRET_MIN_LENGTH} base32 characters (80 bits).`);
  } else {
    return { totp: { secret: text } };
  }
  return undefined;
}

/**
 * Checks one record of an Auth0 bulk-import file and normalizes it (email and username
 * lower-cased, phone in E.164, user_id with its provider prefix, custom_password_hash in its
 * stored form). Collects every error of the record. Duplicates and conflicts with existing users
 * (DUPLICATED_USER, CONFLICT_*) are the importer's to find.
 *
 * @example
 * const result = validateImportRecord({ email: 'Ada@Example.com', email_verified: true });
 * if (result.ok) await importer.insert(result.user); else failed.push({ user: record, errors: result.errors });
 */
export function validateImportRecord(record: unknown, options: ImportRecordOptions = {}): ImportRecordResult {
  const usernameMaxLength = options.usernameMaxLength ?? 15;
  if (!Number.isInteger(usernameMaxLength) || usernameMaxLength < 1 || usernameMaxLength > 128) {
    throw new TypeError(`usernameMaxLength must be an integer from 1 to 128, got ${String(usernameMaxLength)}`);
  }
  if (!isObject(record)) {
    return { ok: false, errors: [{ code: 'INVALID_TYPE', message: 'Each user must be a JSON object.', path: '#/' }] };
  }
  const errors: ImportError[] = [];
  const context: Context = {
    usernameMaxLength,
    report: (code, path, message) => errors.push({ code, message, path: pointer(path) }),
  };

  const user: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const check = FIELDS.get(key);
    if (!check) {
      context.report('NOT_PASSED', [key], `${key} is not a property of an imported user.`);
      continue;
    }
    const normalized = check(value, context);
    // custom_password_hash is stored where a bcrypt password_hash would be.
    if (normalized !== undefined) user[key === 'custom_password_hash' ? 'password_hash' : key] = normalized;
  }
  if (!Object.hasOwn(record, 'email')) context.report('OBJECT_REQUIRED', ['email'], 'email is required.');
  if (Object.hasOwn(record, 'password_hash') && Object.hasOwn(record, 'custom_password_hash')) {
    errors.push({
      code: 'NOT_PASSED',
      message: 'password_hash and custom_password_hash are mutually exclusive: give one of them.',
      path: '#/',
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, user: user as unknown as ImportUser };
}
