import type { LoginBlock, LoginBlockFilter, LoginBlockStore } from '@gatehouse/core';
import { ForeignKeyConstraintError, Op, UniqueConstraintError, type WhereOptions } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { LoginBlockRow } from '../models/login-block-model.js';
import { rowOf } from '../models/row-model.js';
import { sqliteDate } from '../sqlite-statements.js';
import { toDate } from '../user-mapper.js';

function toBlock(row: LoginBlockRow): LoginBlock {
  return { ...row, created_at: toDate(row.created_at), expires_at: toDate(row.expires_at) };
}

/** identifier OR user; null when the filter names neither (which matches nothing). */
function whereOf(filter: LoginBlockFilter): WhereOptions<LoginBlockRow> | null {
  const or: Array<WhereOptions<LoginBlockRow>> = [];
  if (filter.identifier !== undefined) or.push({ identifier: filter.identifier });
  if (filter.userId !== undefined) or.push({ user_id: filter.userId });
  return or.length === 0 ? null : { [Op.or]: or };
}

/**
 * Brute-force blocks over one table. "Block once" rests on the unique (identifier, ip) index: of
 * concurrent INSERTs for one pair exactly one succeeds, without a transaction.
 */
export function createLoginBlockStore(ctx: AdapterContext): LoginBlockStore {
  const { models, sqlite } = ctx;
  const findSql = `SELECT * FROM ${ctx.table(models.loginBlock)} WHERE identifier = ? AND ip = ? AND expires_at > ? LIMIT 1`;

  async function insert(block: LoginBlock): Promise<boolean> {
    try {
      await ctx.writeOne(() => models.loginBlock.create({ ...block }));
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintError) return false;
      // The user was deleted since the guard looked it up: the block still holds, for nobody.
      if (err instanceof ForeignKeyConstraintError && block.user_id !== null) return insert({ ...block, user_id: null });
      throw err;
    }
  }

  return {
    async createLoginBlock(block) {
      const { identifier, ip } = block;
      await ctx.writeOne(() => models.loginBlock.destroy({ where: { identifier, ip, expires_at: { [Op.lte]: block.created_at } } }));
      return insert(block);
    },

    async findLoginBlock(identifier, ip, now) {
      // Asked before every login: a prepared statement on SQLite (see sqlite-statements.ts).
      if (sqlite) {
        const found = await sqlite.first<LoginBlockRow>(findSql, [identifier, ip, sqliteDate(now)]);
        return found ? toBlock(found) : null;
      }
      const row = await models.loginBlock.findOne({ where: { identifier, ip, expires_at: { [Op.gt]: now } } });
      return row ? toBlock(rowOf(row)) : null;
    },

    async listLoginBlocks(filter, now) {
      const where = whereOf(filter);
      if (where === null) return [];
      const rows = await models.loginBlock.findAll({
        where: { [Op.and]: [where, { expires_at: { [Op.gt]: now } }] },
        order: [
          ['created_at', 'ASC'],
          ['id', 'ASC'],
        ],
      });
      return rows.map((r) => toBlock(rowOf(r)));
    },

    async deleteLoginBlocks(filter) {
      const where = whereOf(filter);
      if (where === null) return 0;
      return ctx.writeOne(() => models.loginBlock.destroy({ where }));
    },

    async sweepLoginBlocks(now) {
      return ctx.writeOne(() => models.loginBlock.destroy({ where: { expires_at: { [Op.lte]: now } } }));
    },
  };
}
