import type { OidcPayloadFound, OidcPayloadStore } from '@gatehouse/core';
import { Op, type WhereOptions } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { OidcPayloadRow } from '../models/application-models.js';
import { rowOf } from '../models/row-model.js';
import { toNullableDate } from '../user-mapper.js';

/** Unexpired at `now`: no expiry, or one after it (expiry is exclusive). */
function unexpired(now: Date): WhereOptions<OidcPayloadRow> {
  return { [Op.or]: [{ expires_at: null }, { expires_at: { [Op.gt]: now } }] };
}

/**
 * oidc-provider's artifacts over one table keyed by (model, id). An upsert is one statement
 * (every dialect has one for a primary key); consumption is one conditional UPDATE, so of
 * concurrent calls exactly one changes the row.
 */
export function createOidcPayloadStore(ctx: AdapterContext): OidcPayloadStore {
  const { models } = ctx;

  async function findOne(where: WhereOptions<OidcPayloadRow>, now: Date): Promise<OidcPayloadFound | null> {
    const row = await models.oidcPayload.findOne({ where: { [Op.and]: [where, unexpired(now)] } });
    if (!row) return null;
    const { payload, consumed_at } = rowOf(row);
    return { payload, consumed_at: toNullableDate(consumed_at) };
  }

  return {
    async upsertOidcPayload(record) {
      // One statement (ON CONFLICT / ON DUPLICATE KEY UPDATE), not a delete and an insert: under
      // InnoDB's repeatable read, deleting an absent key gap-locks its neighbourhood, and two such
      // transactions then deadlock on each other's inserts (172 of 240 concurrent upserts failed
      // on MariaDB, a 500 from the provider).
      await ctx.writeOne(() => models.oidcPayload.upsert({ ...record, consumed_at: null }));
    },

    async findOidcPayload(model, id, now) {
      return findOne({ model, id }, now);
    },

    async findOidcPayloadByUid(model, uid, now) {
      return findOne({ model, uid }, now);
    },

    async findOidcPayloadByUserCode(model, userCode, now) {
      return findOne({ model, user_code: userCode }, now);
    },

    async consumeOidcPayload(model, id, at) {
      const [changed] = await ctx.writeOne(() => models.oidcPayload.update({ consumed_at: at }, { where: { model, id, consumed_at: null } }));
      return changed === 1;
    },

    async deleteOidcPayload(model, id) {
      await ctx.writeOne(() => models.oidcPayload.destroy({ where: { model, id } }));
    },

    async revokeOidcGrant(grantId) {
      return ctx.writeOne(() => models.oidcPayload.destroy({ where: { grant_id: grantId } }));
    },

    async sweepOidcPayloads(now) {
      return ctx.writeOne(() => models.oidcPayload.destroy({ where: { expires_at: { [Op.lte]: now } } }));
    },
  };
}
