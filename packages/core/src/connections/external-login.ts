import { GatehouseError, isGatehouseError } from '../gatehouse-error.js';
import { defaultPicture } from '../gravatar.js';
import { isMainIdentity } from '../identity-profile.js';
import { LOG_TYPES } from '../log-types.js';
import { ADMIN_ROLE } from '../management-scopes.js';
import type { UserChanges } from '../ports.js';
import type { Identity, User } from '../user.js';
import { formatUserId } from '../user-id.js';
import type { RequestContext, UserService } from '../user-service.js';
import type { Connection } from './connection.js';
import { EXTERNAL_ROOT_FIELDS, normalizeExternalProfile, type ExternalProfile } from './external-profile.js';
import type { IdpTokenVault } from './idp-tokens.js';

/** The parts of a connection the login flow reads. */
export type ConnectionPolicy = Pick<Connection, 'name' | 'kind' | 'syncUserProfile' | 'managedRoles' | 'linkVerifiedEmail'>;

/** Options of ExternalLogins. */
export interface ExternalLoginsOptions {
  /** Where provider tokens (ExternalProfile.tokens) are kept, encrypted. Without it they are dropped. */
  idpTokens?: IdpTokenVault;
}

/**
 * Turns a profile a connection has verified into a Gatehouse user: the user holding that
 * identity (provider, user id), or a new one on the connection.
 *
 * A first login may instead join an existing user by email, only where the connection allows it
 * (`linkVerifiedEmail`, on for social connections) and only when both sides proved the address:
 * - the provider vouches for it (email_verified) and a local account has it verified: the identity
 *   is linked to that account;
 * - the provider vouches for it and the only local account with it is an unverified database
 *   account (perhaps an attacker's pre-registration of the victim's address): the identity is
 *   linked to it and, in the same transaction, the account loses its password, one-time tokens
 *   and sessions, takes the provider's profile and becomes verified (pre-account-hijacking defence:
 *   whoever set that password can no longer use it; the owner can set one by a reset);
 * - the provider does not vouch for it and a verified account has it: refused with
 *   `account_link_required` (the user signs in to that account the way they did before);
 * - anything else: a new user.
 * A directory or IdP that does not verify addresses never gets a local account by claiming one;
 * explicit linking is IdentityLinks.
 *
 * @example
 * const user = await new ExternalLogins(users).signIn(connection, profile, { ip });
 */
export class ExternalLogins {
  constructor(
    private readonly users: UserService,
    private readonly options: ExternalLoginsOptions = {},
  ) {}

  async signIn(connection: ConnectionPolicy, rawProfile: ExternalProfile, context: RequestContext = {}): Promise<User> {
    const profile = normalizeExternalProfile(rawProfile);
    const { storage } = this.users;
    let user = await storage.findUserByIdentity(profile.provider, profile.user_id);
    if (user === null) {
      user = (await this.linkByEmail(connection, profile, context)) ?? (await this.createUser(connection, profile, context));
    } else if ((connection.syncUserProfile ?? true) && isMainIdentity(user, profile)) {
      // Root attributes mirror the identity the user was made from; a linked secondary identity
      // must not overwrite the primary's profile.
      user = (await storage.modifyUser(user.user_id, (current) => this.profileChanges(current, profile))) ?? user;
    }
    if (user.blocked) {
      await this.users.log(LOG_TYPES.failedLogin, 'user is blocked', user.user_id, context, { connection: connection.name });
      throw new GatehouseError('user_blocked');
    }
    if (profile.roles !== undefined && (connection.managedRoles?.length ?? 0) > 0) {
      await this.syncRoles(user.user_id, profile.roles, connection.managedRoles ?? [], context);
    }
    if (profile.tokens !== undefined && this.options.idpTokens) {
      await this.options.idpTokens.store(user.user_id, { provider: profile.provider, user_id: profile.user_id }, profile.tokens);
    }
    return user;
  }

  /** The identity entry a profile becomes on a user. */
  private identityOf(connection: ConnectionPolicy, profile: ExternalProfile): Identity {
    const { profileData } = profile;
    return {
      connection: connection.name,
      provider: profile.provider,
      user_id: profile.user_id,
      isSocial: connection.kind === 'social',
      ...(profileData ? { profileData } : {}),
    };
  }

  /** The existing user a first login joins by email (see the class comment), or null for a new user. */
  private async linkByEmail(connection: ConnectionPolicy, profile: ExternalProfile, context: RequestContext): Promise<User | null> {
    const email = profile.email;
    if (!(connection.linkVerifiedEmail ?? connection.kind === 'social') || !email) return null;
    const candidates = await this.users.storage.listUsersByEmail(email);
    const verified = candidates.find((u) => u.email_verified);
    if (profile.email_verified !== true) {
      if (!verified) return null;
      await this.users.log(LOG_TYPES.failedLogin, 'the provider did not verify an email a verified account has', null, context, {
        connection: connection.name,
        existing_user_id: verified.user_id,
      });
      throw new GatehouseError('account_link_required');
    }
    if (verified) return this.attach(verified, connection, profile, context, false);
    const { databaseConnection } = this.users;
    const squatted = candidates.find((u) => u.identities.length > 0 && u.identities.every((i) => i.connection === databaseConnection));
    return squatted ? this.attach(squatted, connection, profile, context, true) : null;
  }

  /** Links the profile's identity to `target`; null when the target vanished meanwhile (a new user is made instead). */
  private async attach(target: User, connection: ConnectionPolicy, profile: ExternalProfile, context: RequestContext, revoke: boolean): Promise<User | null> {
    const { storage } = this.users;
    // The unverified account's profile was typed by whoever registered it: the owner's provider replaces it.
    const changes: UserChanges | undefined = revoke ? { ...(this.profileChanges(target, profile) ?? { updated_at: this.users.clock() }), email_verified: true } : undefined;
    let user: User;
    try {
      user = await storage.attachIdentity(target.user_id, this.identityOf(connection, profile), { changes, revokeCredentials: revoke });
    } catch (err) {
      if (isGatehouseError(err) && err.code === 'inexistent_user') return null;
      if (!isGatehouseError(err) || err.code !== 'user_exists') throw err;
      // Two first logins at once: the other one linked (or created) the identity.
      const winner = await storage.findUserByIdentity(profile.provider, profile.user_id);
      if (winner) return winner;
      throw err;
    }
    await this.users.log(
      LOG_TYPES.successUserUpdate,
      revoke ? 'Linked a verified identity to an unverified account; its password and sessions were revoked' : 'Linked an identity by verified email',
      user.user_id,
      context,
      { connection: connection.name, provider: profile.provider, user_id: profile.user_id },
    );
    return user;
  }

  private async createUser(connection: ConnectionPolicy, profile: ExternalProfile, context: RequestContext): Promise<User> {
    const email = profile.email ?? null;
    const name = profile.name ?? ([profile.given_name, profile.family_name].filter(Boolean).join(' ') || email);
    try {
      const user = await this.users.storage.createUser({
        user_id: formatUserId(profile.provider, profile.user_id),
        connection: connection.name,
        email,
        email_verified: profile.email_verified === true,
        username: profile.username?.toLowerCase() ?? null,
        phone_number: profile.phone_number ?? null,
        phone_verified: profile.phone_verified === true && profile.phone_number !== undefined && profile.phone_number !== null,
        name,
        given_name: profile.given_name ?? null,
        family_name: profile.family_name ?? null,
        nickname: profile.nickname ?? profile.username ?? (email ? email.slice(0, email.lastIndexOf('@')) : null),
        picture: profile.picture ?? (email ? defaultPicture(email, name ?? undefined) : null),
        blocked: false,
        user_metadata: {},
        app_metadata: {},
        identity: this.identityOf(connection, profile),
        password_hash: null,
        created_at: this.users.clock(),
      });
      await this.users.log(LOG_TYPES.successSignup, 'Successful signup', user.user_id, context, { connection: connection.name });
      return user;
    } catch (err) {
      if (!isGatehouseError(err) || err.code !== 'user_exists') throw err;
      // Two first logins at once: the other one created the user. Anything else taken (the
      // email or username by another user of this connection) is a real conflict.
      const winner = await this.users.storage.findUserByIdentity(profile.provider, profile.user_id);
      if (winner) return winner;
      throw new GatehouseError('user_exists', {
        message: 'Another account of this connection already uses this email address or username.',
      });
    }
  }

  private profileChanges(user: User, profile: ExternalProfile): UserChanges | null {
    const changes: UserChanges = { updated_at: this.users.clock() };
    let changed = false;
    for (const field of EXTERNAL_ROOT_FIELDS) {
      const value = profile[field];
      // A provider that leaves a field out says nothing about it; only what it sends is mirrored.
      if (value === undefined || value === null) continue;
      const next = field === 'username' ? value.toLowerCase() : value;
      if (user[field] !== next) {
        changes[field] = next;
        changed = true;
      }
    }
    if (profile.phone_verified !== undefined && profile.phone_number !== undefined && user.phone_verified !== profile.phone_verified) {
      changes.phone_verified = profile.phone_verified;
      changed = true;
    }
    if (profile.email_verified !== undefined && profile.email !== undefined && user.email_verified !== profile.email_verified) {
      changes.email_verified = profile.email_verified;
      changed = true;
    }
    return changed ? changes : null;
  }

  private async syncRoles(userId: string, granted: string[], managed: readonly string[], context: RequestContext): Promise<void> {
    const { storage } = this.users;
    const wanted = new Set(granted.filter((name) => managed.includes(name)));
    const current = new Set((await storage.getUserRoles(userId)).map((r) => r.name));
    const roleIds = async (names: string[]) =>
      (await Promise.all(names.map((n) => storage.getRoleByName(n)))).flatMap((role) => (role ? [role.id] : []));
    const add = await roleIds([...wanted].filter((n) => !current.has(n)));
    const remove = await roleIds(managed.filter((n) => current.has(n) && !wanted.has(n)));
    if (add.length > 0) await storage.assignUserRoles(userId, add);
    if (remove.length > 0) {
      try {
        await storage.removeUserRoles(userId, remove, { keepHolderOf: ADMIN_ROLE.id });
      } catch (err) {
        // The directory dropped the last administrator: keep the grant (locking everyone out of
        // the admin API is worse) and leave a trace for a human.
        if (!isGatehouseError(err) || err.code !== 'last_admin') throw err;
        await this.users.log(LOG_TYPES.failedLogin, 'role sync kept the last administrator', userId, context);
        return;
      }
    }
    if (add.length + remove.length > 0) {
      await this.users.log(LOG_TYPES.successUserUpdate, 'Roles synchronised from the connection', userId, context, {
        added: add,
        removed: remove,
      });
    }
  }
}
