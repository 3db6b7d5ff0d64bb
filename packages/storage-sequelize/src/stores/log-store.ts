import type { LogEvent, LogStore } from '@gatehouse/core';
import type { AdapterContext } from '../adapter-context.js';
import { sqliteDate } from '../sqlite-statements.js';
import type { LogRow } from '../models/log-model.js';
import { rowOf } from '../models/row-model.js';
import { parseJson, toDate } from '../user-mapper.js';

/** A log row as the domain's LogEvent (shared with the audit store's log search). */
export function toLogEvent(row: LogRow): LogEvent {
  return {
    log_id: row.log_id,
    date: toDate(row.date),
    type: row.type,
    description: row.description,
    user_id: row.user_id,
    ip: row.ip,
    details: parseJson(row.details),
  };
}

export function createLogStore(ctx: AdapterContext): Pick<LogStore, 'appendLog' | 'listUserLogs'> {
  const { models, sqlite } = ctx;
  const insertSql = `INSERT INTO ${ctx.table(models.log)} (log_id, date, type, description, user_id, ip, details) VALUES (?, ?, ?, ?, ?, ?, ?)`;
  return {
    async appendLog(event) {
      const details = JSON.stringify(event.details);
      // Every login writes one: a prepared statement on SQLite (see sqlite-statements.ts).
      if (sqlite) {
        const { log_id, date, type, description, user_id, ip } = event;
        await ctx.writeOne(() => sqlite.run(insertSql, [log_id, sqliteDate(date), type, description, user_id, ip, details]));
        return;
      }
      await ctx.writeOne(() => models.log.create({ ...event, details }));
    },

    async listUserLogs(userId, page, perPage) {
      const where = { user_id: userId };
      const [total, rows] = await Promise.all([
        models.log.count({ where }),
        models.log.findAll({
          where,
          // log_id breaks ties between events of the same millisecond, so pages never overlap.
          order: [
            ['date', 'DESC'],
            ['log_id', 'DESC'],
          ],
          offset: page * perPage,
          limit: perPage,
        }),
      ]);
      return { logs: rows.map(rowOf).map(toLogEvent), total };
    },
  };
}
