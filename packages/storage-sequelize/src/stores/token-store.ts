import type { TokenPurpose, TokenRecord, TokenStore } from '@gatehouse/core';
import { Op } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { TokenRow } from '../models/token-model.js';
import { rowOf } from '../models/row-model.js';
import { parseJson, toDate } from '../user-mapper.js';

function toToken(row: TokenRow): TokenRecord {
  return {
    hash: row.hash,
    purpose: row.purpose as TokenPurpose,
    user_id: row.user_id,
    expires_at: toDate(row.expires_at),
    data: parseJson(row.data),
  };
}

export function createTokenStore(ctx: AdapterContext): TokenStore {
  const { models } = ctx;
  return {
    async createToken(token) {
      await ctx.writeOne(() =>
        models.token.create({
          hash: token.hash,
          purpose: token.purpose,
          user_id: token.user_id,
          expires_at: token.expires_at,
          consumed_at: null,
          data: JSON.stringify(token.data),
        }),
      );
    },

    async consumeToken(hash, purpose, now) {
      return ctx.transaction(async (transaction) => {
        // One conditional UPDATE is the whole check-and-redeem: the database lets exactly one
        // concurrent caller change the row, and only that caller sees a count of 1.
        const [count] = await models.token.update(
          { consumed_at: now },
          { where: { hash, purpose, consumed_at: null, expires_at: { [Op.gt]: now } }, transaction },
        );
        if (count !== 1) return null;
        const row = await models.token.findByPk(hash, { transaction });
        return row ? toToken(rowOf(row)) : null;
      });
    },

    async findToken(hash, purpose, now) {
      const row = await models.token.findOne({ where: { hash, purpose, consumed_at: null, expires_at: { [Op.gt]: now } } });
      return row ? toToken(rowOf(row)) : null;
    },

    async deleteUserTokens(userId, purpose) {
      return ctx.writeOne(() =>
        models.token.destroy({ where: purpose === undefined ? { user_id: userId } : { user_id: userId, purpose } }),
      );
    },
  };
}
