import type { SessionRecord, SessionStore } from '@gatehouse/core';
import { Op, QueryTypes } from 'sequelize';
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
  // One statement on the hot path of every signed-in request: written once, as SQL, so no query
  // builder runs per request; both lookups are primary keys.
  const withUserSql =
    `SELECT s.${q('data')} AS data, s.${q('expires_at')} AS expires_at, s.${q('user_id')} AS user_id, ` +
    `u.${q('updated_at')} AS user_updated_at, u.${q('blocked')} AS user_blocked ` +
    `FROM ${sessions} s LEFT JOIN ${users} u ON u.${q('user_id')} = s.${q('user_id')} ` +
    `WHERE s.${q('sid')} = :sid AND s.${q('expires_at')} > `;
  // The time as the column's own type writes it (milliseconds and time zone included on every dialect).
  const generator = ctx.sequelize.getQueryInterface().queryGenerator as { escape(value: unknown, field?: unknown): string };
  const expiresField = models.session.getAttributes().expires_at;
  return {
    async getSession(sid, now) {
      const row = await models.session.findOne({ where: { sid, expires_at: { [Op.gt]: now } } });
      return row ? toSession(rowOf(row)) : null;
    },

    async getSessionWithUser(sid, now) {
      const sql = withUserSql + generator.escape(now, expiresField);
      const row = (await ctx.sequelize.query(sql, { replacements: { sid }, type: QueryTypes.SELECT, plain: true })) as
        | (SessionRow & { user_updated_at: Date | string | null; user_blocked: unknown })
        | null;
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
