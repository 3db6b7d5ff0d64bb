import { GatehouseError } from './gatehouse-error.js';
import { LOG_TYPES } from './log-types.js';
import { ADMIN_ROLE } from './management-scopes.js';
import type { Identity, User } from './user.js';
import { formatUserId } from './user-id.js';
import type { RequestContext, UserService } from './user-service.js';

/** The body of Auth0's `POST /users/{id}/identities`. */
export interface LinkRequest {
  provider?: unknown;
  user_id?: unknown;
  connection_id?: unknown;
  link_with?: unknown;
}

const FIELDS = ['provider', 'user_id', 'connection_id', 'link_with'];

function text(body: Record<string, unknown>, field: string, max: number, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  // Auth0 accepts a numeric provider user id too (some IdPs use numbers).
  const asText = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof asText !== 'string' || asText.length === 0 || asText.length > max || /[\u0000-\u001f]/u.test(asText)) {
    throw new GatehouseError('invalid_body', { field, message: `${field} must be 1 to ${max} characters.` });
  }
  return asText;
}

/**
 * Linking and unlinking identities, as Auth0's management API does it: the secondary user's
 * identities move onto the primary and the secondary is deleted; an unlinked identity becomes a
 * user of its own. Atomicity lives in the storage port (IdentityStore); this checks the input,
 * protects the last administrator and writes the audit log.
 *
 * @example
 * const links = new IdentityLinks(users);
 * await links.link('auth0|primary', { provider: 'auth0', user_id: 'secondary' }, { actor: 'tok_1' });
 */
export class IdentityLinks {
  constructor(private readonly users: UserService) {}

  /**
   * Links the user `provider|user_id` into `primaryId`; resolves to the primary's identities.
   * `link_with` (an ID token) is refused: verifying it needs an OpenID Connect connection.
   */
  async link(primaryId: string, body: unknown, context: RequestContext = {}): Promise<Identity[]> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new GatehouseError('invalid_body', { message: 'The request body must be a JSON object.' });
    }
    const object = body as Record<string, unknown>;
    const extra = Object.keys(object).find((k) => !FIELDS.includes(k));
    if (extra !== undefined) throw new GatehouseError('invalid_body', { field: extra, message: `Unknown field: ${extra}.` });
    if (object.link_with !== undefined) {
      // Accepting an unverified token would let anyone claim any account: refuse until an OIDC
      // connection can check its signature, issuer and audience.
      throw new GatehouseError('invalid_body', {
        field: 'link_with',
        message: 'link_with needs an OpenID Connect connection (not yet configured); link with provider and user_id.',
      });
    }
    const provider = text(object, 'provider', 128, true)!;
    const providerUserId = text(object, 'user_id', 255, true)!;
    const connectionId = text(object, 'connection_id', 128, false);
    const secondaryId = formatUserId(provider, providerUserId);
    if (connectionId !== undefined) {
      const secondary = await this.users.storage.getUser(secondaryId);
      if (secondary && !secondary.identities.some((i) => i.connection === connectionId)) {
        throw new GatehouseError('invalid_body', { field: 'connection_id', message: 'The user has no identity on this connection.' });
      }
    }
    const primary = await this.users.storage.linkUser(primaryId, secondaryId, {
      at: this.users.clock(),
      keepHolderOf: ADMIN_ROLE.id,
    });
    await this.users.log(LOG_TYPES.successUserUpdate, 'Link a user account', primaryId, context, {
      linked_user_id: secondaryId,
      provider,
      user_id: providerUserId,
    });
    return primary.identities;
  }

  /** Unlinks an identity; resolves to the user's remaining identities and the new standalone user. */
  async unlink(userId: string, provider: string, providerUserId: string, context: RequestContext = {}): Promise<{ identities: Identity[]; unlinked: User }> {
    const result = await this.users.storage.unlinkIdentity(userId, provider, providerUserId, { at: this.users.clock() });
    await this.users.log(LOG_TYPES.successUserUpdate, 'Unlink a user account', userId, context, {
      unlinked_user_id: result.unlinked.user_id,
      provider,
      user_id: providerUserId,
    });
    return result;
  }
}
