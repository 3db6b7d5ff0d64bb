import { randomBytes, randomUUID } from 'node:crypto';
import { createBreachedPasswordChecker, type BreachedPasswordsOptions } from './breached-passwords.js';
import { systemClock, type Clock } from './clock.js';
import { GatehouseError } from './gatehouse-error.js';
import { defaultPicture } from './gravatar.js';
import { encodeLogDetails, encodeLogText } from './log-encoding.js';
import { LOG_TYPES } from './log-types.js';
import { ADMIN_ROLE } from './management-scopes.js';
import { applyMetadataPatch, type MetadataMergeMode } from './metadata.js';
import { hashOneTimeToken, newOneTimeToken } from './one-time-token.js';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.js';
import { PasswordGuard, type NewPasswordContext } from './password-guard.js';
import { passwordPolicyError, resolvePasswordPolicy, type PasswordPolicy } from './password-policy.js';
import { parseConsentInput } from './consents.js';
import type { ConsentRecord, Permission, Storage, TokenPurpose, TokenRecord, UserChanges } from './ports.js';
import { DATABASE_PROVIDER, formatUserId, newLocalId } from './user-id.js';
import { parseCreateUserInput, parseUserPatch, type UserPatchInput } from './user-input.js';
import type { Metadata, User } from './user.js';

export interface UserServiceOptions {
  storage: Storage;
  /** @default Argon2id at OWASP's parameters */
  hasher?: PasswordHasher;
  passwordPolicy?: Partial<PasswordPolicy>;
  /** @default the system clock */
  clock?: Clock;
  /** The name of the database connection. @default 'Username-Password-Authentication' */
  databaseConnection?: string;
  /** @default 15 (Auth0's default; at most 128) */
  usernameMaxLength?: number;
  /** @default 'shallow' (Auth0's top-level merge) */
  metadataMergeMode?: MetadataMergeMode;
  /** Auth0 wipes metadata on `{"user_metadata": {}}`; Gatehouse treats `{}` as no change unless this is true. @default false */
  emptyMetadataWipes?: boolean;
  /** Breach sources for new passwords and logins. @default the shipped offline list, checked at login too */
  breachedPasswords?: BreachedPasswordsOptions;
  /**
   * Called (not awaited by the login) when a login finds the user's password breached and flags
   * the user: the place to send a reset link (identity() does).
   */
  onPasswordLeak?: (user: User, context: RequestContext) => void;
}

/** Where a user flagged for a breached password is marked: `app_metadata.breached_password = {detected_at, source}`. */
export const BREACHED_PASSWORD_FLAG = 'breached_password';

/** Who asks, for the audit log. */
export interface RequestContext {
  ip?: string | null;
  /** The user_id of the admin (or 'self') doing the change. */
  actor?: string | null;
  /** The caller's own session, kept when a password change ends the user's other sessions. */
  sessionId?: string | null;
  /** The app's public origin, for links in emails this request leads to (a breached-password reset). */
  origin?: string;
}

export const DEFAULT_DATABASE_CONNECTION = 'Username-Password-Authentication';

/**
 * The user use cases, framework-neutral: create, read, update, delete, block, passwords, logins,
 * and one-time tokens. Validation happens here, atomicity in the storage port.
 */
export class UserService {
  readonly storage: Storage;
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
  readonly clock: Clock;
  readonly databaseConnection: string;
  readonly usernameMaxLength: number;
  readonly mergeMode: MetadataMergeMode;
  readonly emptyMetadataWipes: boolean;
  /** The policy, breach and history checks of new passwords. */
  readonly passwords: PasswordGuard;
  private readonly onPasswordLeak: UserServiceOptions['onPasswordLeak'];

  constructor(options: UserServiceOptions) {
    if (!options?.storage) throw new TypeError('UserService needs a storage (options.storage)');
    this.storage = options.storage;
    this.hasher = options.hasher ?? createPasswordHasher();
    this.policy = resolvePasswordPolicy(options.passwordPolicy);
    this.clock = options.clock ?? systemClock;
    this.databaseConnection = options.databaseConnection ?? DEFAULT_DATABASE_CONNECTION;
    this.usernameMaxLength = options.usernameMaxLength ?? 15;
    this.mergeMode = options.metadataMergeMode ?? 'shallow';
    this.emptyMetadataWipes = options.emptyMetadataWipes ?? false;
    this.passwords = new PasswordGuard(this.policy, createBreachedPasswordChecker(options.breachedPasswords), this.hasher, this.storage);
    this.onPasswordLeak = options.onPasswordLeak;
    if (!Number.isInteger(this.usernameMaxLength) || this.usernameMaxLength < 1 || this.usernameMaxLength > 128) {
      throw new TypeError(`usernameMaxLength must be an integer from 1 to 128, got ${String(this.usernameMaxLength)}`);
    }
  }

  /** Creates a database-connection user. The body is validated as the management API's POST /users. */
  async createUser(body: unknown, context: RequestContext = {}): Promise<User> {
    const input = parseCreateUserInput(body, this.usernameMaxLength);
    const connection = input.connection ?? this.databaseConnection;
    if (connection !== this.databaseConnection) {
      throw new GatehouseError('invalid_body', { field: 'connection', message: `Unknown connection: ${connection}.` });
    }
    if (input.email === undefined) {
      throw new GatehouseError('invalid_body', { field: 'email', message: 'An email address is required.' });
    }
    if (input.password === undefined) {
      throw new GatehouseError('invalid_body', { field: 'password', message: 'A password is required.' });
    }
    const email = input.email;
    const password = await this.newPassword(input.password, { personal: { ...input, email } }, LOG_TYPES.breachedPasswordSignup, context);
    const localId = input.user_id ? input.user_id.replace(/^auth0\|/u, '') : newLocalId();
    const passwordHash = await this.hasher.hash(password);
    const now = this.clock();
    const user = await this.storage.createUser({
      user_id: formatUserId(DATABASE_PROVIDER, localId),
      connection,
      email,
      email_verified: input.email_verified ?? false,
      username: input.username ?? null,
      phone_number: input.phone_number ?? null,
      phone_verified: input.phone_verified ?? false,
      // Auth0's defaults for database users.
      name: input.name ?? email,
      given_name: input.given_name ?? null,
      family_name: input.family_name ?? null,
      nickname: input.nickname ?? email.slice(0, email.lastIndexOf('@')),
      picture: input.picture ?? defaultPicture(email, input.name),
      blocked: input.blocked ?? false,
      user_metadata: input.user_metadata ?? {},
      app_metadata: input.app_metadata ?? {},
      identity: { connection, provider: DATABASE_PROVIDER, user_id: localId, isSocial: false },
      password_hash: passwordHash,
      created_at: now,
    });
    await this.passwords.remember(user.user_id, passwordHash, now);
    await this.log(LOG_TYPES.successSignup, 'Successful signup', user.user_id, context);
    return user;
  }

  /** The user, or `inexistent_user`. */
  async getUser(userId: string): Promise<User> {
    const user = await this.storage.getUser(userId);
    if (!user) throw new GatehouseError('inexistent_user');
    return user;
  }

  /**
   * Applies a PATCH. As `self`, only the self-editable fields (names, picture, username, phone,
   * user_metadata); as `admin`, Auth0's whole set with its conflict rules. Root fields are
   * replaced, metadata merged atomically (`null` deletes a key).
   */
  async updateUser(userId: string, body: unknown, as: 'admin' | 'self', context: RequestContext = {}): Promise<User> {
    const patch = parseUserPatch(body, as, this.usernameMaxLength);
    const { password, verify_email: _verifyEmail, connection: _connection, ...fields } = patch;
    let newHash: string | undefined;
    if (password !== undefined) {
      const subject = await this.getUser(userId);
      newHash = await this.hasher.hash(
        await this.newPassword(password, { personal: { ...subject, ...fields }, userId }, LOG_TYPES.breachedPasswordReset, context),
      );
    }

    const updated = await this.storage.modifyUser(userId, (user) => {
      const changes = this.changesFor(user, fields);
      // A new password ends a breach flag, unless this same PATCH sets app_metadata itself.
      if (newHash !== undefined && fields.app_metadata === undefined) return { ...changes, ...withoutBreachFlag(user) };
      return changes;
    });
    if (!updated) throw new GatehouseError('inexistent_user');
    if (newHash !== undefined) {
      await this.storage.setPasswordHash(userId, newHash);
      await this.passwords.remember(userId, newHash, this.clock());
      await this.storage.deleteUserTokens(userId, 'reset_password');
      await this.storage.destroyUserSessions(userId, context.sessionId ?? undefined);
      await this.log(LOG_TYPES.successChangePassword, 'Password changed', userId, context);
    }
    if (fields.blocked === true) await this.storage.destroyUserSessions(userId);
    // Which metadata keys changed, never their values: the audit trail must not copy personal data.
    const details: Metadata = { fields: Object.keys(patch) };
    if (fields.user_metadata) details.user_metadata_keys = Object.keys(fields.user_metadata);
    if (fields.app_metadata) details.app_metadata_keys = Object.keys(fields.app_metadata);
    const description = fields.blocked === true ? 'User blocked' : fields.blocked === false ? 'User unblocked' : 'User updated';
    await this.log(LOG_TYPES.successUserUpdate, description, userId, context, details);
    return updated;
  }

  private changesFor(user: User, fields: Omit<UserPatchInput, 'password' | 'verify_email' | 'connection'>): UserChanges {
    const changes: UserChanges = { updated_at: this.clock() };
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'user_metadata' || key === 'app_metadata') {
        const patch = value as Metadata;
        if (Object.keys(patch).length === 0) {
          if (this.emptyMetadataWipes) changes[key] = {};
          continue;
        }
        changes[key] = applyMetadataPatch(user[key], patch, this.mergeMode);
      } else {
        (changes as unknown as Record<string, unknown>)[key] = value;
      }
    }
    // A new address is unproven until verified again, unless the admin says otherwise.
    if (fields.email !== undefined && fields.email !== user.email && fields.email_verified === undefined) {
      changes.email_verified = false;
    }
    return changes;
  }

  /**
   * Erases the user (GDPR art. 17): the user with everything hanging on it (identities, password
   * and its history, tokens, sessions, role grants, consents) is deleted, and the user's log
   * events are anonymized: their user_id becomes a random pseudonym (`erased|<uuid>`, the same
   * for all of them, so the trail still reads as one person's), their ip and details go. The
   * deletion itself is logged under that pseudonym, with the actor. Resolves to the pseudonym.
   */
  async deleteUser(userId: string, context: RequestContext = {}): Promise<string> {
    // The last administrator cannot be deleted (409 last_admin): checked and deleted atomically.
    if (!(await this.storage.deleteUser(userId, { keepHolderOf: ADMIN_ROLE.id }))) throw new GatehouseError('inexistent_user');
    const pseudonym = `erased|${randomUUID()}`;
    await this.storage.anonymizeUserLogs(userId, pseudonym);
    await this.log(LOG_TYPES.successUserDeletion, 'User deleted', pseudonym, { ...context, ip: context.actor === 'self' ? null : context.ip });
    return pseudonym;
  }

  /** Blocks or unblocks; blocking ends every session of the user. */
  async setBlocked(userId: string, blocked: boolean, context: RequestContext = {}): Promise<User> {
    return this.updateUser(userId, { blocked }, 'admin', context);
  }

  /**
   * Changes a password. With `currentPassword` (self-service) the current one must match first.
   * The user's other sessions end and outstanding reset links die.
   */
  async changePassword(
    userId: string,
    newPassword: unknown,
    options: { currentPassword?: unknown } & RequestContext = {},
  ): Promise<void> {
    if (typeof newPassword !== 'string') {
      throw new GatehouseError('invalid_body', { field: 'new_password', message: 'The password must be a string.' });
    }
    const oldHash = await this.storage.getPasswordHash(userId);
    const subject = await this.storage.getUser(userId);
    if (oldHash === null || subject === null) throw new GatehouseError('inexistent_user');
    if (options.currentPassword !== undefined) {
      const ok = typeof options.currentPassword === 'string' && (await this.hasher.verify(oldHash, options.currentPassword));
      if (!ok) {
        await this.log(LOG_TYPES.failedChangePassword, 'Wrong current password', userId, options);
        throw new GatehouseError('invalid_current_password', { field: 'current_password' });
      }
    }
    // After the current password: a wrong guess must not learn whether a candidate is in the history.
    const password = await this.newPassword(newPassword, { field: 'new_password', personal: subject, userId }, LOG_TYPES.breachedPasswordReset, options);
    const newHash = await this.hasher.hash(password);
    await this.storage.setPasswordHash(userId, newHash);
    await this.passwords.remember(userId, newHash, this.clock());
    await this.storage.modifyUser(userId, (u) => ({ updated_at: this.clock(), ...withoutBreachFlag(u) }));
    await this.storage.deleteUserTokens(userId, 'reset_password');
    await this.storage.destroyUserSessions(userId, options.sessionId ?? undefined);
    await this.log(LOG_TYPES.successChangePassword, 'Password changed', userId, options);
  }

  /**
   * Checks a database user's credentials. Unknown user, no password and wrong password all end in
   * the same `invalid_credentials`, after the same amount of hashing work. A hash from an older
   * scheme (imported bcrypt, weaker Argon2) is replaced by Argon2id at OWASP cost.
   * `connection` names another connection whose users Gatehouse holds passwords for (a custom
   * database whose users were migrated): @default the database connection.
   */
  async authenticate(identifier: unknown, password: unknown, context: RequestContext = {}, connection = this.databaseConnection): Promise<User> {
    if (typeof identifier !== 'string' || identifier.trim() === '' || identifier.length > 254) {
      throw new GatehouseError('invalid_body', { field: 'username', message: 'Enter your email address.' });
    }
    if (typeof password !== 'string' || password === '') {
      throw new GatehouseError('invalid_body', { field: 'password', message: 'Enter your password.' });
    }
    const key = identifier.trim().toLowerCase();
    const tooLong = [...password].length > this.policy.maxLength;
    const user = key.includes('@')
      ? await this.storage.findUserByEmail(connection, key)
      : await this.storage.findUserByUsername(connection, key);
    const hash = user ? await this.storage.getPasswordHash(user.user_id) : null;
    if (!user || hash === null || tooLong) {
      await this.hasher.verifyDummy(tooLong ? '' : password);
      await this.log(LOG_TYPES.failedLoginUnknownUser, 'Wrong email or password.', user?.user_id ?? null, context, {
        identifier: key,
      });
      throw new GatehouseError('invalid_credentials');
    }
    if (!(await this.hasher.verify(hash, password))) {
      await this.log(LOG_TYPES.failedLoginWrongPassword, 'Wrong email or password.', user.user_id, context);
      throw new GatehouseError('invalid_credentials');
    }
    if (user.blocked) {
      await this.log(LOG_TYPES.failedLogin, 'user is blocked', user.user_id, context, { reason: 'blocked' });
      throw new GatehouseError('user_blocked');
    }
    await this.refuseBreachedPassword(user, password, context);
    if (this.hasher.needsRehash(hash)) {
      // Compare-and-set: a password changed meanwhile is never overwritten by the old one.
      await this.storage.setPasswordHash(user.user_id, await this.hasher.hash(password), hash);
    }
    return user;
  }

  /** Counts a successful login: logins_count, last_login, last_ip, updated_at (one atomic write). */
  async recordLogin(userId: string, context: RequestContext = {}): Promise<void> {
    const [found] = await Promise.all([
      this.storage.recordLogin(userId, this.clock(), context.ip ?? null),
      this.log(LOG_TYPES.successLogin, 'Successful login', userId, context),
    ]);
    if (!found) throw new GatehouseError('inexistent_user');
  }

  /** Issues a one-time token; only its hash is stored. Resolves to the token for the link. */
  async issueToken(userId: string, purpose: TokenPurpose, ttlMs: number, data: Metadata = {}): Promise<string> {
    const token = newOneTimeToken();
    await this.storage.createToken({
      hash: hashOneTimeToken(token),
      purpose,
      user_id: userId,
      expires_at: new Date(this.clock().getTime() + ttlMs),
      data,
    });
    return token;
  }

  /** Redeems a one-time token (once). `invalid_token` for unknown, used, expired or malformed tokens. */
  async redeemToken(token: unknown, purpose: TokenPurpose): Promise<TokenRecord> {
    if (typeof token !== 'string' || token.length < 16 || token.length > 128) throw new GatehouseError('invalid_token');
    const record = await this.storage.consumeToken(hashOneTimeToken(token), purpose, this.clock());
    if (!record) throw new GatehouseError('invalid_token');
    return record;
  }

  /** Marks the email verified, when the token was issued for the address the user still has. */
  async verifyEmail(token: unknown, context: RequestContext = {}): Promise<User> {
    const record = await this.redeemToken(token, 'verify_email');
    const user = await this.storage.modifyUser(record.user_id, (u) =>
      u.email !== null && u.email === record.data.email ? { email_verified: true, updated_at: this.clock() } : null,
    );
    if (!user || !user.email_verified) throw new GatehouseError('invalid_token');
    await this.log(LOG_TYPES.successVerificationEmail, 'Email verified', user.user_id, context);
    return user;
  }

  /**
   * Sets a new password from a reset link; ends every session; the link dies with its first use.
   * Resolves to the user and the data bound to the link (a ticket's `result_url`, say).
   */
  async resetPassword(token: unknown, newPassword: unknown, context: RequestContext = {}): Promise<{ user: User; data: Metadata }> {
    // Check the password first (against the link's user, found without using the link), so a
    // refused password does not burn the link.
    const pending =
      typeof token === 'string' && token.length >= 16 && token.length <= 128
        ? await this.storage.findToken(hashOneTimeToken(token), 'reset_password', this.clock())
        : null;
    const owner = pending ? await this.storage.getUser(pending.user_id) : null;
    const check: NewPasswordContext = owner ? { personal: owner, userId: owner.user_id } : {};
    const password = await this.newPassword(newPassword, check, LOG_TYPES.breachedPasswordReset, context, owner?.user_id ?? null);
    const record = await this.redeemToken(token, 'reset_password');
    const newHash = await this.hasher.hash(password);
    await this.storage.setPasswordHash(record.user_id, newHash);
    const now = this.clock();
    await this.passwords.remember(record.user_id, newHash, now);
    // Following a link sent to the address proves the address. A management API ticket is handed
    // over by an admin instead, and marks it verified only when asked (mark_email_as_verified).
    // A new password also ends a breach flag.
    const user = await this.storage.modifyUser(record.user_id, (u) => ({
      updated_at: now,
      ...(u.email === record.data.email && record.data.mark_email_as_verified !== false ? { email_verified: true } : {}),
      ...withoutBreachFlag(u),
    }));
    if (!user) throw new GatehouseError('invalid_token');
    await this.storage.deleteUserTokens(record.user_id, 'reset_password');
    await this.storage.destroyUserSessions(record.user_id);
    await this.log(LOG_TYPES.successChangePassword, 'Password reset', record.user_id, context);
    return { user, data: record.data };
  }

  /** The user's permissions through their roles. */
  getPermissions(userId: string): Promise<Permission[]> {
    return this.storage.getUserPermissions(userId);
  }

  /**
   * Appends an audit event (dated by the clock: a Date, UTC on the wire). Values are stored as
   * data, never interpolated into the description, and every string is encoded against log
   * injection (control characters and line breaks become `\uXXXX` text).
   */
  async log(type: string, description: string, userId: string | null, context: RequestContext = {}, details: Metadata = {}): Promise<void> {
    await this.storage.appendLog({
      log_id: randomUUID(),
      date: this.clock(),
      type: encodeLogText(type),
      description: encodeLogText(description),
      user_id: userId === null ? null : encodeLogText(userId),
      ip: context.ip ? encodeLogText(context.ip) : null,
      details: encodeLogDetails(context.actor ? { ...details, actor: context.actor } : details),
    });
  }

  /**
   * Records a consent (or, with `granted: false`, its withdrawal): what (`purpose`, e.g.
   * `terms_of_service`), which `version` of the text, when, from which IP. Kept with the user and
   * exported with their data. `inexistent_user` for an unknown user.
   */
  async recordConsent(userId: string, body: unknown, context: RequestContext = {}): Promise<ConsentRecord> {
    const input = parseConsentInput(body);
    const record: ConsentRecord = {
      consent_id: `con_${randomBytes(12).toString('hex')}`,
      user_id: userId,
      purpose: input.purpose,
      version: input.version,
      granted: input.granted,
      date: this.clock(),
      ip: context.ip ?? null,
    };
    await this.storage.recordConsent(record);
    await this.log(LOG_TYPES.successUserUpdate, input.granted ? 'Consent given' : 'Consent withdrawn', userId, context, {
      purpose: input.purpose,
      version: input.version,
    });
    return record;
  }

  /**
   * Runs a new password through the policy, breach and history checks. A breached password is
   * logged (`leakType`: signup_pwd_leak or reset_pwd_leak) before the refusal is thrown.
   */
  private async newPassword(
    raw: unknown,
    check: NewPasswordContext,
    leakType: string,
    context: RequestContext,
    subject: string | null = check.userId ?? null,
  ): Promise<string> {
    const result = await this.passwords.check(raw, check);
    if (result.leaked) await this.log(leakType, 'Breached password refused', subject, context, { source: result.leaked });
    if (result.failures.length > 0) throw passwordPolicyError(result.failures, check.field);
    return result.password;
  }

  /**
   * At login, after the right password: a user flagged for a breached password, or whose password
   * is found breached now, is refused with `password_leaked` until a reset. Newly found, the user
   * is flagged (stored in app_metadata, which admins see and can search) and onPasswordLeak runs.
   */
  private async refuseBreachedPassword(user: User, password: string, context: RequestContext): Promise<void> {
    if (user.app_metadata[BREACHED_PASSWORD_FLAG] !== undefined) {
      await this.log(LOG_TYPES.failedLogin, 'Breached password must be reset', user.user_id, context, { reason: 'password_leaked' });
      throw new GatehouseError('password_leaked', { message: 'This password appeared in a data breach. Reset your password to sign in.' });
    }
    if (!this.passwords.breached.checkAtLogin) return;
    const source = await this.passwords.breached.check(password);
    if (!source) return;
    const flag = { detected_at: this.clock().toISOString(), source };
    // Of concurrent logins, only the one that sets the flag sends the reset link.
    let newlyFlagged = false;
    const flagged = await this.storage.modifyUser(user.user_id, (u) => {
      if (u.app_metadata[BREACHED_PASSWORD_FLAG] !== undefined) return null;
      newlyFlagged = true;
      return { app_metadata: { ...u.app_metadata, [BREACHED_PASSWORD_FLAG]: flag }, updated_at: this.clock() };
    });
    await this.log(LOG_TYPES.breachedPasswordLogin, 'Breached password used at login', user.user_id, context, { source });
    if (flagged && newlyFlagged) this.onPasswordLeak?.(flagged, context);
    throw new GatehouseError('password_leaked');
  }
}

/** The change that removes a breach flag (nothing when there is none). */
function withoutBreachFlag(user: User): { app_metadata?: Metadata } {
  if (user.app_metadata[BREACHED_PASSWORD_FLAG] === undefined) return {};
  const { [BREACHED_PASSWORD_FLAG]: _flag, ...rest } = user.app_metadata;
  return { app_metadata: rest };
}
