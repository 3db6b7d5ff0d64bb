import {
  CustomDatabaseLogin,
  isGatehouseError,
  resolveCustomDatabaseOptions,
  type Connection,
  type CustomDatabaseOptions,
  type ExternalProfile,
  type StrategyLike,
  type User,
} from '@gatehouse/core';
import type { Request } from 'express';
import type { GatehouseContext } from './context.js';

/** The outcomes Passport adds to a strategy while it authenticates. */
interface StrategyOutcome {
  success(profile: ExternalProfile): void;
  fail(info?: unknown): void;
  error(err: unknown): void;
}

/** Each custom database connection's login, per identity() that mounts it. */
const loginsOf = new WeakMap<Connection, (gh: GatehouseContext) => CustomDatabaseLogin>();

/**
 * A connection to the host's own user store through Auth0's custom-database contract, as async
 * functions: `login` (and `getUser` for `import: true`). With `import: true` users move into
 * Gatehouse at their first successful login (password re-hashed to Argon2id) and are never looked
 * up in the host's store again; with `import: false` the store checks every login. Users sign in
 * with the login form's connection choice (`connection=<name>`) or `POST <prefix>/<name>`; their
 * user_id is `auth0|<the store's id>`.
 *
 * @example
 * identity({
 *   baseUrl: 'https://app.example.com',
 *   connections: [customDatabase({
 *     name: 'legacy', import: true,
 *     async login(email, password) { const row = await findRow(email); return row && (await check(password, row.hash)) ? { user_id: row.id, email: row.email } : null; },
 *     async getUser(email) { const row = await findRow(email); return row && { user_id: row.id, email: row.email }; },
 *   })],
 * });
 */
export function customDatabase(options: CustomDatabaseOptions): Connection {
  const resolved = resolveCustomDatabaseOptions(options);
  const perIdentity = new WeakMap<GatehouseContext, CustomDatabaseLogin>();
  const loginFor = (gh: GatehouseContext): CustomDatabaseLogin => {
    let login = perIdentity.get(gh);
    if (!login) {
      login = new CustomDatabaseLogin(gh.users, resolved, gh.options.logger);
      perIdentity.set(gh, login);
    }
    return login;
  };

  const connection: Connection = {
    name: resolved.name,
    kind: 'database',
    displayName: resolved.displayName,
    loginMode: 'credentials',
    // Pass-through mirrors the host's store at each login; a migrated user's profile is Gatehouse's own.
    syncUserProfile: !resolved.import,
    managedRoles: [],
    createStrategy(): StrategyLike {
      return {
        name: `custom-database:${resolved.name}`,
        authenticate(this: StrategyOutcome, req: unknown) {
          const request = req as Request;
          // identity() puts its context on every request it routes; the user service lives there.
          const gh = request.gatehouse;
          if (!gh) return this.error(new Error('a customDatabase() connection works inside identity() only'));
          // Credentials only from the body, never the query string (they would end up in logs).
          const body = (request.body ?? {}) as Record<string, unknown>;
          loginFor(gh).login(body.username, body.password, { ip: gh.clientIp(request) }).then(
            (profile) => this.success(profile),
            (err: unknown) => (isGatehouseError(err) && err.status < 500 ? this.fail(err) : this.error(err)),
          );
        },
      };
    },
  };
  loginsOf.set(connection, loginFor);
  return connection;
}

/**
 * For a password reset: the user with this email on a custom database connection with
 * `import: true` (created from `getUser` when not migrated yet), or null.
 */
export async function customDatabaseUserForReset(gh: GatehouseContext, email: string): Promise<User | null> {
  for (const connection of gh.connections.values()) {
    const loginFor = loginsOf.get(connection);
    const user = loginFor ? await loginFor(gh).findForPasswordReset(email) : null;
    if (user) return user;
  }
  return null;
}
