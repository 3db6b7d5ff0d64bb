import { empty, json, operation, PAGING, param, paramRef } from './operation.js';
import type { PathItem } from './openapi-types.js';
import { pagedList, ref } from './schemas.js';

const roleIds = {
  type: 'object',
  properties: { roles: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string' } } },
  required: ['roles'],
  additionalProperties: false,
} as const;

/** `/users/{id}/roles`, `/users/{id}/permissions`, `/users/{id}/logs`. */
export const USER_RELATIONS_PATHS: Record<string, PathItem> = {
  '/users/{id}/roles': {
    get: operation({
      operationId: 'listUserRoles',
      summary: 'List a user\'s roles',
      tag: 'Users',
      scopes: [['read:users', 'read:roles']],
      change: false,
      parameters: [paramRef('UserId'), ...PAGING],
      responses: { 200: json('The user\'s roles.', pagedList('roles', ref('Role'), false)) },
      errors: [404],
    }),
    post: operation({
      operationId: 'assignUserRoles',
      summary: 'Assign roles to a user',
      tag: 'Users',
      scopes: [['update:users', 'create:role_members']],
      change: true,
      parameters: [paramRef('UserId')],
      body: roleIds,
      responses: { 204: empty('Assigned (already held roles are kept).') },
      errors: [404],
    }),
    delete: operation({
      operationId: 'removeUserRoles',
      summary: 'Remove roles from a user',
      description: 'Refused with 409 `last_admin` when it would leave nobody holding the admin role.',
      tag: 'Users',
      scopes: [['update:users', 'delete:role_members']],
      change: true,
      parameters: [paramRef('UserId')],
      body: roleIds,
      responses: { 204: empty('Removed.') },
      errors: [404, 409],
    }),
  },
  '/users/{id}/permissions': {
    get: operation({
      operationId: 'listUserPermissions',
      summary: 'List a user\'s permissions (direct and through roles)',
      tag: 'Users',
      scopes: [['read:users']],
      change: false,
      parameters: [paramRef('UserId'), ...PAGING],
      responses: { 200: json('The permissions, each with its sources.', pagedList('permissions', ref('UserPermission'), false)) },
      errors: [404],
    }),
    post: operation({
      operationId: 'addUserPermissions',
      summary: 'Grant permissions to a user directly',
      tag: 'Users',
      scopes: [['update:users']],
      change: true,
      parameters: [paramRef('UserId')],
      body: ref('PermissionList'),
      responses: { 201: empty('Granted.') },
      errors: [404],
    }),
    delete: operation({
      operationId: 'removeUserPermissions',
      summary: 'Take direct permissions from a user',
      tag: 'Users',
      scopes: [['update:users']],
      change: true,
      parameters: [paramRef('UserId')],
      body: ref('PermissionList'),
      responses: { 204: empty('Removed (permissions not held are ignored).') },
      errors: [404],
    }),
  },
  '/users/{id}/logs': {
    get: operation({
      operationId: 'listUserLogs',
      summary: 'List a user\'s log events, newest first',
      description: 'A deleted user\'s events are still listed; an unknown id gives an empty list.',
      tag: 'Logs',
      scopes: [['read:logs']],
      change: false,
      parameters: [paramRef('UserId'), ...PAGING, param('sort', 'query', { const: 'date:-1' })],
      responses: { 200: json('The events.', pagedList('logs', ref('LogEvent'), true)) },
    }),
  },
};
