import { GatehouseError } from './gatehouse-error.js';
import { validateMetadata } from './metadata.js';
import {
  NAME_LIMITS,
  normalizeBoolean,
  normalizeEmail,
  normalizeName,
  normalizePhone,
  normalizePicture,
  normalizeUsername,
} from './profile-rules.js';
import type { Metadata } from './user.js';

/** A user to create, as the management API and signup receive it. */
export interface CreateUserInput {
  connection?: string;
  user_id?: string;
  email?: string;
  email_verified?: boolean;
  username?: string;
  phone_number?: string;
  phone_verified?: boolean;
  password?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  nickname?: string;
  picture?: string;
  blocked?: boolean;
  user_metadata?: Metadata;
  app_metadata?: Metadata;
  verify_email?: boolean;
}

/** A change to a user, as PATCH receives it. */
export interface UserPatchInput {
  email?: string;
  email_verified?: boolean;
  username?: string | null;
  phone_number?: string | null;
  phone_verified?: boolean;
  password?: string;
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  blocked?: boolean;
  user_metadata?: Metadata;
  app_metadata?: Metadata;
  verify_email?: boolean;
  connection?: string;
}

/** The fields a signed-in user may change on their own profile (the rest is an admin's). */
export const SELF_EDITABLE_FIELDS: ReadonlySet<string> = new Set([
  'name', 'given_name', 'family_name', 'nickname', 'picture', 'username', 'phone_number', 'user_metadata',
]);

const PATCH_FIELDS: ReadonlySet<string> = new Set([
  'email', 'email_verified', 'username', 'phone_number', 'phone_verified', 'password', 'name', 'given_name',
  'family_name', 'nickname', 'picture', 'blocked', 'user_metadata', 'app_metadata', 'verify_email', 'connection',
]);

const CREATE_FIELDS: ReadonlySet<string> = new Set([...PATCH_FIELDS, 'user_id']);

/** Auth0's pairs that cannot change in one PATCH (each needs its own flow and checks). */
const CONFLICTS: ReadonlyArray<readonly [string, string]> = [
  ['password', 'email'],
  ['password', 'email_verified'],
  ['username', 'email'],
  ['username', 'email_verified'],
  ['username', 'password'],
];

function assertObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatehouseError('invalid_body', { message: 'The request body must be a JSON object.' });
  }
  return body as Record<string, unknown>;
}

function assertKnown(body: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) {
      throw new GatehouseError('invalid_body', { field: key, message: `Unknown field: ${key}.` });
    }
  }
}

/** The normalized root-field values of a body (only the fields present). */
function normalizeFields(body: Record<string, unknown>, usernameMaxLength: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const nullable = value === null;
    switch (key) {
      case 'email': out.email = normalizeEmail(value); break;
      case 'username': out.username = nullable ? null : normalizeUsername(value, usernameMaxLength); break;
      case 'phone_number': out.phone_number = nullable ? null : normalizePhone(value); break;
      case 'picture': out.picture = nullable ? null : normalizePicture(value); break;
      case 'name':
      case 'given_name':
      case 'family_name':
      case 'nickname':
        out[key] = nullable ? null : normalizeName(key, value, NAME_LIMITS[key]); break;
      case 'email_verified':
      case 'phone_verified':
      case 'blocked':
      case 'verify_email':
        out[key] = normalizeBoolean(key, value); break;
      case 'user_metadata':
      case 'app_metadata':
        out[key] = validateMetadata(key, value); break;
      case 'password':
        if (typeof value !== 'string') {
          throw new GatehouseError('invalid_body', { field: 'password', message: 'The password must be a string.' });
        }
        out.password = value; break;
      case 'connection':
      case 'user_id':
        if (typeof value !== 'string' || value.length < 1 || value.length > 128 || /[\u0000-\u001f]/u.test(value)) {
          throw new GatehouseError('invalid_body', { field: key, message: `${key} must be a non-empty string.` });
        }
        out[key] = value; break;
      default:
        throw new GatehouseError('invalid_body', { field: key, message: `Unknown field: ${key}.` });
    }
  }
  return out;
}

/** Validates and normalizes a create-user body. */
export function parseCreateUserInput(body: unknown, usernameMaxLength = 15): CreateUserInput {
  const object = assertObject(body);
  assertKnown(object, CREATE_FIELDS);
  return normalizeFields(object, usernameMaxLength) as CreateUserInput;
}

/**
 * Validates and normalizes a PATCH body. `self` applies the self-service rules: only
 * SELF_EDITABLE_FIELDS, everything else (app_metadata, blocked, email_verified, ...) is
 * `field_not_allowed`.
 */
export function parseUserPatch(body: unknown, as: 'admin' | 'self', usernameMaxLength = 15): UserPatchInput {
  const object = assertObject(body);
  if (as === 'self') {
    for (const key of Object.keys(object)) {
      if (!SELF_EDITABLE_FIELDS.has(key)) {
        throw new GatehouseError('field_not_allowed', { field: key, message: `You cannot change ${key} here.` });
      }
    }
  }
  assertKnown(object, PATCH_FIELDS);
  for (const [a, b] of CONFLICTS) {
    if (a in object && b in object) {
      throw new GatehouseError('invalid_body', { field: a, message: `Cannot update ${a} and ${b} simultaneously.` });
    }
  }
  return normalizeFields(object, usernameMaxLength) as UserPatchInput;
}
