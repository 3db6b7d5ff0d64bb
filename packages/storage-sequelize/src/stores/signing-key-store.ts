import type { SigningKeyRecord, SigningKeyStore } from '@gatehouse/core';
import type { AdapterContext } from '../adapter-context.js';
import type { SigningKeyRow } from '../models/application-models.js';
import { rowOf } from '../models/row-model.js';
import { toDate, toNullableDate } from '../user-mapper.js';

function toKey(row: SigningKeyRow): SigningKeyRecord {
  return { ...row, created_at: toDate(row.created_at), rotated_at: toNullableDate(row.rotated_at), revoked_at: toNullableDate(row.revoked_at) };
}

/** The provider's signing keys (private parts encrypted by the caller). */
export function createSigningKeyStore(ctx: AdapterContext): SigningKeyStore {
  const { models } = ctx;
  return {
    async rotateSigningKey(key, at) {
      await ctx.transaction(async (transaction) => {
        await models.signingKey.update({ rotated_at: at }, { where: { rotated_at: null }, transaction });
        await models.signingKey.create({ ...key }, { transaction });
      });
    },

    async addFirstSigningKey(key) {
      return ctx.transaction(async (transaction) => {
        // Under the lock of the first row, if any: two first starts cannot both see an empty table
        // (on PostgreSQL/MySQL a racing insert of another kid could still slip in; the newest key
        // then wins for both, which is harmless).
        const existing = await models.signingKey.findOne({ transaction, lock: ctx.rowLock, attributes: ['kid'] });
        if (existing) return false;
        await models.signingKey.create({ ...key }, { transaction });
        return true;
      });
    },

    async listSigningKeys() {
      const rows = await models.signingKey.findAll({
        order: [
          ['created_at', 'DESC'],
          ['kid', 'DESC'],
        ],
      });
      return rows.map((r) => toKey(rowOf(r)));
    },

    async revokeSigningKey(kid, at) {
      const [changed] = await ctx.writeOne(() => models.signingKey.update({ revoked_at: at }, { where: { kid, revoked_at: null } }));
      return changed === 1;
    },
  };
}
