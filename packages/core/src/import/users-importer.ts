import type { Readable } from 'node:stream';
import { systemClock, type Clock } from '../clock.js';
import { GatehouseError } from '../gatehouse-error.js';
import { defaultPicture } from '../gravatar.js';
import type { ImportBatchItem, ImportFailure, ImportStore, ImportUserChanges, JobStore, JobSummary } from '../job-ports.js';
import type { NewUserRecord } from '../ports.js';
import { DATABASE_PROVIDER, newLocalId } from '../user-id.js';
import { FingerprintSet } from './fingerprint-set.js';
import { validateImportRecord, type ImportUser } from './import-record.js';
import { withoutHashes } from './job-id.js';
import { readImportRecords } from './read-import-records.js';

/** Options of runUsersImport. */
export interface UsersImportOptions {
  storage: ImportStore & JobStore;
  /** The job (created with createJob) whose counters, errors and checkpoint the import moves. */
  jobId: string;
  /** The database connection's name. */
  connection: string;
  upsert: boolean;
  /** Records per transaction. @default 500 */
  batchSize?: number;
  /** @default 15 */
  usernameMaxLength?: number;
  /** @default the system clock */
  clock?: Clock;
  /** Called after each committed batch with the job's counters so far. */
  onProgress?: (progress: { summary: JobSummary; bytes: number }) => void;
}

/** The user a record becomes when its email is new: Auth0's defaults for database users. */
function newUserRecord(user: ImportUser, connection: string, now: Date): NewUserRecord {
  const localId = user.user_id ? user.user_id.slice(DATABASE_PROVIDER.length + 1) : newLocalId();
  const email = user.email;
  return {
    user_id: `${DATABASE_PROVIDER}|${localId}`,
    connection,
    email,
    email_verified: user.email_verified ?? false,
    username: user.username ?? null,
    phone_number: user.phone_number ?? null,
    phone_verified: user.phone_verified ?? false,
    name: user.name ?? email,
    given_name: user.given_name ?? null,
    family_name: user.family_name ?? null,
    nickname: user.nickname ?? email.slice(0, email.lastIndexOf('@')),
    picture: user.picture ?? defaultPicture(email, user.name),
    blocked: user.blocked ?? false,
    user_metadata: user.user_metadata ?? {},
    app_metadata: user.app_metadata ?? {},
    identity: { connection, provider: DATABASE_PROVIDER, user_id: localId, isSocial: false },
    password_hash: user.password_hash ?? null,
    created_at: now,
  };
}

const UPDATABLE = [
  'email_verified', 'username', 'phone_number', 'phone_verified', 'given_name', 'family_name', 'name', 'nickname', 'picture',
  'blocked', 'user_metadata', 'app_metadata', 'password_hash',
] as const;

/** What an upsert changes: the fields the record has (metadata replaced whole, as Auth0 does). */
function changesOf(user: ImportUser, now: Date): ImportUserChanges {
  const changes: Record<string, unknown> = { updated_at: now };
  for (const key of UPDATABLE) if (user[key] !== undefined) changes[key] = user[key];
  return changes as unknown as ImportUserChanges;
}

/**
 * Imports users from an Auth0 bulk-import file (JSON array or NDJSON) into a job: streams and
 * validates the records, writes them in batches of `batchSize` through `importUsers` (one
 * transaction each, with the job's counters, per-record errors and checkpoint), and completes the
 * job. Password hashes are stored as they are (bcrypt as is, custom hashes encoded) and replaced
 * by Argon2id at each user's first login; nothing is hashed here.
 *
 * Resuming: give the same job and the same file again. The records up to the job's checkpoint are
 * read (to remember their emails for DUPLICATED_USER) but not written again, so after a crash at
 * any point every record ends up handled exactly once.
 *
 * Errors of the storage propagate (the job is left as it was at its last checkpoint, resumable);
 * a file that is not JSON fails the job.
 *
 * @example
 * const job = await storage.createJob({ id: newJobId(), type: 'users_import', connection, external_id: null, params: {}, created_at: new Date() });
 * const summary = await runUsersImport(createReadStream('users.json'), { storage, jobId: job.id, connection, upsert: false });
 */
export async function runUsersImport(input: Readable, options: UsersImportOptions): Promise<JobSummary> {
  const { storage, jobId, connection, upsert } = options;
  const batchSize = options.batchSize ?? 500;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new TypeError('batchSize must be an integer from 1 to 10000.');
  const job = await storage.getJob(jobId);
  if (!job) throw new GatehouseError('not_found', { message: `No job ${jobId}.` });
  const skip = job.checkpoint.records;
  await storage.updateJobProgress(jobId, { status: 'processing', at: clock() });

  const seen = new FingerprintSet();
  let batch: ImportBatchItem[] = [];
  let rejected: ImportFailure[] = [];
  let summary: JobSummary = job.summary;

  /** Remembers the record's keys; true when one of them was seen earlier in the file. */
  const duplicate = (user: ImportUser, userId: string | undefined): boolean => {
    const keys = [`e:${user.email}`, user.username === undefined ? null : `u:${user.username}`, userId === undefined ? null : `i:${userId}`];
    let dup = false;
    for (const key of keys) if (key !== null && seen.addHas(key)) dup = true;
    return dup;
  };

  const flush = async (records: number, bytes: number) => {
    if (batch.length === 0 && rejected.length === 0) return;
    const result = await storage.importUsers(batch, { upsert, connection, jobId, checkpoint: { records, bytes }, rejected, at: clock() });
    const counts = { inserted: 0, updated: 0, failed: rejected.length, total: batch.length + rejected.length };
    for (const o of result.outcomes) {
      if (o.status === 'error') counts.failed += 1;
      else counts[o.status] += 1;
    }
    summary = {
      inserted: summary.inserted + counts.inserted,
      updated: summary.updated + counts.updated,
      failed: summary.failed + counts.failed,
      total: summary.total + counts.total,
    };
    batch = [];
    rejected = [];
    options.onProgress?.({ summary, bytes });
  };

  let records = skip;
  let bytes = job.checkpoint.bytes;
  try {
    for await (const record of readImportRecords(input)) {
      const validated = record.invalid === undefined ? validateImportRecord(record.value, { usernameMaxLength: options.usernameMaxLength }) : null;
      if (record.index < skip) {
        if (validated?.ok) duplicate(validated.user, validated.user.user_id);
        continue;
      }
      records = record.index + 1;
      bytes = record.bytes;
      if (validated === null) {
        rejected.push({ index: record.index, user: {}, errors: [{ code: 'INVALID_TYPE', message: record.invalid!, path: '#/' }] });
      } else if (!validated.ok) {
        rejected.push({ index: record.index, user: withoutHashes(record.value), errors: validated.errors });
      } else if (duplicate(validated.user, validated.user.user_id)) {
        rejected.push({
          index: record.index,
          user: withoutHashes(record.value),
          errors: [{ code: 'DUPLICATED_USER', message: 'A user with this email, username or user_id was already provided in this file.', path: '#/' }],
        });
      } else {
        const now = clock();
        batch.push({
          index: record.index,
          insert: newUserRecord(validated.user, connection, now),
          update: changesOf(validated.user, now),
          source: withoutHashes(record.value),
        });
      }
      if (batch.length + rejected.length >= batchSize) await flush(records, bytes);
    }
  } catch (err) {
    // A file that is not JSON fails the job; a storage error leaves it at its last checkpoint.
    if (err instanceof GatehouseError && err.code === 'invalid_body') await storage.failJob(jobId, clock(), err.message);
    throw err;
  }
  await flush(records, bytes);
  await storage.completeJob(jobId, clock());
  return summary;
}
