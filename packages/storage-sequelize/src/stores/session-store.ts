import type { SessionRecord, SessionStore } from '@gatehouse/core';
import { Op } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { SessionRow } from '../models/session-model.js';
import { rowOf } from '../models/row-model.js';
import { toDate } from '../user-mapper.js';

function toSession(row: SessionRow): SessionRecord {
  return { data: row.data, expires_at: toDate(row.expires_at), user_id: row.user_id };
}

export function createSessionStore(ctx: AdapterContext): Omit<SessionStore, 'listUserSessions'> {
  const { models } = ctx;
  return {
    async getSession(sid, now) {
      const row = await models.session.findOne({ where: { sid, expires_at: { [Op.gt]: now } } });
      return row ? toSession(rowOf(row)) : null;
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
