import type { Metadata } from '../user.js';

/* Management API tokens, the audit log, password history and consent records. See ../ports.ts for the rules every port follows. */

/** A management API token as stored: its SHA-256 (hex), never the token itself. */
export interface ApiTokenRecord {
  /** `tok_<random>`: how the token is named in lists and revoked. */
  id: string;
  name: string;
  hash: string;
  scopes: string[];
  created_at: Date;
  /** null: never expires. */
  expires_at: Date | null;
}

/** A management API token as listed: everything but the hash. */
export interface ApiTokenInfo extends Omit<ApiTokenRecord, 'hash'> {
  revoked_at: Date | null;
}

export interface ApiTokenStore {
  /** Stores a new token; `user_exists` (a uniqueness violation) when its id or hash is taken. */
  createApiToken(token: ApiTokenRecord): Promise<void>;
  /** The token with this hash, if it is neither revoked nor expired at `now` (expiry is exclusive). */
  findActiveApiToken(hash: string, now: Date): Promise<ApiTokenInfo | null>;
  /** Every token, revoked and expired ones too, oldest first; never the hashes. */
  listApiTokens(): Promise<ApiTokenInfo[]>;
  /** Revokes the token at `at`; false when there is no such token or it was already revoked. */
  revokeApiToken(id: string, at: Date): Promise<boolean>;
}

/** An audit event, with Auth0's log type codes (`s` login, `f` failure, `ss` signup, ...). */
export interface LogEvent {
  log_id: string;
  date: Date;
  type: string;
  description: string;
  user_id: string | null;
  ip: string | null;
  details: Metadata;
}

export interface LogStore {
  appendLog(event: LogEvent): Promise<void>;
  /** Newest first. `page` counts from 0. */
  listUserLogs(userId: string, page: number, perPage: number): Promise<{ logs: LogEvent[]; total: number }>;
  /** Events matching the filters, ordered by (date, log_id) in `sort` direction, a page or a keyset at a time. */
  listLogs(query: LogQuery): Promise<{ logs: LogEvent[]; total?: number }>;
  getLog(logId: string): Promise<LogEvent | null>;
  /**
   * Erasure: every event of the user gets `pseudonym` as user_id, no ip, and details reduced to
   * `{ erased: true }` (plus the `actor`, who is someone else). Resolves to how many changed.
   */
  anonymizeUserLogs(userId: string, pseudonym: string): Promise<number>;
  /** Retention: deletes events dated before `before`; resolves to how many. */
  deleteLogsBefore(before: Date): Promise<number>;
}

/** A log search (`GET /api/v2/logs`). Filters are ANDed; absent ones match everything. */
export interface LogQuery {
  /** Any of these types. */
  types?: string[];
  userId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** 1: oldest first; -1: newest first. Ties on date are ordered by log_id the same way. */
  sort: 1 | -1;
  /** From 0. Ignored with `after`. */
  page: number;
  perPage: number;
  includeTotals: boolean;
  /** Keyset (checkpoint) paging: only events strictly after this one in `sort` order. */
  after?: { date: Date; log_id: string };
}

/** Past password hashes, for the policy's history rule. Removed with the user. */
export interface PasswordHistoryStore {
  /** Adds a hash and keeps only the user's newest `keep` (0 keeps none). `inexistent_user` for an unknown user. */
  addPasswordHistory(userId: string, hash: string, at: Date, keep: number): Promise<void>;
  /** The newest `limit` hashes, newest first. */
  listPasswordHistory(userId: string, limit: number): Promise<string[]>;
}

/** A consent the user gave or withdrew (terms of service, marketing...): what, which version, when. */
export interface ConsentRecord {
  consent_id: string;
  user_id: string;
  /** What was agreed to, e.g. `terms_of_service`. */
  purpose: string;
  /** The version of the text agreed to, e.g. `2024-05`. */
  version: string;
  /** false records a withdrawal. */
  granted: boolean;
  date: Date;
  ip: string | null;
}

/** Consent records, kept for as long as the user (and exported with their data). */
export interface ConsentStore {
  /** Appends the record; `inexistent_user` for an unknown user. */
  recordConsent(record: ConsentRecord): Promise<void>;
  /** Every record of the user, oldest first (ties by consent_id). */
  listUserConsents(userId: string): Promise<ConsentRecord[]>;
}
