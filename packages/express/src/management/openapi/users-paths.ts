import { empty, json, operation, PAGING, param, paramRef } from './operation.js';
import type { PathItem } from './openapi-types.js';
import { ref } from './schemas.js';

const SELECT = [paramRef('Fields'), paramRef('IncludeFields')];

/** `/users`, `/users/{id}`, `/users-by-email`. */
export const USERS_PATHS: Record<string, PathItem> = {
  '/users': {
    get: operation({
      operationId: 'listUsers',
      summary: 'List or search users',
      description:
        'Auth0\'s list and v3 search. A bare array by default; `{start, limit, length, total, users}` with `include_totals=true`; ' +
        'beyond Auth0, `from`/`take` keyset paging answers `{users, next}` with no 1,000-result cap.',
      tag: 'Users',
      scopes: [['read:users']],
      change: false,
      parameters: [
        param('q', 'query', { type: 'string' }, 'A query in Auth0\'s v3 syntax (a malformed one is a 400 `invalid_query` with its position).'),
        param('search_engine', 'query', { const: 'v3' }),
        ...PAGING,
        param('sort', 'query', { type: 'string', pattern: '^[a-z_.]+:(1|-1)$' }, '`field:1` (ascending) or `field:-1`.'),
        ...SELECT,
        param('from', 'query', { type: 'string' }, 'A keyset cursor (`next` of the previous page; empty for the first).'),
        param('take', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 50 }, 'Keyset page size.'),
      ],
      responses: {
        200: json('The matching users.', {
          oneOf: [{ type: 'array', items: ref('SelectedUser') }, ref('UsersPage'), ref('UsersCheckpointPage')],
        }),
      },
    }),
    post: operation({
      operationId: 'createUser',
      summary: 'Create a user',
      tag: 'Users',
      scopes: [['create:users']],
      change: true,
      body: ref('UserCreate'),
      responses: { 201: json('The new user.', ref('User')) },
      errors: [409],
    }),
  },
  '/users/{id}': {
    get: operation({
      operationId: 'getUser',
      summary: 'Get a user',
      tag: 'Users',
      scopes: [['read:users']],
      change: false,
      parameters: [paramRef('UserId'), ...SELECT],
      responses: { 200: json('The user.', ref('SelectedUser')) },
      errors: [404],
    }),
    patch: operation({
      operationId: 'updateUser',
      summary: 'Update a user',
      description: '`update:users` changes anything; `update:users_app_metadata` alone may change `app_metadata` only. Blocking or a new password ends the user\'s sessions.',
      tag: 'Users',
      scopes: [['update:users'], ['update:users_app_metadata']],
      change: true,
      parameters: [paramRef('UserId')],
      body: ref('UserUpdate'),
      responses: { 200: json('The updated user.', ref('User')) },
      errors: [404, 409],
    }),
    delete: operation({
      operationId: 'deleteUser',
      summary: 'Delete a user',
      tag: 'Users',
      scopes: [['delete:users']],
      change: true,
      parameters: [paramRef('UserId')],
      responses: { 204: empty('Deleted.') },
      errors: [404, 409],
    }),
  },
  '/users-by-email': {
    get: operation({
      operationId: 'listUsersByEmail',
      summary: 'Find users by exact email',
      tag: 'Users',
      scopes: [['read:users']],
      change: false,
      parameters: [{ ...param('email', 'query', { type: 'string', format: 'email' }, 'The email address (case-insensitive).'), required: true }, ...SELECT],
      responses: { 200: json('The users with this email (one per connection).', { type: 'array', items: ref('SelectedUser') }) },
    }),
  },
};

