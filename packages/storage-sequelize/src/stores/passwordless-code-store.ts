import type { PasswordlessCodeRecord, PasswordlessCodeStore } from '@gatehouse/core';
import { Op } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { PasswordlessCodeRow } from '../models/passwordless-code-model.js';
import { rowOf } from '../models/row-model.js';
import { toDate } from '../user-mapper.js';

function toRecord(row: PasswordlessCodeRow): PasswordlessCodeRecord {
  return { ...row, attempts: Number(row.attempts), created_at: toDate(row.created_at), expires_at: toDate(row.expires_at) };
}

/**
 * Passwordless codes over one table. Every decision is one statement: an upsert on the primary key
 * (connection, address) replaces the previous secret, a conditional DELETE redeems (it reports the
 * row to exactly one of concurrent callers), and `attempts = attempts + 1` counts a wrong try.
 */
export function createPasswordlessCodeStore(ctx: AdapterContext): PasswordlessCodeStore {
  const { models } = ctx;
  const model = models.passwordlessCode;
  return {
    async putPasswordlessCode(record) {
      await ctx.writeOne(() => model.upsert({ ...record }));
    },

    async redeemPasswordlessCode({ connection, address, hash, sessionHash, maxAttempts, now }) {
      const live = { connection, address, kind: 'code' as const, attempts: { [Op.lt]: maxAttempts }, expires_at: { [Op.gt]: now } };
      const deleted = await ctx.writeOne(() => model.destroy({ where: { ...live, hash, session_hash: sessionHash } }));
      if (deleted === 1) return true;
      await ctx.writeOne(() => model.increment('attempts', { by: 1, where: live }));
      return false;
    },

    async consumePasswordlessLink(hash, now) {
      const row = await model.findOne({ where: { hash, kind: 'link' } });
      if (!row) return null;
      const record = toRecord(rowOf(row));
      const deleted = await ctx.writeOne(() => model.destroy({ where: { connection: record.connection, address: record.address, hash, kind: 'link' } }));
      // Only the caller whose DELETE removed the row gets it; an expired link is removed, not served.
      return deleted === 1 && record.expires_at > now ? record : null;
    },

    async findPasswordlessCode(connection, address, now) {
      const row = await model.findOne({ where: { connection, address, expires_at: { [Op.gt]: now } } });
      return row ? toRecord(rowOf(row)) : null;
    },

    async sweepPasswordlessCodes(now) {
      return ctx.writeOne(() => model.destroy({ where: { expires_at: { [Op.lte]: now } } }));
    },
  };
}
