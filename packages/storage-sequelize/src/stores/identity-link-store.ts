import {
  GatehouseError,
  isMainIdentity,
  linkedIdentities,
  mainIdentityError,
  selfLinkError,
  unlinkedUserRecord,
  type IdentityStore,
  type User,
} from '@gatehouse/core';
import type { Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import { rowOf } from '../models/row-model.js';
import { toIdentityRow, toUserRow } from '../user-mapper.js';
import { withIdentities } from './load-users.js';

/** Linking and unlinking identities: each call one transaction over users, identities and what hangs on them. */
export function createIdentityLinkStore(ctx: AdapterContext): IdentityStore {
  const { models } = ctx;

  /** The user, read under a row lock (SQLite's IMMEDIATE transaction already holds the write lock). */
  async function lockUser(userId: string, transaction: Transaction): Promise<User | null> {
    const row = await models.user.findOne({ where: { user_id: userId }, transaction, lock: ctx.rowLock });
    if (!row) return null;
    const [user] = await withIdentities(ctx, [rowOf(row)], transaction);
    return user ?? null;
  }

  async function reload(userId: string, transaction: Transaction): Promise<User> {
    const user = await lockUser(userId, transaction);
    if (!user) throw new Error(`${userId} not found right after it was written.`);
    return user;
  }

  return {
    async linkUser(primaryUserId, secondaryUserId, options = {}) {
      if (primaryUserId === secondaryUserId) throw selfLinkError();
      return ctx.transaction(async (transaction) => {
        // Both rows are locked in one order (by id), so two links of one pair, in either
        // direction, wait for each other instead of deadlocking; the second then finds its
        // secondary gone and fails with inexistent_user.
        const locked = new Map<string, User | null>();
        for (const id of [primaryUserId, secondaryUserId].sort()) locked.set(id, await lockUser(id, transaction));
        const primary = locked.get(primaryUserId);
        const secondary = locked.get(secondaryUserId);
        if (!primary || !secondary) throw new GatehouseError('inexistent_user');
        const keep = options.keepHolderOf;
        if (keep !== undefined) {
          // Locking every grant of the protected role serializes this with removeUserRoles.
          const holders = (await models.userRole.findAll({ where: { role_id: keep }, transaction, lock: ctx.rowLock })).map((h) => rowOf(h).user_id);
          if (holders.includes(secondaryUserId) && holders.length <= 1) throw new GatehouseError('last_admin');
        }
        const moved = linkedIdentities(secondary);
        // Sessions have no foreign key; the secondary's identities, password, tokens, grants and
        // metadata index rows go with it (ON DELETE CASCADE), as in deleteUser.
        await models.session.destroy({ where: { user_id: secondaryUserId }, transaction });
        await models.user.destroy({ where: { user_id: secondaryUserId }, transaction });
        // Re-inserted rather than re-pointed: new ids keep the primary's own identity first.
        for (const identity of moved) await models.identity.create(toIdentityRow(primaryUserId, identity), { transaction });
        await models.user.update({ updated_at: options.at ?? new Date() }, { where: { user_id: primaryUserId }, transaction });
        return reload(primaryUserId, transaction);
      });
    },

    async unlinkIdentity(userId, provider, providerUserId, options = {}) {
      return ctx.transaction(async (transaction) => {
        const user = await lockUser(userId, transaction);
        if (!user) throw new GatehouseError('inexistent_user');
        const identity = user.identities.find((i) => i.provider === provider && i.user_id === providerUserId);
        if (!identity) throw new GatehouseError('inexistent_identity');
        if (isMainIdentity(user, identity)) throw mainIdentityError();
        const at = options.at ?? new Date();
        const record = unlinkedUserRecord(identity, at);
        // A taken id, email or username fails on a unique index (user_exists) and rolls all back.
        await models.user.create(toUserRow(record), { transaction });
        const row = toIdentityRow(record.user_id, record.identity);
        await models.identity.update(
          { user_id: row.user_id, profile_data: row.profile_data },
          { where: { user_id: userId, provider, provider_user_id: providerUserId }, transaction },
        );
        await models.user.update({ updated_at: at }, { where: { user_id: userId }, transaction });
        const [remaining, unlinked] = [await reload(userId, transaction), await reload(record.user_id, transaction)];
        return { identities: remaining.identities, unlinked };
      });
    },
  };
}
