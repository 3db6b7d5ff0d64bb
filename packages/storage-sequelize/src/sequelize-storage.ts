import { GatehouseError, type Storage } from '@gatehouse/core';
import type { Sequelize } from 'sequelize';
import { createAdapterContext } from './adapter-context.js';
import { connect } from './connect.js';
import { isUnavailable, toStorageError } from './errors.js';
import { migrate } from './migrate.js';
import { defineModels } from './models/index.js';
import { createUserSearch } from './search/search-users.js';
import { resolveOptions, type Dialect, type SequelizeStorageOptions } from './options.js';
import { createAccountLinkStore } from './stores/account-link-store.js';
import { createApiTokenStore } from './stores/api-token-store.js';
import { createAuditStore } from './stores/audit-store.js';
import { createCacheStore } from './stores/cache-store.js';
import { createApplicationStore } from './stores/application-store.js';
import { createOidcPayloadStore } from './stores/oidc-payload-store.js';
import { createSigningKeyStore } from './stores/signing-key-store.js';
import { createCredentialStore } from './stores/credential-store.js';
import { createImportStore } from './stores/import-store.js';
import { createJobStore } from './stores/job-store.js';
import { createIdentityLinkStore } from './stores/identity-link-store.js';
import { createLogStore } from './stores/log-store.js';
import { createLoginBlockStore } from './stores/login-block-store.js';
import { createPasswordlessCodeStore } from './stores/passwordless-code-store.js';
import { createRoleAdminStore } from './stores/role-admin-store.js';
import { createRoleStore } from './stores/role-store.js';
import { createSessionStore } from './stores/session-store.js';
import { createTokenStore } from './stores/token-store.js';
import { createUserStore } from './stores/user-store.js';

/** The storage ports over Sequelize, with the instance for host code that needs it. */
export type SequelizeStorage = Storage & {
  /** The Sequelize instance (for the host's own tables); Gatehouse's models are not exposed. */
  sequelize: Sequelize;
  dialect: Dialect;
};

/**
 * Gatehouse's storage on SQLite, PostgreSQL or MySQL/MariaDB. Options are checked here (a bad
 * option throws a TypeError now, not at the first request); the database is first contacted by
 * `migrate()` or the first call.
 *
 * @example
 * const storage = createSequelizeStorage({ url: 'sqlite:./data/gatehouse.sqlite' });
 * await storage.migrate();
 */
export function createSequelizeStorage(options: SequelizeStorageOptions): SequelizeStorage {
  const resolved = resolveOptions(options);
  const connection = connect(resolved);
  const models = defineModels(connection.sequelize, resolved.tablePrefix);
  const ctx = createAdapterContext(connection, models);
  let closed = false;

  const ports: Storage = {
    ...createUserStore(ctx),
    ...createCredentialStore(ctx),
    ...createTokenStore(ctx),
    ...createSessionStore(ctx),
    ...createRoleStore(ctx),
    ...createRoleAdminStore(ctx),
    ...createApiTokenStore(ctx),
    ...createLogStore(ctx),
    ...createAuditStore(ctx),
    ...createImportStore(ctx),
    ...createJobStore(ctx),
    ...createIdentityLinkStore(ctx),
    ...createCacheStore(ctx),
    ...createLoginBlockStore(ctx),
    ...createPasswordlessCodeStore(ctx),
    ...createApplicationStore(ctx),
    ...createOidcPayloadStore(ctx),
    ...createSigningKeyStore(ctx),
    ...createAccountLinkStore(ctx),
    searchUsers: createUserSearch(ctx, resolved.tablePrefix, resolved.exactCountUpTo),
    async migrate() {
      await migrate(connection, resolved.tablePrefix);
    },
    async ping() {
      try {
        await connection.sequelize.query('SELECT 1');
        return true;
      } catch (err) {
        // Unreachable is an answer; any other failure is a bug and is thrown.
        if (isUnavailable(err)) return false;
        throw err;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await ctx.sqlite?.close();
      // An instance passed in belongs to the caller, who may still use it.
      if (connection.owned) await connection.sequelize.close();
    },
  };

  const storage = {} as SequelizeStorage;
  for (const [name, method] of Object.entries(ports) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    (storage as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      if (closed && name !== 'close') {
        throw new GatehouseError('storage_unavailable', { message: 'The storage is closed.' });
      }
      try {
        return await method(...args);
      } catch (err) {
        throw toStorageError(err);
      }
    };
  }
  storage.sequelize = connection.sequelize;
  storage.dialect = resolved.source.dialect;
  return storage;
}
