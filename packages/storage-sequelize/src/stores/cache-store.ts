import type { CacheStore } from '@gatehouse/core';
import { Op, UniqueConstraintError } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import { rowOf } from '../models/row-model.js';
import { toDate } from '../user-mapper.js';

/**
 * The shared cache over one table. Atomicity comes from single statements, not transactions:
 * the primary key lets one of many concurrent INSERTs succeed, and a conditional DELETE reports a
 * row to exactly one of many concurrent callers.
 */
export function createCacheStore(ctx: AdapterContext): CacheStore {
  const { models } = ctx;
  return {
    async cacheAdd(key, value, expiresAt, now) {
      await ctx.writeOne(() => models.cache.destroy({ where: { key, expires_at: { [Op.lte]: now } } }));
      try {
        await ctx.writeOne(() => models.cache.create({ key, value, expires_at: expiresAt }));
        return true;
      } catch (err) {
        if (err instanceof UniqueConstraintError) return false;
        throw err;
      }
    },

    async cacheGet(key, now) {
      const row = await models.cache.findOne({ where: { key, expires_at: { [Op.gt]: now } } });
      return row ? rowOf(row).value : null;
    },

    async cacheTake(key, now) {
      const row = await models.cache.findByPk(key);
      if (!row) return null;
      const { value, expires_at } = rowOf(row);
      const deleted = await ctx.writeOne(() => models.cache.destroy({ where: { key, expires_at: { [Op.gt]: now } } }));
      // Only the caller whose DELETE removed the row gets the value; an expired row is not served.
      return deleted === 1 && toDate(expires_at) > now ? value : null;
    },

    async cacheDelete(key) {
      await ctx.writeOne(() => models.cache.destroy({ where: { key } }));
    },

    async sweepCache(now) {
      return ctx.writeOne(() => models.cache.destroy({ where: { expires_at: { [Op.lte]: now } } }));
    },
  };
}
