import { empty, json, operation, param, paramRef } from './operation.js';
import type { JsonSchema, PathItem } from './openapi-types.js';

const blockedFor: JsonSchema = {
  type: 'object',
  properties: {
    blocked_for: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          identifier: { type: 'string', description: 'The normalized email or username the failed attempts used.' },
          ip: { type: 'string', description: 'The IP address that is blocked for it.' },
          connection: { type: 'string' },
        },
        required: ['identifier', 'ip', 'connection'],
        additionalProperties: false,
      },
    },
  },
  required: ['blocked_for'],
  additionalProperties: false,
};

const identifier = param('identifier', 'query', { type: 'string', minLength: 1, maxLength: 254 }, 'An email, username or phone number.');
const considerEnablement = param('consider_brute_force_enablement', 'query', { type: 'boolean', default: true }, 'Accepted for Auth0 compatibility (brute-force protection is always on).');
const ABOUT =
  'Brute-force blocks: an IP blocked for an identifier after too many failed logins (10 by default). ' +
  'They are not the admin `blocked` flag: `PATCH /users/{id}` with `blocked: false` leaves them in force.';

/** `/user-blocks` and `/user-blocks/{id}`, as Auth0's. */
export const USER_BLOCKS_PATHS: Record<string, PathItem> = {
  '/user-blocks': {
    get: operation({
      operationId: 'listUserBlocksByIdentifier',
      summary: 'List the brute-force blocks of an identifier',
      description: `${ABOUT} Lists the blocks of the identifier, and of the database user it names.`,
      tag: 'User Blocks',
      scopes: [['read:users']],
      change: false,
      parameters: [identifier, considerEnablement],
      responses: { 200: json('The blocks in force.', blockedFor) },
    }),
    delete: operation({
      operationId: 'deleteUserBlocksByIdentifier',
      summary: 'Lift the brute-force blocks of an identifier',
      description: ABOUT,
      tag: 'User Blocks',
      scopes: [['update:users']],
      change: true,
      parameters: [identifier],
      responses: { 204: empty('Lifted (also when there was none).') },
    }),
  },
  '/user-blocks/{id}': {
    get: operation({
      operationId: 'listUserBlocks',
      summary: "List a user's brute-force blocks",
      description: ABOUT,
      tag: 'User Blocks',
      scopes: [['read:users']],
      change: false,
      parameters: [paramRef('UserId'), considerEnablement],
      responses: { 200: json('The blocks in force.', blockedFor) },
      errors: [404],
    }),
    delete: operation({
      operationId: 'deleteUserBlocks',
      summary: "Lift a user's brute-force blocks",
      description: ABOUT,
      tag: 'User Blocks',
      scopes: [['update:users']],
      change: true,
      parameters: [paramRef('UserId')],
      responses: { 204: empty('Lifted (also when there was none).') },
      errors: [404],
    }),
  },
};
