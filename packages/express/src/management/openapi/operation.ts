import { STATUS_CODES } from 'node:http';
import { errorCodesOf, ref } from './schemas.js';
import type { Header, JsonSchema, Operation, Parameter, Reference, ResponseObject, SecurityRequirement, SecurityScheme } from './openapi-types.js';

/** The rate-limit headers every Management API answer carries. */
export const HEADERS: Record<string, Header> = {
  RateLimitLimit: { description: 'Requests allowed per window to this caller.', schema: { type: 'integer', minimum: 1 } },
  RateLimitRemaining: { description: 'Requests left in the current window.', schema: { type: 'integer', minimum: 0 } },
  RateLimitReset: { description: 'When the window resets, in seconds since the epoch.', schema: { type: 'integer' } },
  RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
};

const rateLimitHeaders = {
  'x-ratelimit-limit': { $ref: '#/components/headers/RateLimitLimit' },
  'x-ratelimit-remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'x-ratelimit-reset': { $ref: '#/components/headers/RateLimitReset' },
};

export const SECURITY_SCHEMES: Record<string, SecurityScheme> = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'gh_… API token',
    description: 'An API token from `gatehouse tokens create --scopes …`. The scopes listed on each operation must all be held.',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'gatehouse.sid',
    description: 'A signed-in session (cookie name as configured; `__Host-gatehouse.sid` in production) whose user\'s roles or direct permissions grant the listed scopes on `urn:gatehouse:management-api`.',
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-csrf-token',
    description: 'With a session, changes (POST, PATCH, DELETE) need the session\'s CSRF token (from `GET <prefix>/csrf-token`) and a same-origin Origin.',
  },
};

/** Error responses by status; the errorCode of each is narrowed to the catalog's codes of that status. */
const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 429, 503] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

function errorResponse(status: ErrorStatus): ResponseObject {
  const headers: Record<string, Header | Reference> = { ...rateLimitHeaders };
  if (status === 429 || status === 503) headers['retry-after'] = { $ref: '#/components/headers/RetryAfter' };
  return {
    description: STATUS_CODES[status] ?? 'Error',
    headers,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          allOf: [ref('Error')],
          properties: { statusCode: { const: status }, errorCode: { enum: errorCodesOf(status) } },
        },
      },
    },
  };
}

/** components/responses: one per error status, named like `Error404`. */
export const ERROR_RESPONSES: Record<string, ResponseObject> = Object.fromEntries(ERROR_STATUSES.map((s) => [`Error${s}`, errorResponse(s)]));

/** A JSON success response. */
export function json(description: string, schema: JsonSchema): ResponseObject {
  return { description, headers: rateLimitHeaders, content: { 'application/json': { schema } } };
}

/** A success response with a body of other media types (a file). */
export function file(description: string, mediaTypes: string[]): ResponseObject {
  return { description, headers: rateLimitHeaders, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string' } }])) };
}

/** A success response without a body. */
export function empty(description: string): ResponseObject {
  return { description, headers: rateLimitHeaders };
}

/** A path or query parameter. */
export function param(name: string, where: 'path' | 'query', schema: JsonSchema, description?: string): Parameter {
  return { name, in: where, required: where === 'path', schema, ...(description === undefined ? {} : { description }) };
}

export const paramRef = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });

export const PARAMETERS: Record<string, Parameter> = {
  UserId: param('id', 'path', { type: 'string' }, 'The user_id (`auth0|…`); URL-encode the `|`.'),
  RoleId: param('id', 'path', { type: 'string' }, 'The role id (`rol_…`).'),
  Page: param('page', 'query', { type: 'integer', minimum: 0, default: 0 }, 'The page, from 0.'),
  PerPage: param('per_page', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 50 }, 'Items per page (over 100 is a 400, as in Auth0).'),
  IncludeTotals: param('include_totals', 'query', { type: 'boolean', default: false }, 'Answer `{start, limit, total, …}` instead of a bare array.'),
  Fields: param('fields', 'query', { type: 'string', maxLength: 2048 }, 'Comma-separated top-level fields to keep (or drop, with include_fields=false).'),
  IncludeFields: param('include_fields', 'query', { type: 'boolean', default: true }, 'true: keep only `fields`; false: drop them.'),
};

/** The page parameters of Auth0's paged lists. */
export const PAGING = [paramRef('Page'), paramRef('PerPage'), paramRef('IncludeTotals')];

interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Alternative scope sets: any one set, held entirely, lets the call through. */
  scopes: string[][];
  /** A change: a session caller also needs the CSRF token. */
  change: boolean;
  parameters?: Array<Parameter | Reference>;
  body?: JsonSchema;
  /** The body's media type. @default 'application/json' */
  bodyType?: string;
  /** The success responses by status. */
  responses: Record<number, ResponseObject>;
  /** Error statuses besides those every operation can answer (400, 401, 403, 413, 429, 503). */
  errors?: ErrorStatus[];
}

/**
 * An operation with the errors every Management API call can answer: 400 (a body that is not
 * JSON, a bad parameter), 401 (no or a bad credential), 403 (a missing scope, or CSRF for a
 * session), 413, 429 (rate limit) and 503 (the database is unreachable).
 */
export function operation(spec: OperationSpec): Operation {
  const security = spec.scopes.flatMap((scopes): SecurityRequirement[] => [
    { bearerAuth: scopes },
    spec.change ? { sessionCookie: scopes, csrfToken: [] } : { sessionCookie: scopes },
  ]);
  const statuses = [...new Set<ErrorStatus>([400, 401, 403, 413, 429, 503, ...(spec.errors ?? [])])].sort();
  const responses: Record<string, ResponseObject | Reference> = {};
  for (const [status, response] of Object.entries(spec.responses)) responses[status] = response;
  for (const status of statuses) responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [spec.tag],
    security,
    ...(spec.parameters === undefined ? {} : { parameters: spec.parameters }),
    ...(spec.body === undefined ? {} : { requestBody: { required: true, content: { [spec.bodyType ?? 'application/json']: { schema: spec.body } } } }),
    responses,
  };
}
