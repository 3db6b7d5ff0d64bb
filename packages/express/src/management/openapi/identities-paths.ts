import { json, operation, param, paramRef } from './operation.js';
import type { PathItem } from './openapi-types.js';
import { ref } from './schemas.js';

const identities = { type: 'array', items: ref('Identity') } as const;

/** `/users/{id}/identities` (link) and `/users/{id}/identities/{provider}/{user_id}` (unlink). */
export const IDENTITIES_PATHS: Record<string, PathItem> = {
  '/users/{id}/identities': {
    post: operation({
      operationId: 'linkUserIdentity',
      summary: 'Link another user\'s identity into this user',
      description: 'The secondary user `provider|user_id` becomes one of this user\'s identities. `link_with` (an ID token) is refused until an OpenID Connect connection exists.',
      tag: 'Users',
      scopes: [['update:users']],
      change: true,
      parameters: [paramRef('UserId')],
      body: {
        type: 'object',
        properties: {
          provider: { type: 'string', maxLength: 128 },
          user_id: { type: ['string', 'number'], description: 'The secondary user\'s id at the provider, without the `provider|` prefix.' },
          connection_id: { type: 'string', maxLength: 128 },
          link_with: { type: 'string' },
        },
        additionalProperties: false,
      },
      responses: { 201: json('The primary user\'s identities.', identities) },
      errors: [404, 409],
    }),
  },
  '/users/{id}/identities/{provider}/{user_id}': {
    delete: operation({
      operationId: 'unlinkUserIdentity',
      summary: 'Unlink an identity from a user',
      description: 'The identity becomes a user of its own again.',
      tag: 'Users',
      scopes: [['update:users']],
      change: true,
      parameters: [
        paramRef('UserId'),
        param('provider', 'path', { type: 'string' }, 'The identity\'s provider, e.g. `auth0`.'),
        param('user_id', 'path', { type: 'string' }, 'The identity\'s id at the provider.'),
      ],
      responses: { 200: json('The user\'s remaining identities.', identities) },
      errors: [404, 409],
    }),
  },
};
