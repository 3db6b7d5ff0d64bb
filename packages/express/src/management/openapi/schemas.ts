import { ERROR_CATALOG, MANAGEMENT_SCOPES } from '@gatehouse/core';
import type { JsonSchema } from './openapi-types.js';

/** A `$ref` to a component schema. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const metadata = { type: 'object', description: 'Any JSON object; keys without `.` or `$`.' } as const;

const userProperties = {
  user_id: { ...text, description: '`<provider>|<id>`, e.g. `auth0|65f0…`.', examples: ['auth0|65f0c0ffee0123456789abcd'] },
  email: { type: ['string', 'null'], format: 'email' },
  email_verified: { type: 'boolean' },
  username: nullableText,
  phone_number: { type: ['string', 'null'], pattern: '^\\+[0-9]{1,15}$' },
  phone_verified: { type: 'boolean' },
  name: nullableText,
  given_name: nullableText,
  family_name: nullableText,
  nickname: nullableText,
  picture: { type: ['string', 'null'], format: 'uri' },
  created_at: dateTime,
  updated_at: dateTime,
  last_login: { type: ['string', 'null'], format: 'date-time' },
  last_ip: nullableText,
  logins_count: { type: 'integer', minimum: 0 },
  blocked: { type: 'boolean' },
  identities: { type: 'array', items: ref('Identity') },
  user_metadata: metadata,
  app_metadata: metadata,
} as const;

/** Optional page-envelope flag (beyond Auth0): the total of a very large match is an estimate. */
const totalIsEstimate = { type: 'boolean', const: true, description: 'Present when `total` is the database\'s estimate (very large matches).' } as const;

/** A `{start, limit, [length,] total, <key>}` envelope, as Auth0 answers with `include_totals=true`. */
export function pageEnvelope(key: string, item: JsonSchema, withLength: boolean): JsonSchema {
  const counters = { start: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1 }, total: { type: 'integer', minimum: 0 } };
  return {
    type: 'object',
    properties: { ...counters, ...(withLength ? { length: { type: 'integer', minimum: 0 } } : {}), [key]: { type: 'array', items: item }, total_is_estimate: totalIsEstimate },
    required: ['start', 'limit', 'total', key, ...(withLength ? ['length'] : [])],
    additionalProperties: false,
  };
}

/** A bare array, or the envelope when `include_totals=true`. */
export function pagedList(key: string, item: JsonSchema, withLength: boolean): JsonSchema {
  return { oneOf: [{ type: 'array', items: item }, pageEnvelope(key, item, withLength)] };
}

/** The error codes a given HTTP status carries, from the catalog (so the document cannot fall behind it). */
export function errorCodesOf(status?: number): string[] {
  return Object.entries(ERROR_CATALOG).filter(([, e]) => status === undefined || e.status === status).map(([code]) => code);
}

const permissionProperties = {
  permission_name: { ...text, examples: ['read:users'] },
  description: text,
  resource_server_name: text,
  resource_server_identifier: { ...text, examples: ['urn:gatehouse:management-api'] },
} as const;

/** components/schemas. */
export const SCHEMAS: Record<string, JsonSchema> = {
  User: {
    type: 'object',
    description: 'The normalized user profile, in Auth0\'s shape.',
    properties: userProperties,
    required: Object.keys(userProperties),
    additionalProperties: false,
  },
  SelectedUser: {
    type: 'object',
    description: 'A user with only the fields that `fields`/`include_fields` selected (all of them by default).',
    properties: userProperties,
    additionalProperties: false,
  },
  Identity: {
    type: 'object',
    description: 'One way the user signs in, as in Auth0\'s `identities[]`.',
    properties: {
      connection: text,
      provider: text,
      user_id: { ...text, description: 'The id at the provider, without the `provider|` prefix.' },
      isSocial: { type: 'boolean' },
      profileData: { type: 'object' },
      access_token: { ...text, description: 'The provider\'s access token (OAuth connections), only for callers with `read:user_idp_tokens`.' },
      refresh_token: { ...text, description: 'The provider\'s refresh token, when it issued one; only with `read:user_idp_tokens`.' },
      expires_in: { type: 'integer', minimum: 0, description: 'Seconds until the access token expires, when the provider said; only with `read:user_idp_tokens`.' },
    },
    required: ['connection', 'provider', 'user_id', 'isSocial'],
    additionalProperties: false,
  },
  UserCreate: {
    type: 'object',
    properties: {
      connection: { ...text, examples: ['Username-Password-Authentication'] },
      email: { type: 'string', format: 'email' },
      phone_number: userProperties.phone_number,
      username: text,
      password: { ...text, writeOnly: true },
      user_id: text,
      given_name: text,
      family_name: text,
      name: text,
      nickname: text,
      picture: { type: 'string', format: 'uri' },
      email_verified: { type: 'boolean' },
      phone_verified: { type: 'boolean' },
      verify_email: { type: 'boolean' },
      blocked: { type: 'boolean' },
      user_metadata: metadata,
      app_metadata: metadata,
    },
    required: ['connection'],
  },
  UserUpdate: {
    type: 'object',
    description: 'Root fields are replaced; metadata is merged one level deep, `null` deletes a key. Password together with email, email_verified or username (and username with email) is refused.',
    properties: {
      app_metadata: { type: ['object', 'null'] },
      user_metadata: { type: ['object', 'null'] },
      blocked: { type: 'boolean' },
      email: { type: 'string', format: 'email' },
      email_verified: { type: 'boolean' },
      family_name: nullableText,
      given_name: nullableText,
      name: nullableText,
      nickname: nullableText,
      password: { ...text, writeOnly: true },
      phone_number: { type: ['string', 'null'] },
      phone_verified: { type: 'boolean' },
      picture: { type: ['string', 'null'], format: 'uri' },
      username: nullableText,
      verify_email: { type: 'boolean' },
      connection: text,
    },
  },
  Role: {
    type: 'object',
    properties: { id: { ...text, examples: ['rol_0123456789abcdef'] }, name: { ...text, maxLength: 50 }, description: { ...text, maxLength: 140 } },
    required: ['id', 'name', 'description'],
    additionalProperties: false,
  },
  RoleCreate: {
    type: 'object',
    properties: { name: { ...text, minLength: 1, maxLength: 50 }, description: { ...text, maxLength: 140 } },
    required: ['name'],
    additionalProperties: false,
  },
  RoleUpdate: {
    type: 'object',
    properties: { name: { ...text, minLength: 1, maxLength: 50 }, description: { ...text, maxLength: 140 } },
    additionalProperties: false,
  },
  RoleMember: {
    type: 'object',
    properties: { user_id: text, email: { type: ['string', 'null'], format: 'email' }, name: nullableText, picture: { type: ['string', 'null'], format: 'uri' } },
    required: ['user_id', 'email', 'name', 'picture'],
    additionalProperties: false,
  },
  Permission: {
    type: 'object',
    properties: permissionProperties,
    required: Object.keys(permissionProperties),
    additionalProperties: false,
  },
  UserPermission: {
    type: 'object',
    description: 'A permission the user holds, with where it comes from (directly, or through roles).',
    properties: {
      ...permissionProperties,
      sources: {
        type: 'array',
        items: {
          type: 'object',
          properties: { source_id: text, source_name: text, source_type: { enum: ['DIRECT', 'ROLE'] } },
          required: ['source_id', 'source_name', 'source_type'],
          additionalProperties: false,
        },
      },
    },
    required: [...Object.keys(permissionProperties), 'sources'],
    additionalProperties: false,
  },
  PermissionList: {
    type: 'object',
    properties: {
      permissions: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          properties: { resource_server_identifier: { ...text, maxLength: 255 }, permission_name: { ...text, maxLength: 191 } },
          required: ['resource_server_identifier', 'permission_name'],
          additionalProperties: false,
        },
      },
    },
    required: ['permissions'],
    additionalProperties: false,
  },
  LogEvent: {
    type: 'object',
    description: 'An audit event, with Auth0\'s log type codes (`s` login, `f` failed login, `ss` signup, ...).',
    properties: {
      log_id: text,
      date: dateTime,
      type: { ...text, examples: ['s', 'f', 'ss', 'sapi'] },
      description: text,
      user_id: nullableText,
      ip: nullableText,
      details: { type: 'object' },
    },
    required: ['log_id', 'date', 'type', 'description', 'user_id', 'ip', 'details'],
    additionalProperties: false,
  },
  PasswordChangeTicketRequest: {
    type: 'object',
    description: 'Either `user_id`, or `email` (with the optional `connection_id`).',
    properties: {
      user_id: text,
      email: { type: 'string', format: 'email' },
      connection_id: text,
      result_url: { type: 'string', format: 'uri', maxLength: 2048 },
      ttl_sec: { type: 'integer', minimum: 0, maximum: 30 * 86_400, description: '0: the default of 5 days.' },
      mark_email_as_verified: { type: 'boolean' },
      includeEmailInRedirect: { type: 'boolean' },
      client_id: text,
      organization_id: text,
    },
    additionalProperties: false,
  },
  PasswordChangeTicket: {
    type: 'object',
    properties: { ticket: { type: 'string', format: 'uri' } },
    required: ['ticket'],
    additionalProperties: false,
  },
  UsersPage: pageEnvelope('users', ref('SelectedUser'), true),
  UsersCheckpointPage: {
    type: 'object',
    description: 'Beyond Auth0: a `from`/`take` keyset page; `next` is the cursor of the following page, absent on the last.',
    properties: { users: { type: 'array', items: ref('SelectedUser') }, next: text },
    required: ['users'],
    additionalProperties: false,
  },
  Error: {
    type: 'object',
    description: 'Auth0\'s error body, plus `field` when one request field is at fault.',
    properties: {
      statusCode: { type: 'integer', minimum: 400, maximum: 599 },
      error: { ...text, examples: ['Not Found'] },
      message: text,
      errorCode: { enum: errorCodesOf(), description: 'A stable code from Gatehouse\'s error catalog (docs/errors.md).' },
      field: text,
      rules: {
        type: 'array',
        description: 'For a refused password: every policy rule it broke (`min_length`, `dictionary`, `breached`, `history`, ...).',
        items: { type: 'object', properties: { code: text, message: text }, required: ['code', 'message'], additionalProperties: false },
      },
    },
    required: ['statusCode', 'error', 'message', 'errorCode'],
    additionalProperties: false,
  },
  Scope: { enum: [...MANAGEMENT_SCOPES] },
};
