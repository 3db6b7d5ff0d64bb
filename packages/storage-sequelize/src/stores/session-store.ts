import type { SessionRecord, SessionStore } from '@gatehouse/core';
import { literal, Op } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { SessionRow } from '../models/session-model.js';
import { rowOf } from '../models/row-model.js';
import { toBoolean, toDate } from '../user-mapper.js';

function toSession(row: SessionRow): SessionRecord {
  return { data: row.data, expires_at: toDate(row.expires_at), user_id: row.user_id };
}

export function createSessionStore(ctx: AdapterContext): Omit<SessionStore, 'listUserSessions'> {
  const { models } = ctx;
  const q = (name: string) => ctx.sequelize.getQueryInterface().quoteIdentifier(name);
  const sessions = q(models.session.getTableName() as string);
  const users = q(models.user.getTableName() as string);
  // Correlated primary-key lookups in the session's own SELECT: one round trip, one index probe each.
  const userColumn = (column: string) =>
    literal(`(SELECT ${users}.${q(column)} FROM ${users} WHERE ${users}.${q('user_id')} = ${sessions}.${q('user_id')})`);
  return {
    async getSession(sid, now) {
      const row = await models.session.findOne({ where: { sid, expires_at: { [Op.gt]: now } } });
      return row ? toSession(rowOf(row)) : null;
    },

    async getSessionWithUser(sid, now) {
      const row = (await models.session.findOne({
        where: { sid, expires_at: { [Op.gt]: now } },
        attributes: ['sid', 'data', 'expires_at', 'user_id', [userColumn('updated_at'), 'user_updated_at'], [userColumn('blocked'), 'user_blocked']],
        raw: true,
      })) as unknown as (SessionRow & { user_updated_at: Date | string | null; user_blocked: unknown }) | null;
      if (!row) return null;
      const user = row.user_updated_at === null ? null : { updated_at: toDate(row.user_updated_at), blocked: toBoolean(row.user_blocked) };
      return { session: toSession(row), user };
    },

    async setSession(sid, record) {
      await ctx.writeOne(() =>
        models.session.upsert({ sid, data: record.data, expires_at: record.expires_at, user_id: record.user_id }),
      );
    },

    async touchSession(sid, expiresAt) {
      await ctx.writeOne(() => models.session.update({ expires_at: expiresAt }, { where: { sid } }));
    },

    async destroySession(sid) {
      await ctx.writeOne(() => models.session.destroy({ where: { sid } }));
    },

    async destroyUserSessions(userId, exceptSid) {
      return ctx.writeOne(() =>
        models.session.destroy({
          where: exceptSid === undefined ? { user_id: userId } : { user_id: userId, sid: { [Op.ne]: exceptSid } },
        }),
      );
    },

    async sweepSessions(now) {
      return ctx.writeOne(() => models.session.destroy({ where: { expires_at: { [Op.lte]: now } } }));
    },
  };
}
