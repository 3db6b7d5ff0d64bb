import { GatehouseError, type User, type UserStore } from '@gatehouse/core';
import { literal, type Transaction, type WhereOptions } from 'sequelize';
import { withIdentities } from './load-users.js';
import type { AdapterContext } from '../adapter-context.js';
import { rowOf } from '../models/row-model.js';
import type { UserRow } from '../models/user-model.js';
import { replaceMetadataValues } from '../search/metadata-value-model.js';
import type { IdentityRow } from '../models/identity-model.js';
import { sqliteDate } from '../sqlite-statements.js';
import { toIdentityRow, toUser, toUserChangesRow, toUserRow } from '../user-mapper.js';

/** The user port but search, which lives in ../search (it is a query compiler, not a lookup). */
export function createUserStore(ctx: AdapterContext): Omit<UserStore, 'searchUsers'> {
  const { models, sqlite } = ctx;
  const usersTable = ctx.table(models.user);
  const identitiesTable = ctx.table(models.identity);
  const identitiesSql = `SELECT * FROM ${identitiesTable} WHERE user_id = ? ORDER BY id ASC`;
  const recordLoginSql = `UPDATE ${usersTable} SET logins_count = logins_count + 1, last_login = ?, last_ip = ?, updated_at = ? WHERE user_id = ?`;

  /**
   * SQLite only: a user by one of the lookups every login and every changed session makes, as
   * prepared statements (see sqlite-statements.ts); other dialects run findOne's model query.
   */
  async function findPrepared(column: 'user_id' | 'email_lower' | 'username_lower', value: string, connection?: string): Promise<User | null> {
    const where = connection === undefined ? `${column} = ?` : `connection = ? AND ${column} = ?`;
    const row = await sqlite!.first<UserRow>(`SELECT * FROM ${usersTable} WHERE ${where} LIMIT 1`, connection === undefined ? [value] : [connection, value]);
    if (!row) return null;
    return toUser(row, await sqlite!.all<IdentityRow>(identitiesSql, [row.user_id]));
  }

  async function findOne(where: WhereOptions<UserRow>, transaction?: Transaction): Promise<User | null> {
    const row = await models.user.findOne({ where, transaction });
    if (!row) return null;
    const [user] = await withIdentities(ctx, [rowOf(row)], transaction);
    return user ?? null;
  }

  return {
    async createUser(record) {
      return ctx.transaction(async (transaction) => {
        await models.user.create(toUserRow(record), { transaction });
        await replaceMetadataValues(models.metadataValue, record.user_id, 'user', record.user_metadata, transaction);
        await replaceMetadataValues(models.metadataValue, record.user_id, 'app', record.app_metadata, transaction);
        await models.identity.create(toIdentityRow(record.user_id, record.identity), { transaction });
        if (record.password_hash !== null) {
          await models.credential.create(
            { user_id: record.user_id, password_hash: record.password_hash, updated_at: record.created_at },
            { transaction },
          );
        }
        const user = await findOne({ user_id: record.user_id }, transaction);
        if (!user) throw new Error(`createUser: ${record.user_id} not found right after it was written.`);
        return user;
      });
    },

    async getUser(userId) {
      return sqlite ? findPrepared('user_id', userId) : findOne({ user_id: userId });
    },

    async findUserByEmail(connection, email) {
      if (sqlite) return findPrepared('email_lower', email.toLowerCase(), connection);
      return findOne({ connection, email_lower: email.toLowerCase() });
    },

    async findUserByUsername(connection, username) {
      if (sqlite) return findPrepared('username_lower', username.toLowerCase(), connection);
      return findOne({ connection, username_lower: username.toLowerCase() });
    },

    async listUsersByEmail(email) {
      const rows = await models.user.findAll({
        where: { email_lower: email.toLowerCase() },
        order: [
          ['created_at', 'ASC'],
          ['user_id', 'ASC'],
        ],
      });
      return withIdentities(ctx, rows.map(rowOf));
    },

    async findUserByIdentity(provider, providerUserId) {
      const identity = await models.identity.findOne({ where: { provider, provider_user_id: providerUserId } });
      return identity ? findOne({ user_id: rowOf(identity).user_id }) : null;
    },

    async modifyUser(userId, change) {
      return ctx.transaction(async (transaction) => {
        // The row lock (or SQLite's IMMEDIATE transaction) makes concurrent calls on one user
        // wait here, so each reads what the previous one wrote.
        const row = await models.user.findOne({ where: { user_id: userId }, transaction, lock: ctx.rowLock });
        if (!row) return null;
        const [current] = await withIdentities(ctx, [rowOf(row)], transaction);
        if (!current) return null;
        // `change` gets a copy: what it does to its argument is never written or returned.
        const changes = change(structuredClone(current));
        if (changes === null) return current;
        await models.user.update(toUserChangesRow(changes), { where: { user_id: userId }, transaction });
        // The search index of metadata changes in the same transaction as the metadata itself.
        if (changes.user_metadata !== undefined) {
          await replaceMetadataValues(models.metadataValue, userId, 'user', changes.user_metadata, transaction);
        }
        if (changes.app_metadata !== undefined) {
          await replaceMetadataValues(models.metadataValue, userId, 'app', changes.app_metadata, transaction);
        }
        return findOne({ user_id: userId }, transaction);
      });
    },

    async recordLogin(userId, at, ip) {
      // One UPDATE with an in-database increment: atomic without a transaction or a lock.
      if (sqlite) return (await ctx.writeOne(() => sqlite.run(recordLoginSql, [sqliteDate(at), ip, sqliteDate(at), userId]))) > 0;
      const [count] = await ctx.writeOne(() =>
        models.user.update(
          { logins_count: literal('logins_count + 1') as unknown as number, last_login: at, last_ip: ip, updated_at: at },
          { where: { user_id: userId } },
        ),
      );
      return count > 0;
    },

    async deleteUser(userId, options = {}) {
      return ctx.transaction(async (transaction) => {
        const keep = options.keepHolderOf;
        if (keep !== undefined) {
          // Locking every grant of the protected role serializes this with removeUserRoles and
          // with another such delete: of two admins deleting each other, the second sees one holder.
          const holders = (await models.userRole.findAll({ where: { role_id: keep }, transaction, lock: ctx.rowLock })).map((h) => rowOf(h).user_id);
          if (holders.includes(userId) && holders.length <= 1) throw new GatehouseError('last_admin');
        }
        // Sessions have no foreign key (anonymous sessions exist); the rest cascades.
        await models.session.destroy({ where: { user_id: userId }, transaction });
        const deleted = await models.user.destroy({ where: { user_id: userId }, transaction });
        return deleted > 0;
      });
    },

    async countUsers() {
      return models.user.count();
    },
  };
}
