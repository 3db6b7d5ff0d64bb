import type { ApiTokenInfo, ApiTokenStore } from '@gatehouse/core';
import { Op } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { ApiTokenRow } from '../models/api-token-model.js';
import { rowOf } from '../models/row-model.js';
import { parseJson, toDate, toNullableDate } from '../user-mapper.js';

function toInfo(row: ApiTokenRow): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: parseJson<string[]>(row.scopes),
    created_at: toDate(row.created_at),
    expires_at: toNullableDate(row.expires_at),
    revoked_at: toNullableDate(row.revoked_at),
  };
}

export function createApiTokenStore(ctx: AdapterContext): ApiTokenStore {
  const { models } = ctx;
  return {
    async createApiToken(token) {
      await ctx.writeOne(() =>
        models.apiToken.create({ ...token, scopes: JSON.stringify(token.scopes), revoked_at: null }),
      );
    },

    async findActiveApiToken(hash, now) {
      const row = await models.apiToken.findOne({
        where: {
          hash,
          revoked_at: null,
          [Op.or]: [{ expires_at: null }, { expires_at: { [Op.gt]: now } }],
        },
      });
      return row ? toInfo(rowOf(row)) : null;
    },

    async listApiTokens() {
      const rows = await models.apiToken.findAll({
        attributes: { exclude: ['hash'] },
        order: [
          ['created_at', 'ASC'],
          ['id', 'ASC'],
        ],
      });
      return rows.map((r) => toInfo(rowOf(r)));
    },

    async revokeApiToken(id, at) {
      // One conditional UPDATE: of two concurrent revocations exactly one reports true.
      const [count] = await ctx.writeOne(() => models.apiToken.update({ revoked_at: at }, { where: { id, revoked_at: null } }));
      return count === 1;
    },
  };
}
