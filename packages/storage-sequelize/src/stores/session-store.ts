import type { SessionRecord, SessionStore } from '@gatehouse/core';
import { Op, QueryTypes } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { SessionRow } from '../models/session-model.js';
import { rowOf } from '../models/row-model.js';
import { sqliteDate } from '../sqlite-statements.js';
import { toBoolean, toDate } from '../user-mapper.js';

type SessionWithUserRow = SessionRow & { user_updated_at: Date | string | null; user_blocked: unknown };

function toSession(row: SessionRow): SessionRecord {
  return { data: row.data, expires_at: toDate(row.expires_at), user_id: row.user_id };
}

export function createSessionStore(ctx: AdapterContext): Omit<SessionStore, 'listUserSessions'> {
  const { models, sqlite } = ctx;
  const q = (name: string) => ctx.sequelize.getQueryInterface().quoteIdentifier(name);
  const sessions = ctx.table(models.session);
  const users = ctx.table(models.user);
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
  // SQLite: the same statements, prepared once (see sqlite-statements.ts).
  const withUserPrepared = `${withUserSql.replace(':sid', '?')}?`;
  const upsertPrepared =
    `INSERT INTO ${sessions} (${q('sid')}, ${q('data')}, ${q('expires_at')}, ${q('user_id')}) VALUES (?, ?, ?, ?) ` +
    `ON CONFLICT (${q('sid')}) DO UPDATE SET ${q('data')} = excluded.${q('data')}, ${q('expires_at')} = excluded.${q('expires_at')}, ${q('user_id')} = excluded.${q('user_id')}`;
  const destroyPrepared = `DELETE FROM ${sessions} WHERE ${q('sid')} = ?`;
  return {
    async getSession(sid, now) {
      const row = await models.session.findOne({ where: { sid, expires_at: { [Op.gt]: now } } });
      return row ? toSession(rowOf(row)) : null;
    },

    async getSessionWithUser(sid, now) {
      const row = sqlite
        ? await sqlite.first<SessionWithUserRow>(withUserPrepared, [sid, sqliteDate(now)])
        : ((await ctx.sequelize.query(withUserSql + generator.escape(now, expiresField), {
            replacements: { sid },
            type: QueryTypes.SELECT,
            plain: true,
          })) as SessionWithUserRow | null);
      if (!row) return null;
      const user = row.user_updated_at === null ? null : { updated_at: toDate(row.user_updated_at), blocked: toBoolean(row.user_blocked) };
      return { session: toSession(row), user };
    },

    async setSession(sid, record) {
      if (sqlite) {
        await ctx.writeOne(() => sqlite.run(upsertPrepared, [sid, record.data, sqliteDate(record.expires_at), record.user_id]));
        return;
      }
      await ctx.writeOne(() => models.session.upsert({ sid, data: record.data, expires_at: record.expires_at, user_id: record.user_id }));
    },

    async touchSession(sid, expiresAt) {
      await ctx.writeOne(() => models.session.update({ expires_at: expiresAt }, { where: { sid } }));
    },

    async destroySession(sid) {
      await ctx.writeOne<unknown>(() => (sqlite ? sqlite.run(destroyPrepared, [sid]) : models.session.destroy({ where: { sid } })));
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
