import { GatehouseError, type AccountLinkStore, type IdpTokenStore, type User } from '@gatehouse/core';
import type { AdapterContext } from '../adapter-context.js';
import { rowOf } from '../models/row-model.js';
import { replaceMetadataValues } from '../search/metadata-value-model.js';
import { toDate, toIdentityRow, toUserChangesRow } from '../user-mapper.js';
import { withIdentities } from './load-users.js';

/** Linking an identity at login (one transaction), and the sealed provider tokens of identities. */
export function createAccountLinkStore(ctx: AdapterContext): AccountLinkStore & IdpTokenStore {
  const { models } = ctx;

  return {
    async attachIdentity(userId, identity, options = {}) {
      return ctx.transaction(async (transaction) => {
        // The row lock serializes this with modifyUser, linkUser and deleteUser on the same user.
        const row = await models.user.findOne({ where: { user_id: userId }, transaction, lock: ctx.rowLock });
        if (!row) throw new GatehouseError('inexistent_user');
        // A taken identity fails on the (provider, provider_user_id) unique index: user_exists, all rolled back.
        await models.identity.create(toIdentityRow(userId, identity), { transaction });
        const { changes } = options;
        if (changes !== undefined) {
          await models.user.update(toUserChangesRow(changes), { where: { user_id: userId }, transaction });
          if (changes.user_metadata !== undefined) {
            await replaceMetadataValues(models.metadataValue, userId, 'user', changes.user_metadata, transaction);
          }
          if (changes.app_metadata !== undefined) {
            await replaceMetadataValues(models.metadataValue, userId, 'app', changes.app_metadata, transaction);
          }
        }
        if (options.revokeCredentials) {
          // Whoever registered the unverified account may hold its password, a session, or a
          // pending link: all go in the transaction that hands the account to the verified owner.
          await models.credential.destroy({ where: { user_id: userId }, transaction });
          await models.token.destroy({ where: { user_id: userId }, transaction });
          await models.session.destroy({ where: { user_id: userId }, transaction });
        }
        const reread = await models.user.findOne({ where: { user_id: userId }, transaction });
        const [user] = reread ? await withIdentities(ctx, [rowOf(reread)], transaction) : [];
        if (!user) throw new Error(`attachIdentity: ${userId} not found right after it was written.`);
        return user as User;
      });
    },

    async setIdpTokens(record) {
      await ctx.transaction(async (transaction) => {
        // The user row lock keeps a concurrent deleteUser from leaving a row behind (the foreign key
        // would refuse it anyway, as inexistent_user).
        const user = await models.user.findOne({ where: { user_id: record.user_id }, attributes: ['user_id'], transaction, lock: ctx.rowLock });
        if (!user) throw new GatehouseError('inexistent_user');
        await models.idpToken.upsert(
          {
            provider: record.provider,
            provider_user_id: record.provider_user_id,
            user_id: record.user_id,
            sealed: record.sealed,
            updated_at: record.updated_at,
          },
          { transaction },
        );
      });
    },

    async listIdpTokens(userId) {
      const rows = await models.idpToken.findAll({
        where: { user_id: userId },
        order: [
          ['provider', 'ASC'],
          ['provider_user_id', 'ASC'],
        ],
      });
      return rows.map(rowOf).map((r) => ({
        user_id: r.user_id,
        provider: r.provider,
        provider_user_id: r.provider_user_id,
        sealed: r.sealed,
        updated_at: toDate(r.updated_at),
      }));
    },
  };
}
