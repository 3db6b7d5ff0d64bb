import { GatehouseError } from '../gatehouse-error.js';
import type { ConsentRecord, ConsentStore, LogEvent, LogQuery, LogStore, PasswordHistoryStore, SessionRecord, SessionStore } from '../ports.js';

/** Code-unit order, as a binary collation sorts. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byDateThenId = (a: LogEvent, b: LogEvent): number => a.date.getTime() - b.date.getTime() || compare(a.log_id, b.log_id);

/** What the log's erasure leaves of an event's details: the marker, and the actor (someone else). */
export function anonymizedDetails(details: LogEvent['details']): LogEvent['details'] {
  return typeof details.actor === 'string' ? { erased: true, actor: details.actor } : { erased: true };
}

/** The in-memory state the audit, consent and history ports share with the reference store. */
export interface MemoryAuditState {
  logs: LogEvent[];
  sessions: Map<string, SessionRecord>;
  userExists(userId: string): boolean;
  assertOpen(): void;
}

type MemoryAuditPorts = Pick<LogStore, 'listLogs' | 'getLog' | 'anonymizeUserLogs' | 'deleteLogsBefore'> &
  Pick<SessionStore, 'listUserSessions'> &
  PasswordHistoryStore &
  ConsentStore;

/**
 * The reference implementation of log search and erasure, session listing, password history and
 * consents. `forgetUser` is the cascade the reference store runs when a user is deleted.
 */
export function createMemoryAuditStores(state: MemoryAuditState): { ports: MemoryAuditPorts; forgetUser(userId: string): void } {
  const { logs, sessions, assertOpen } = state;
  const history = new Map<string, { hash: string; at: number; seq: number }[]>();
  const consents: ConsentRecord[] = [];
  let seq = 0;
  const copy = <T>(value: T): T => structuredClone(value);

  const matches = (log: LogEvent, q: LogQuery): boolean =>
    (q.types === undefined || q.types.includes(log.type)) &&
    (q.userId === undefined || log.user_id === q.userId) &&
    (q.from === undefined || log.date.getTime() >= q.from.getTime()) &&
    (q.to === undefined || log.date.getTime() < q.to.getTime());

  const ports: MemoryAuditPorts = {
    async listLogs(q) {
      assertOpen();
      const found = logs.filter((log) => matches(log, q)).sort((a, b) => q.sort * byDateThenId(a, b));
      const anchor = q.after && ({ date: q.after.date, log_id: q.after.log_id } as LogEvent);
      const page = anchor
        ? found.filter((log) => q.sort * byDateThenId(log, anchor) > 0).slice(0, q.perPage)
        : found.slice(q.page * q.perPage, q.page * q.perPage + q.perPage);
      return q.includeTotals ? { logs: copy(page), total: found.length } : { logs: copy(page) };
    },

    async getLog(logId) {
      assertOpen();
      const log = logs.find((l) => l.log_id === logId);
      return log ? copy(log) : null;
    },

    async anonymizeUserLogs(userId, pseudonym) {
      assertOpen();
      let count = 0;
      for (const log of logs) {
        if (log.user_id !== userId) continue;
        log.user_id = pseudonym;
        log.ip = null;
        log.details = anonymizedDetails(log.details);
        count += 1;
      }
      return count;
    },

    async deleteLogsBefore(before) {
      assertOpen();
      const kept = logs.filter((log) => log.date.getTime() >= before.getTime());
      const count = logs.length - kept.length;
      logs.splice(0, logs.length, ...kept);
      return count;
    },

    async listUserSessions(userId, now) {
      assertOpen();
      return [...sessions.entries()]
        .filter(([, s]) => s.user_id === userId && s.expires_at.getTime() > now.getTime())
        .map(([sid, s]) => ({ sid, ...copy(s) }))
        .sort((a, b) => a.expires_at.getTime() - b.expires_at.getTime() || compare(a.sid, b.sid));
    },

    async addPasswordHistory(userId, hash, at, keep) {
      assertOpen();
      if (!state.userExists(userId)) throw new GatehouseError('inexistent_user');
      const entries = [...(history.get(userId) ?? []), { hash, at: at.getTime(), seq: seq++ }];
      entries.sort((a, b) => b.at - a.at || b.seq - a.seq);
      history.set(userId, entries.slice(0, keep));
    },

    async listPasswordHistory(userId, limit) {
      assertOpen();
      return (history.get(userId) ?? []).slice(0, limit).map((e) => e.hash);
    },

    async recordConsent(record) {
      assertOpen();
      if (!state.userExists(record.user_id)) throw new GatehouseError('inexistent_user');
      if (consents.some((c) => c.consent_id === record.consent_id)) {
        throw new GatehouseError('user_exists', { message: 'The consent record already exists.' });
      }
      consents.push(copy(record));
    },

    async listUserConsents(userId) {
      assertOpen();
      return copy(
        consents
          .filter((c) => c.user_id === userId)
          .sort((a, b) => a.date.getTime() - b.date.getTime() || compare(a.consent_id, b.consent_id)),
      );
    },
  };

  return {
    ports,
    forgetUser(userId) {
      history.delete(userId);
      for (let i = consents.length - 1; i >= 0; i--) if (consents[i]!.user_id === userId) consents.splice(i, 1);
    },
  };
}
