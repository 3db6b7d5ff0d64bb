import { randomUUID } from 'node:crypto';
import type { ConsentStore, LogQuery, LogStore, Metadata, PasswordHistoryStore, SessionStore } from '@gatehouse/core';
import { Op, type WhereOptions } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { ConsentRow } from '../models/audit-models.js';
import type { LogRow } from '../models/log-model.js';
import { rowOf } from '../models/row-model.js';
import { toLogEvent } from './log-store.js';
import { parseJson, toBoolean, toDate } from '../user-mapper.js';

type AuditPorts = Pick<LogStore, 'listLogs' | 'getLog' | 'anonymizeUserLogs' | 'deleteLogsBefore'> &
  Pick<SessionStore, 'listUserSessions'> &
  PasswordHistoryStore &
  ConsentStore;

function toConsent(row: ConsentRow) {
  return {
    consent_id: row.consent_id,
    user_id: row.user_id,
    purpose: row.purpose,
    version: row.version,
    granted: toBoolean(row.granted),
    date: toDate(row.date),
    ip: row.ip,
  };
}

/** What erasure leaves of an event's details (as the reference store): the marker and the actor. */
function anonymizedDetails(details: Metadata): string {
  return JSON.stringify(typeof details.actor === 'string' ? { erased: true, actor: details.actor } : { erased: true });
}

/** The WHERE of a log search, keyset included: (date, log_id) strictly after the anchor in sort order. */
function logWhere(q: LogQuery): WhereOptions<LogRow> {
  const and: WhereOptions<LogRow>[] = [];
  if (q.types !== undefined) and.push({ type: { [Op.in]: q.types } });
  if (q.userId !== undefined) and.push({ user_id: q.userId });
  if (q.from !== undefined) and.push({ date: { [Op.gte]: q.from } });
  if (q.to !== undefined) and.push({ date: { [Op.lt]: q.to } });
  if (q.after !== undefined) {
    const beyond = q.sort === 1 ? Op.gt : Op.lt;
    and.push({ [Op.or]: [{ date: { [beyond]: q.after.date } }, { date: q.after.date, log_id: { [beyond]: q.after.log_id } }] });
  }
  return { [Op.and]: and };
}

/** Log search, erasure and retention; session listing; password history; consents. */
export function createAuditStore(ctx: AdapterContext): AuditPorts {
  const { models } = ctx;
  return {
    async listLogs(q) {
      const where = logWhere(q);
      const direction = q.sort === 1 ? 'ASC' : 'DESC';
      const [rows, total] = await Promise.all([
        models.log.findAll({
          where,
          order: [
            ['date', direction],
            ['log_id', direction],
          ],
          ...(q.after === undefined ? { offset: q.page * q.perPage } : {}),
          limit: q.perPage,
        }),
        q.includeTotals ? models.log.count({ where: logWhere({ ...q, after: undefined }) }) : undefined,
      ]);
      const logs = rows.map(rowOf).map(toLogEvent);
      return total === undefined ? { logs } : { logs, total };
    },

    async getLog(logId) {
      const row = await models.log.findByPk(logId);
      return row ? toLogEvent(rowOf(row)) : null;
    },

    async anonymizeUserLogs(userId, pseudonym) {
      return ctx.transaction(async (transaction) => {
        const rows = await models.log.findAll({ where: { user_id: userId }, attributes: ['log_id', 'details'], transaction });
        // One UPDATE per distinct result (events differ only by their actor), in chunks of ids.
        const groups = new Map<string, string[]>();
        for (const row of rows.map(rowOf)) {
          const details = anonymizedDetails(parseJson(row.details));
          groups.set(details, [...(groups.get(details) ?? []), row.log_id]);
        }
        for (const [details, ids] of groups) {
          for (let i = 0; i < ids.length; i += 500) {
            await models.log.update(
              { user_id: pseudonym, ip: null, details },
              { where: { log_id: { [Op.in]: ids.slice(i, i + 500) }, user_id: userId }, transaction },
            );
          }
        }
        return rows.length;
      });
    },

    async deleteLogsBefore(before) {
      return ctx.writeOne(() => models.log.destroy({ where: { date: { [Op.lt]: before } } }));
    },

    async listUserSessions(userId, now) {
      const rows = await models.session.findAll({
        where: { user_id: userId, expires_at: { [Op.gt]: now } },
        order: [
          ['expires_at', 'ASC'],
          ['sid', 'ASC'],
        ],
      });
      return rows.map(rowOf).map((r) => ({ sid: r.sid, data: r.data, expires_at: toDate(r.expires_at), user_id: r.user_id }));
    },

    async addPasswordHistory(userId, hash, at, keep) {
      await ctx.transaction(async (transaction) => {
        await models.passwordHistory.create({ id: randomUUID(), user_id: userId, hash, created_at: at }, { transaction });
        const rows = await models.passwordHistory.findAll({
          where: { user_id: userId },
          attributes: ['id'],
          order: [
            ['created_at', 'DESC'],
            ['id', 'DESC'],
          ],
          offset: keep,
          // MySQL needs a LIMIT with an OFFSET.
          limit: 1_000_000,
          transaction,
        });
        const stale = rows.map((r) => rowOf(r).id);
        if (stale.length > 0) await models.passwordHistory.destroy({ where: { id: { [Op.in]: stale } }, transaction });
      });
    },

    async listPasswordHistory(userId, limit) {
      if (limit < 1) return [];
      const rows = await models.passwordHistory.findAll({
        where: { user_id: userId },
        attributes: ['hash'],
        order: [
          ['created_at', 'DESC'],
          ['id', 'DESC'],
        ],
        limit,
      });
      return rows.map((r) => rowOf(r).hash);
    },

    async recordConsent(record) {
      await ctx.writeOne(() => models.consent.create({ ...record }));
    },

    async listUserConsents(userId) {
      const rows = await models.consent.findAll({
        where: { user_id: userId },
        order: [
          ['date', 'ASC'],
          ['consent_id', 'ASC'],
        ],
      });
      return rows.map(rowOf).map(toConsent);
    },
  };
}
