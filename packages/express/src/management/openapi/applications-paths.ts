import { ACCESS_POLICIES, APP_TYPES, APPLICATION_GRANT_TYPES, TOKEN_ENDPOINT_AUTH_METHODS } from '@gatehouse/core';
import { empty, json, operation, PAGING, param, paramRef } from './operation.js';
import type { JsonSchema, PathItem } from './openapi-types.js';
import { pagedList, ref } from './schemas.js';

const strings = (maxItems: number): JsonSchema => ({ type: 'array', maxItems, items: { type: 'string' } });
const date = { type: 'string', format: 'date-time' } as const;

const clientFields = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  description: { type: 'string', maxLength: 140 },
  app_type: { enum: [...APP_TYPES] },
  is_first_party: { type: 'boolean', description: 'Skips the consent page.' },
  callbacks: { ...strings(100), description: 'Allowed redirect_uri values: exact match, scheme required, `*` only as a subdomain label.' },
  allowed_logout_urls: { ...strings(100), description: 'Allowed post_logout_redirect_uri values (same rules).' },
  web_origins: { ...strings(100), description: 'Origins allowed to call /userinfo and the token endpoint with CORS.' },
  grant_types: { type: 'array', maxItems: 3, items: { enum: [...APPLICATION_GRANT_TYPES] } },
  token_endpoint_auth_method: { enum: [...TOKEN_ENDPOINT_AUTH_METHODS] },
  access_policy: { enum: [...ACCESS_POLICIES], description: 'Who may sign in: everyone, holders of one of access_roles, or the allow-list (`/users/{id}/clients`).' },
  access_roles: strings(50),
  api_grants: {
    type: 'array',
    maxItems: 20,
    items: {
      type: 'object',
      properties: { audience: { type: 'string' }, scope: strings(100) },
      required: ['audience', 'scope'],
      additionalProperties: false,
    },
    description: 'APIs and scopes for client credentials.',
  },
} as const;

/** Schemas of the applications' part of the API. */
export const APPLICATION_SCHEMAS: Record<string, JsonSchema> = {
  Client: {
    type: 'object',
    description: 'An application (OAuth 2.0 / OpenID Connect client). `client_secret` is present only when created or rotated: it is stored hashed.',
    properties: { client_id: { type: 'string' }, ...clientFields, created_at: date, updated_at: date, client_secret: { type: 'string' } },
    required: ['client_id', ...Object.keys(clientFields), 'created_at', 'updated_at'],
    additionalProperties: false,
  },
  ClientInput: { type: 'object', properties: clientFields, required: ['name'], additionalProperties: false },
  ClientChanges: { type: 'object', properties: clientFields, additionalProperties: false },
  Grant: {
    type: 'object',
    description: 'A user\'s remembered consent to an application.',
    properties: {
      id: { type: 'string' },
      clientID: { type: 'string' },
      user_id: { type: 'string' },
      scope: strings(1000),
      claims: strings(1000),
      resource_scopes: { type: 'object', additionalProperties: strings(1000) },
      created_at: date,
      updated_at: date,
    },
    required: ['id', 'clientID', 'user_id', 'scope', 'claims', 'resource_scopes', 'created_at', 'updated_at'],
    additionalProperties: false,
  },
  SigningKey: {
    type: 'object',
    properties: {
      kid: { type: 'string' },
      alg: { type: 'string' },
      current: { type: 'boolean' },
      revoked: { type: 'boolean' },
      current_since: date,
      current_until: { oneOf: [date, { type: 'null' }] },
      revoked_at: { oneOf: [date, { type: 'null' }] },
      jwk: { type: 'object', description: 'The public key.' },
    },
    required: ['kid', 'alg', 'current', 'revoked', 'current_since', 'current_until', 'revoked_at', 'jwk'],
    additionalProperties: false,
  },
};

const clientIds = {
  type: 'object',
  properties: { clients: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string' } } },
  required: ['clients'],
  additionalProperties: false,
} as const;

const clientId = param('id', 'path', { type: 'string' }, 'The client_id.');
const kidObject: JsonSchema = { type: 'object', properties: { kid: { type: 'string' } }, required: ['kid'], additionalProperties: false };

/** `/clients`, `/users/{id}/clients`, `/grants`, `/keys/signing`. */
export const APPLICATIONS_PATHS: Record<string, PathItem> = {
  '/clients': {
    get: operation({
      operationId: 'listClients', summary: 'List applications', tag: 'Clients', scopes: [['read:clients']], change: false,
      parameters: PAGING, responses: { 200: json('Applications by name.', pagedList('clients', ref('Client'), false)) },
    }),
    post: operation({
      operationId: 'createClient', summary: 'Create an application', tag: 'Clients', scopes: [['create:clients']], change: true,
      body: ref('ClientInput'), responses: { 201: json('The application, with its secret (shown once).', ref('Client')) },
    }),
  },
  '/clients/{id}': {
    get: operation({
      operationId: 'getClient', summary: 'Get an application', tag: 'Clients', scopes: [['read:clients']], change: false,
      parameters: [clientId], responses: { 200: json('The application.', ref('Client')) }, errors: [404],
    }),
    patch: operation({
      operationId: 'updateClient', summary: 'Update an application', tag: 'Clients', scopes: [['update:clients']], change: true,
      parameters: [clientId], body: ref('ClientChanges'), responses: { 200: json('The application.', ref('Client')) }, errors: [404],
    }),
    delete: operation({
      operationId: 'deleteClient', summary: 'Delete an application', tag: 'Clients', scopes: [['delete:clients']], change: true,
      parameters: [clientId], responses: { 204: empty('Deleted, with its allow-list and grants.') }, errors: [404],
    }),
  },
  '/clients/{id}/rotate-secret': {
    post: operation({
      operationId: 'rotateClientSecret', summary: 'Rotate an application\'s secret', tag: 'Clients', scopes: [['update:clients']], change: true,
      description: 'The old secret stops working at once. Send an empty JSON body (`{}`) or none.',
      parameters: [clientId], responses: { 200: json('The application with its new secret (shown once).', ref('Client')) }, errors: [404],
    }),
  },
  '/users/{id}/clients': {
    get: operation({
      operationId: 'listUserClients', summary: 'List the applications whose allow-list has the user', tag: 'Users', scopes: [['read:users', 'read:clients']], change: false,
      parameters: [paramRef('UserId')],
      responses: { 200: json('The applications.', { type: 'array', items: { type: 'object', properties: { client_id: { type: 'string' }, name: { type: 'string' } }, required: ['client_id', 'name'], additionalProperties: false } }) },
      errors: [404],
    }),
    post: operation({
      operationId: 'addUserClients', summary: 'Put a user on applications\' allow-lists', tag: 'Users', scopes: [['update:users', 'read:clients']], change: true,
      parameters: [paramRef('UserId')], body: clientIds, responses: { 204: empty('Added.') }, errors: [404],
    }),
    delete: operation({
      operationId: 'removeUserClients', summary: 'Take a user off applications\' allow-lists', tag: 'Users', scopes: [['update:users', 'read:clients']], change: true,
      parameters: [paramRef('UserId')], body: clientIds, responses: { 204: empty('Removed.') }, errors: [404],
    }),
  },
  '/grants': {
    get: operation({
      operationId: 'listGrants', summary: 'List remembered consents', tag: 'Grants', scopes: [['read:grants']], change: false,
      parameters: [param('user_id', 'query', { type: 'string' }), param('client_id', 'query', { type: 'string' })],
      responses: { 200: json('The grants, oldest first.', { type: 'array', items: ref('Grant') }) },
    }),
  },
  '/grants/{id}': {
    delete: operation({
      operationId: 'deleteGrant', summary: 'Revoke a consent', tag: 'Grants', scopes: [['delete:grants']], change: true,
      description: 'Every token issued under it is revoked; the next sign-in asks for consent again.',
      parameters: [param('id', 'path', { type: 'string' })], responses: { 204: empty('Revoked.') }, errors: [404],
    }),
  },
  '/keys/signing': {
    get: operation({
      operationId: 'listSigningKeys', summary: 'List the provider\'s signing keys', tag: 'Keys', scopes: [['read:signing_keys']], change: false,
      responses: { 200: json('Newest first.', { type: 'array', items: ref('SigningKey') }) },
    }),
  },
  '/keys/signing/rotate': {
    post: operation({
      operationId: 'rotateSigningKey', summary: 'Rotate the signing key', tag: 'Keys', scopes: [['create:signing_keys', 'update:signing_keys']], change: true,
      description: 'A new key signs from now on; the previous one stays in the JWKS for `applications.keyOverlapMs`.',
      responses: { 201: json('The new key.', kidObject) },
    }),
  },
  '/keys/signing/{kid}/revoke': {
    put: operation({
      operationId: 'revokeSigningKey', summary: 'Revoke a previous signing key', tag: 'Keys', scopes: [['update:signing_keys']], change: true,
      description: 'Out of the JWKS at once. The current key cannot be revoked (409): rotate first.',
      parameters: [param('kid', 'path', { type: 'string' })], responses: { 200: json('The revoked key.', kidObject) }, errors: [404, 409],
    }),
  },
};
