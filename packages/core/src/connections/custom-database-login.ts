import { GatehouseError, isGatehouseError } from '../gatehouse-error.js';
import { defaultPicture } from '../gravatar.js';
import { LOG_TYPES } from '../log-types.js';
import type { User } from '../user.js';
import { DATABASE_PROVIDER, formatUserId } from '../user-id.js';
import type { RequestContext, UserService } from '../user-service.js';
import type { ResolvedCustomDatabaseOptions } from './custom-database-options.js';
import { checkScriptProfile, type CheckedScriptProfile } from './custom-database-profile.js';
import { runScript, type ScriptLogger } from './custom-database-scripts.js';
import type { ExternalProfile } from './external-profile.js';

/**
 * The login of a custom database connection, framework-neutral. Its answer is the profile the
 * connection's strategy hands to `success()`; ExternalLogins then signs the user in as for any
 * connection.
 *
 * With `import: true` (lazy migration) a user Gatehouse already holds a password for is checked
 * by UserService.authenticate alone (its dummy hash for unknown users, its re-hash, its breach
 * check): the host's store is never asked about that user again, not even after a wrong password.
 * Anyone else goes to the `login` script; its first success creates the user on this connection
 * with the password re-hashed to Argon2id, in one write. With `import: false` the script checks
 * every login and Gatehouse keeps the profile, never a password.
 *
 * @example
 * const profile = await new CustomDatabaseLogin(users, resolveCustomDatabaseOptions(options), console).login(email, password);
 */
export class CustomDatabaseLogin {
  constructor(
    private readonly users: UserService,
    readonly options: ResolvedCustomDatabaseOptions,
    private readonly logger: ScriptLogger,
  ) {}

  /** Checks the credentials; `invalid_credentials` for an unknown user and a wrong password alike. */
  async login(identifier: unknown, password: unknown, context: RequestContext = {}): Promise<ExternalProfile> {
    if (typeof identifier !== 'string' || identifier.trim() === '' || identifier.length > 254) {
      throw new GatehouseError('invalid_body', { field: 'username', message: 'Enter your email address or username.' });
    }
    if (typeof password !== 'string' || password === '') {
      throw new GatehouseError('invalid_body', { field: 'password', message: 'Enter your password.' });
    }
    const { storage, hasher, policy } = this.users;
    if (this.options.import) {
      const local = await this.findLocal(identifier.trim().toLowerCase());
      if (local && (await storage.getPasswordHash(local.user_id)) !== null) {
        return this.identityOf(await this.users.authenticate(identifier, password, context, this.options.name));
      }
      // A password Gatehouse's own login would refuse as too long cannot be migrated.
      if ([...password].length > policy.maxLength) return this.reject('');
    }
    const raw = await this.run('login', (ctx) => this.options.scripts.login(identifier.trim(), password, ctx)).catch((err: unknown) =>
      isGatehouseError(err) && err.code === 'invalid_credentials' ? null : Promise.reject(err),
    );
    if (raw === null || raw === undefined) return this.reject(password);
    const checked = this.check(raw);
    if (!this.options.import) {
      await this.ensureUser(checked, null, context);
      return checked.profile;
    }
    const user = await this.ensureUser(checked, await hasher.hash(password), context, password);
    return this.identityOf(user);
  }

  /**
   * The user a password reset link goes to, for an address on this connection (null: none, or
   * `import: false`, whose passwords Gatehouse does not hold). A user not migrated yet is looked up
   * with `getUser` and created without a password; the reset then sets the first one, which
   * completes the migration (Auth0 does the same).
   */
  async findForPasswordReset(email: string): Promise<User | null> {
    if (!this.options.import) return null;
    const local = await this.users.storage.findUserByEmail(this.options.name, email);
    if (local) return local;
    const getUser = this.options.scripts.getUser;
    if (!getUser) return null;
    const raw = await this.run('getUser', (ctx) => getUser(email, ctx));
    if (raw === null || raw === undefined) return null;
    const checked = this.check(raw);
    if (checked.profile.email !== email) {
      this.logger.error(`[gatehouse] custom database ${this.options.name}: getUser returned a user with another email address; no reset link sent`);
      return null;
    }
    return this.ensureUser(checked, null, {});
  }

  private run<T>(script: string, call: Parameters<typeof runScript<T>>[1]): Promise<T> {
    const { name, timeoutMs } = this.options;
    return runScript({ connection: name, script, timeoutMs, logger: this.logger }, call);
  }

  /** The generic refusal. With import on, it costs what a migrated user's wrong password costs. */
  private async reject(password: string): Promise<never> {
    if (this.options.import) await this.users.hasher.verifyDummy(password);
    throw new GatehouseError('invalid_credentials');
  }

  private check(raw: unknown): CheckedScriptProfile {
    try {
      return checkScriptProfile(raw);
    } catch (err) {
      if (isGatehouseError(err)) this.logger.error(`[gatehouse] custom database ${this.options.name}: ${err.message}`);
      throw err;
    }
  }

  private findLocal(key: string): Promise<User | null> {
    const { storage } = this.users;
    return key.includes('@') ? storage.findUserByEmail(this.options.name, key) : storage.findUserByUsername(this.options.name, key);
  }

  /** What the strategy passes on for a user Gatehouse holds: the identity only, so nothing is synced over the user's own profile. */
  private identityOf(user: User): ExternalProfile {
    const identity = user.identities.find((i) => i.connection === this.options.name && i.provider === DATABASE_PROVIDER);
    if (!identity) throw new GatehouseError('invalid_credentials');
    return { provider: DATABASE_PROVIDER, user_id: identity.user_id };
  }

  /**
   * The user of the script's profile on this connection, created (with `hash`, when migrating)
   * if new. A user known before without a password (a reset asked for, or import turned on later)
   * gets the hash now. One who has a password already was migrated under another identifier: the
   * password is then checked against Gatehouse's hash, never replaced by the legacy one.
   */
  private async ensureUser(checked: CheckedScriptProfile, hash: string | null, context: RequestContext, password?: string): Promise<User> {
    const { storage, hasher } = this.users;
    const { profile } = checked;
    const existing = (await storage.findUserByIdentity(DATABASE_PROVIDER, profile.user_id)) ?? (await this.create(checked, hash, context));
    if (!existing.identities.some((i) => i.connection === this.options.name && i.provider === DATABASE_PROVIDER && i.user_id === profile.user_id)) {
      // An id the host reuses from another connection must never sign someone in as that user.
      this.logger.error(`[gatehouse] custom database ${this.options.name}: user_id ${profile.user_id} belongs to a user of another connection`);
      throw new GatehouseError('invalid_profile');
    }
    if (hash === null || password === undefined) return existing;
    const current = await storage.getPasswordHash(existing.user_id);
    if (current === null) {
      await storage.setPasswordHash(existing.user_id, hash);
    } else if (current !== hash && !(await hasher.verify(current, password))) {
      throw new GatehouseError('invalid_credentials');
    }
    return existing;
  }

  private async create(checked: CheckedScriptProfile, hash: string | null, context: RequestContext): Promise<User> {
    const { profile } = checked;
    const { name: connection } = this.options;
    const email = profile.email ?? null;
    const name = profile.name ?? email ?? profile.username ?? null;
    try {
      const user = await this.users.storage.createUser({
        user_id: formatUserId(DATABASE_PROVIDER, profile.user_id),
        connection,
        email,
        email_verified: profile.email_verified === true,
        username: profile.username ?? null,
        phone_number: profile.phone_number ?? null,
        phone_verified: false,
        // Auth0's defaults for database users.
        name,
        given_name: profile.given_name ?? null,
        family_name: profile.family_name ?? null,
        nickname: profile.nickname ?? (email ? email.slice(0, email.lastIndexOf('@')) : (profile.username ?? null)),
        picture: profile.picture ?? (email ? defaultPicture(email, name ?? undefined) : null),
        blocked: false,
        user_metadata: checked.user_metadata,
        app_metadata: checked.app_metadata,
        identity: { connection, provider: DATABASE_PROVIDER, user_id: profile.user_id, isSocial: false },
        password_hash: hash,
        created_at: this.users.clock(),
      });
      await this.users.log(LOG_TYPES.successSignup, hash ? 'Migrated from the custom database' : 'Successful signup', user.user_id, context, {
        connection,
      });
      return user;
    } catch (err) {
      if (!isGatehouseError(err) || err.code !== 'user_exists') throw err;
      // Two first logins at once: the other one created the user (its hash is of the same password).
      const winner = await this.users.storage.findUserByIdentity(DATABASE_PROVIDER, profile.user_id);
      if (winner) return winner;
      // The email or username is taken on this connection by a user of another id: the scripts
      // answer with different ids for one person (login vs getUser), or the store reused an id.
      this.logger.error(`[gatehouse] custom database ${connection}: user_id ${profile.user_id} has an email or username another user of the connection holds`);
      throw new GatehouseError('invalid_profile', { cause: err });
    }
  }
}
