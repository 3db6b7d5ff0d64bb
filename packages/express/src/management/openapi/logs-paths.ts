import { json, operation, PAGING, param, paramRef } from './operation.js';
import type { JsonSchema, PathItem } from './openapi-types.js';
import { pageEnvelope, ref } from './schemas.js';

const text = { type: 'string' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

/** The schemas of the log search and the user data export. */
export const LOG_SCHEMAS: Record<string, JsonSchema> = {
  LogsPage: pageEnvelope('logs', ref('LogEvent'), true),
  UserDataExport: {
    type: 'object',
    description: 'Everything Gatehouse stores about the user (GDPR access and portability). Password hashes are never exported; session ids only as a truncated SHA-256.',
    properties: {
      exported_at: dateTime,
      user: ref('User'),
      password_set: { type: 'boolean' },
      roles: { type: 'array', items: ref('Role') },
      permissions: { type: 'array', items: ref('Permission') },
      consents: {
        type: 'array',
        items: {
          type: 'object',
          properties: { consent_id: text, user_id: text, purpose: text, version: text, granted: { type: 'boolean' }, date: dateTime, ip: { type: ['string', 'null'] } },
          required: ['consent_id', 'user_id', 'purpose', 'version', 'granted', 'date', 'ip'],
          additionalProperties: false,
        },
      },
      sessions: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id_hash: { type: 'string', pattern: '^[0-9a-f]{16}$' },
            signed_in_at: { type: ['string', 'null'], format: 'date-time' },
            ip: { type: ['string', 'null'] },
            expires_at: dateTime,
          },
          required: ['id_hash', 'signed_in_at', 'ip', 'expires_at'],
          additionalProperties: false,
        },
      },
      logs: { type: 'array', items: ref('LogEvent') },
    },
    required: ['exported_at', 'user', 'password_set', 'roles', 'permissions', 'consents', 'sessions', 'logs'],
    additionalProperties: false,
  },
};

const SELECT = [paramRef('Fields'), paramRef('IncludeFields')];

/** `/logs`, `/logs/{id}`, `/users/{id}/export`. */
export const LOGS_PATHS: Record<string, PathItem> = {
  '/logs': {
    get: operation({
      operationId: 'listLogs',
      summary: 'Search the audit log',
      description:
        'Auth0\'s log search. `q` takes a subset of Auth0\'s syntax: `type:s`, `type:(s OR f)`, `user_id:"auth0|…"`, `date:[2024-01-01 TO 2024-02-01}` (UTC, `*` open ends), joined by AND. ' +
        'Page paging (`page`, `per_page`, `include_totals`, `sort=date:1|date:-1`, newest first by default), or checkpoint paging: `from` (a log_id; events strictly after it) and `take`, oldest first by default, a bare array.',
      tag: 'Logs',
      scopes: [['read:logs']],
      change: false,
      parameters: [
        param('q', 'query', { type: 'string', maxLength: 1024 }),
        ...PAGING,
        param('sort', 'query', { enum: ['date:1', 'date:-1'] }),
        ...SELECT,
        param('from', 'query', { type: 'string' }, 'Checkpoint: the log_id after which to start.'),
        param('take', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 50 }, 'Checkpoint page size.'),
      ],
      responses: { 200: json('The events.', { oneOf: [{ type: 'array', items: { type: 'object' } }, ref('LogsPage')] }) },
    }),
  },
  '/logs/{id}': {
    get: operation({
      operationId: 'getLog',
      summary: 'Get a log event',
      tag: 'Logs',
      scopes: [['read:logs']],
      change: false,
      parameters: [param('id', 'path', { type: 'string' }, 'The log_id.')],
      responses: { 200: json('The event.', ref('LogEvent')) },
      errors: [404],
    }),
  },
  '/users/{id}/export': {
    get: operation({
      operationId: 'exportUser',
      summary: 'Export everything stored about a user',
      description: 'Beyond Auth0, for data-access requests: the profile, identities, metadata, roles, permissions, consents, live sessions and log events, as a JSON download. Audited with the actor.',
      tag: 'Users',
      scopes: [['read:users']],
      change: false,
      parameters: [paramRef('UserId')],
      responses: { 200: json('The user\'s data.', ref('UserDataExport')) },
      errors: [404],
    }),
  },
};
