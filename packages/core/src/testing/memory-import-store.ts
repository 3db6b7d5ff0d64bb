import { GatehouseError } from '../gatehouse-error.js';
import { newUserFrom } from './new-user.js';
import type {
  ImportBatchItem,
  ImportFailure,
  ImportOutcome,
  ImportStore,
  JobRecord,
  JobStore,
} from '../job-ports.js';
import type { User } from '../user.js';

/** The parts of the memory storage the import and job stores work on. */
export interface MemoryImportState {
  users: Map<string, { connection: string; user: User }>;
  passwords: Map<string, string>;
  assertOpen(): void;
}

const copy = <T>(value: T): T => structuredClone(value);
const lower = (value: string | null | undefined): string | null => (value === null || value === undefined ? null : value.toLowerCase());

/**
 * The reference import and job stores. Each call runs without an `await`, so on Node's single
 * thread a batch, its counters and its checkpoint are written at once, as one transaction.
 */
export function createMemoryImportStore(state: MemoryImportState): ImportStore & JobStore {
  const { users, passwords, assertOpen } = state;
  const jobs = new Map<string, JobRecord>();
  const leases = new Map<string, { owner: string; until: number }>();
  const unfinished = (job: JobRecord) => job.status === 'pending' || job.status === 'processing';
  const jobErrors = new Map<string, Map<number, ImportFailure>>();

  function byEmail(connection: string, email: string | null): User | undefined {
    if (email === null) return undefined;
    for (const s of users.values()) if (s.connection === connection && lower(s.user.email) === email) return s.user;
    return undefined;
  }

  function byUsername(connection: string, username: string | null): User | undefined {
    if (username === null) return undefined;
    for (const s of users.values()) if (s.connection === connection && lower(s.user.username) === username) return s.user;
    return undefined;
  }

  function identityTaken(provider: string, id: string): boolean {
    for (const s of users.values()) if (s.user.identities.some((i) => i.provider === provider && i.user_id === id)) return true;
    return false;
  }

  function addErrors(id: string, failures: ImportFailure[]): void {
    const list = jobErrors.get(id) ?? new Map<number, ImportFailure>();
    for (const f of failures) if (!list.has(f.index)) list.set(f.index, copy(f));
    jobErrors.set(id, list);
  }

  function outcomeOf(item: ImportBatchItem, upsert: boolean, connection: string, seen: Set<string>): ImportOutcome {
    const { insert, index } = item;
    const keys = [`e:${lower(insert.email)}`, `u:${lower(insert.username)}`, `i:${insert.user_id}`].filter((k) => !k.endsWith(':null'));
    const duplicate = keys.some((k) => seen.has(k));
    for (const k of keys) seen.add(k);
    if (duplicate) return { index, status: 'error', code: 'DUPLICATED_USER', message: 'The user was already provided in this file.' };
    const existing = byEmail(connection, lower(insert.email));
    if (existing) {
      if (!upsert) return { index, status: 'error', code: 'CONFLICT_EMAIL', message: 'A user with this email already exists.' };
      const username = item.update.username === undefined ? undefined : lower(item.update.username);
      const other = username === undefined ? undefined : byUsername(connection, username);
      if (other && other.user_id !== existing.user_id) {
        return { index, status: 'error', code: 'CONFLICT_USERNAME', message: 'A user with this username already exists.' };
      }
      const { password_hash: hash, ...changes } = copy(item.update);
      const stored = users.get(existing.user_id)!;
      const next = { ...stored.user } as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(changes)) if (value !== undefined) next[key] = value;
      stored.user = next as unknown as User;
      if (hash !== undefined) passwords.set(existing.user_id, hash);
      return { index, status: 'updated', user_id: existing.user_id };
    }
    if (byUsername(connection, lower(insert.username))) {
      return { index, status: 'error', code: 'CONFLICT_USERNAME', message: 'A user with this username already exists.' };
    }
    if (users.has(insert.user_id) || identityTaken(insert.identity.provider, insert.identity.user_id)) {
      return { index, status: 'error', code: 'CONFLICT', message: 'A user with this user_id already exists.' };
    }
    const user: User = newUserFrom(insert);
    users.set(user.user_id, { connection: insert.connection, user });
    if (insert.password_hash !== null) passwords.set(user.user_id, insert.password_hash);
    return { index, status: 'inserted', user_id: user.user_id };
  }

  return {
    async importUsers(batch, options) {
      assertOpen();
      const job = jobs.get(options.jobId);
      if (!job) throw new GatehouseError('not_found', { message: `No job ${options.jobId}.` });
      const seen = new Set<string>();
      const outcomes = batch.map((item) => outcomeOf(item, options.upsert, options.connection, seen));
      const failures: ImportFailure[] = [...options.rejected];
      outcomes.forEach((o, k) => {
        if (o.status === 'error') failures.push({ index: o.index, user: batch[k]!.source, errors: [{ code: o.code, message: o.message, path: '#/' }] });
      });
      addErrors(job.id, failures);
      const count = (status: string) => outcomes.filter((o) => o.status === status).length;
      job.summary.inserted += count('inserted');
      job.summary.updated += count('updated');
      job.summary.failed += failures.length;
      job.summary.total += batch.length + options.rejected.length;
      job.checkpoint = copy(options.checkpoint);
      job.status = 'processing';
      job.updated_at = new Date(options.at);
      return { outcomes };
    },

    async createJob(record) {
      assertOpen();
      if (jobs.has(record.id)) throw new GatehouseError('user_exists', { message: 'The job already exists.' });
      const job: JobRecord = {
        ...copy(record),
        status: 'pending',
        summary: { inserted: 0, updated: 0, failed: 0, total: 0 },
        checkpoint: { records: 0, bytes: 0 },
        location: null,
        error: null,
        updated_at: new Date(record.created_at),
      };
      jobs.set(job.id, job);
      return copy(job);
    },

    async getJob(id) {
      assertOpen();
      const job = jobs.get(id);
      return job ? copy(job) : null;
    },

    async updateJobProgress(id, progress) {
      assertOpen();
      const job = jobs.get(id);
      if (!job) return false;
      for (const key of ['inserted', 'updated', 'failed', 'total'] as const) job.summary[key] += progress.add?.[key] ?? 0;
      if (progress.checkpoint) job.checkpoint = copy(progress.checkpoint);
      if (progress.status) Object.assign(job, { status: progress.status, error: null });
      job.updated_at = new Date(progress.at);
      return true;
    },

    async appendJobErrors(id, failures) {
      assertOpen();
      addErrors(id, failures);
    },

    async listJobErrors(id, { offset, limit }) {
      assertOpen();
      const list = [...(jobErrors.get(id)?.values() ?? [])].sort((a, b) => a.index - b.index);
      return copy(list.slice(offset, offset + limit));
    },

    async completeJob(id, at, location) {
      assertOpen();
      const job = jobs.get(id);
      if (!job || job.status === 'completed' || job.status === 'failed') return false;
      Object.assign(job, { status: 'completed', updated_at: new Date(at), location: location ?? null });
      return true;
    },

    async failJob(id, at, error) {
      assertOpen();
      const job = jobs.get(id);
      if (!job || job.status === 'completed' || job.status === 'failed') return false;
      Object.assign(job, { status: 'failed', updated_at: new Date(at), error });
      return true;
    },

    async claimJob(id, owner, until, now) {
      assertOpen();
      const job = jobs.get(id);
      if (!job || !unfinished(job)) return false;
      const lease = leases.get(id);
      if (lease && lease.owner !== owner && lease.until > now.getTime()) return false;
      leases.set(id, { owner, until: until.getTime() });
      return true;
    },

    async listUnclaimedJobs(type, now) {
      assertOpen();
      return [...jobs.values()]
        .filter((job) => job.type === type && unfinished(job) && (leases.get(job.id)?.until ?? 0) <= now.getTime())
        .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(copy);
    },
  };
}
