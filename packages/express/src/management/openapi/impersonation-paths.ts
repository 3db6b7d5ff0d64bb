import { json, operation, paramRef } from './operation.js';
import type { PathItem } from './openapi-types.js';

const started = {
  type: 'object',
  properties: {
    user_id: { type: 'string', description: 'The impersonated user.' },
    impersonator: {
      type: 'object',
      properties: { user_id: { type: 'string' }, email: { type: ['string', 'null'] } },
      required: ['user_id', 'email'],
      additionalProperties: false,
    },
    expires_at: { type: 'string', format: 'date-time', description: 'When the impersonated session ends on its own.' },
  },
  required: ['user_id', 'impersonator', 'expires_at'],
  additionalProperties: false,
} as const;

const impersonate = operation({
  operationId: 'impersonateUser',
  summary: 'Impersonate a user',
  description:
    'Switches the caller\'s signed-in session to the user for `impersonation.ttlMs` (15 minutes by default): the answer sets a new session ' +
    'cookie, and `POST <prefix>/impersonation/stop` returns to the caller\'s own session (restored server-side, never usable meanwhile). ' +
    'Only for a signed-in session (CSRF-checked) holding `impersonate:users` with a recent sign-in (else 403 `reauthentication_required`); ' +
    'an API token gets 403 `impersonation_forbidden`, as does a target who is the caller, holds the admin role, is blocked, or holds a ' +
    'permission the caller lacks. The impersonated session cannot call this API, change credentials, email or the account, or impersonate again. ' +
    'Start, stop and every refusal are audited (`impersonation_start`, `impersonation_stop`, `impersonation_refused`).',
  tag: 'Users',
  scopes: [['impersonate:users']],
  change: true,
  parameters: [paramRef('UserId')],
  responses: { 200: json('The session now impersonates the user.', started) },
  errors: [404],
});

/** `/users/{id}/impersonate`: a session-only operation (no bearerAuth: a token cannot impersonate). */
export const IMPERSONATION_PATHS: Record<string, PathItem> = {
  '/users/{id}/impersonate': {
    post: { ...impersonate, security: [{ sessionCookie: ['impersonate:users'], csrfToken: [] }] },
  },
};
