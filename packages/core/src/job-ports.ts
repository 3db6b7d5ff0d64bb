import type { ImportError } from './import/import-error-codes.js';
import type { NewUserRecord, UserChanges } from './ports.js';

/*
 * The storage ports of bulk jobs (users imports and exports): part of `Storage` (see ports.ts),
 * kept in their own file. Same rules as every port: REQUIRED unless marked optional, plain
 * objects, every write atomic.
 */

/** What an upsert changes on the existing user: only the fields the import record has. */
export type ImportUserChanges = Omit<UserChanges, 'email' | 'last_login' | 'last_ip' | 'logins_count'> & {
  /** Replaces the password hash (stored as given: bcrypt, or an encoded custom hash). */
  password_hash?: string;
};

/** One valid record of an import file, ready for the store. */
export interface ImportBatchItem {
  /** The record's number in the file, from 0: error rows are keyed and ordered by it. */
  index: number;
  /** The user to insert when the connection has no user with this email (defaults filled in). */
  insert: NewUserRecord;
  /** With upsert, what replaces the fields of the existing user with this email. */
  update: ImportUserChanges;
  /** The record as it was in the file, password hashes removed: the `user` of its error row. */
  source: Record<string, unknown>;
}

/** A record the importer refused, in Auth0's `GET /jobs/{id}/errors` shape (plus its number). */
export interface ImportFailure {
  index: number;
  /** The record, never with password_hash or custom_password_hash. */
  user: Record<string, unknown>;
  errors: ImportError[];
}

/** The store's own per-record error codes (the other codes come from validation). */
export type ImportConflictCode = 'CONFLICT_EMAIL' | 'CONFLICT_USERNAME' | 'DUPLICATED_USER' | 'CONFLICT';

export type ImportOutcome =
  | { index: number; status: 'inserted' | 'updated'; user_id: string }
  | { index: number; status: 'error'; code: ImportConflictCode; message: string };

export interface ImportBatchResult {
  /** One outcome per batch item, in the batch's order. */
  outcomes: ImportOutcome[];
}

/** Where an import job stands: everything up to here is committed. */
export interface JobCheckpoint {
  /** Records of the file handled (inserted, updated or failed): a resumed import skips this many. */
  records: number;
  /** Bytes of the file read when that batch was committed (progress; exact for NDJSON). */
  bytes: number;
}

export interface ImportBatchOptions {
  /** Update the user matched by (connection, email) instead of failing with CONFLICT_EMAIL. */
  upsert: boolean;
  connection: string;
  jobId: string;
  /**
   * Written in the same transaction as the batch, with the job's counters and error rows, so an
   * import interrupted at any point resumes from a checkpoint that matches the database exactly.
   */
  checkpoint: JobCheckpoint;
  /** Records of this stretch of the file that failed validation: counted and listed with the batch. */
  rejected: ImportFailure[];
  /** The time of the writes. */
  at: Date;
}

export interface ImportStore {
  /**
   * Writes one batch of an import in ONE transaction: each item is inserted (user, identity,
   * credential, metadata search rows), or with `upsert` the connection's user with its email is
   * updated (metadata replaced whole, password replaced when given), or it fails with
   * CONFLICT_EMAIL (email taken, no upsert), CONFLICT_USERNAME, DUPLICATED_USER (an earlier item
   * of the batch has its email, username or user_id) or CONFLICT (its user_id is another user's).
   * The job's counters, error rows and checkpoint move in the same transaction. Nothing of a
   * failed call is left behind.
   */
  importUsers(batch: ImportBatchItem[], options: ImportBatchOptions): Promise<ImportBatchResult>;
}

export type JobType = 'users_import' | 'users_export';
export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface JobSummary {
  inserted: number;
  updated: number;
  failed: number;
  /** Records handled so far (imports) or users written (exports). */
  total: number;
}

/** A bulk job. */
export interface JobRecord {
  /** `job_<random>`. */
  id: string;
  type: JobType;
  status: JobStatus;
  /** The connection's name, or null for an export of every connection. */
  connection: string | null;
  external_id: string | null;
  /** What the job was asked (import: upsert, file, size; export: format, fields, limit). */
  params: Record<string, unknown>;
  summary: JobSummary;
  checkpoint: JobCheckpoint;
  /** Exports: the file's name in the jobs directory, once written. */
  location: string | null;
  /** Why a failed job failed. */
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export type NewJobRecord = Pick<JobRecord, 'id' | 'type' | 'connection' | 'external_id' | 'params' | 'created_at'>;

export interface JobStore {
  /** Stores a pending job with zero counters; `user_exists` when the id is taken. */
  createJob(job: NewJobRecord): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  /**
   * Adds to the counters atomically (in the database, never read-modify-write), optionally moves
   * the checkpoint and sets the status. False when there is no such job.
   */
  updateJobProgress(
    id: string,
    progress: { add?: Partial<JobSummary>; checkpoint?: JobCheckpoint; status?: 'processing'; at: Date },
  ): Promise<boolean>;
  /** Adds error rows (an index already listed for the job is kept as it is). */
  appendJobErrors(id: string, failures: ImportFailure[]): Promise<void>;
  /** The job's error rows by record number, a page at a time. */
  listJobErrors(id: string, page: { offset: number; limit: number }): Promise<ImportFailure[]>;
  /** Marks the job completed (with the export's file name). False when absent or already finished. */
  completeJob(id: string, at: Date, location?: string): Promise<boolean>;
  /** Marks the job failed with a reason. False when absent or already finished. */
  failJob(id: string, at: Date, error: string): Promise<boolean>;
  /**
   * Takes (or renews) the lease of an unfinished job for `owner` until `until`: true when the job
   * is pending or processing and its lease is free, expired at `now`, or already `owner`'s. One
   * statement: of concurrent claimers exactly one wins. The process holding the lease runs the job.
   */
  claimJob(id: string, owner: string, until: Date, now: Date): Promise<boolean>;
  /** Unfinished jobs of this type whose lease is free or expired at `now` (interrupted ones), oldest first. */
  listUnclaimedJobs(type: JobType, now: Date): Promise<JobRecord[]>;
}
