import { json, operation } from './operation.js';
import type { PathItem } from './openapi-types.js';
import { ref } from './schemas.js';

/** `/tickets/password-change`. */
export const TICKETS_PATHS: Record<string, PathItem> = {
  '/tickets/password-change': {
    post: operation({
      operationId: 'createPasswordChangeTicket',
      summary: 'Create a one-time password-change link',
      description: 'A link to the hosted reset page for an admin to hand to the user; it dies with its first use, a newer password, or its ttl.',
      tag: 'Tickets',
      scopes: [['update:users']],
      change: true,
      body: ref('PasswordChangeTicketRequest'),
      responses: { 201: json('The ticket.', ref('PasswordChangeTicket')) },
      errors: [404],
    }),
  },
};
