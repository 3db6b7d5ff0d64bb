import type { User, UserStore } from '@gatehouse/core';
import { literal, Op, type Transaction, type WhereOptions } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { IdentityRow } from '../models/identity-model.js';
import { rowOf } from '../models/row-model.js';
import type { UserRow } from '../models/user-model.js';
import { toIdentityRow, toUser, toUserChangesRow, toUserRow } from '../user-mapper.js';

export function createUserStore(ctx: AdapterContext): UserStore {
  const { models } = ctx;

  /** Users with their identities: two indexed queries instead of a join that repeats each user row. */
  async function withIdentities(rows: UserRow[], transaction?: Transaction): Promise<User[]> {
    if (rows.length === 0) return [];
    const identities = await models.identity.findAll({
      where: { user_id: { [Op.in]: rows.map((r) => r.user_id) } },
      order: [['id', 'ASC']],
      transaction,
    });
    const byUser = new Map<string, IdentityRow[]>();
    for (const identity of identities.map(rowOf)) {
      const list = byUser.get(identity.user_id) ?? [];
      list.push(identity);
      byUser.set(identity.user_id, list);
    }
    return rows.map((row) => toUser(row, byUser.get(row.user_id) ?? []));
  }

  async function findOne(where: WhereOptions<UserRow>, transaction?: Transaction): Promise<User | null> {
    const row = await models.user.findOne({ where, transaction });
    if (!row) return null;
    const [user] = await withIdentities([rowOf(row)], transaction);
    return user ?? null;
  }

  return {
    async createUser(record) {
      return ctx.transaction(async (transaction) => {
        await models.user.create(toUserRow(record), { transaction });
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
      return findOne({ user_id: userId });
    },

    async findUserByEmail(connection, email) {
      return findOne({ connection, email_lower: email.toLowerCase() });
    },

    async findUserByUsername(connection, username) {
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
      return withIdentities(rows.map(rowOf));
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
        const [current] = await withIdentities([rowOf(row)], transaction);
        if (!current) return null;
        // `change` gets a copy: what it does to its argument is never written or returned.
        const changes = change(structuredClone(current));
        if (changes === null) return current;
        await models.user.update(toUserChangesRow(changes), { where: { user_id: userId }, transaction });
        return findOne({ user_id: userId }, transaction);
      });
    },

    async recordLogin(userId, at, ip) {
      // One UPDATE with an in-database increment: atomic without a transaction or a lock.
      const [count] = await ctx.writeOne(() =>
        models.user.update(
          { logins_count: literal('logins_count + 1') as unknown as number, last_login: at, last_ip: ip, updated_at: at },
          { where: { user_id: userId } },
        ),
      );
      return count > 0;
    },

    async deleteUser(userId) {
      return ctx.transaction(async (transaction) => {
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
