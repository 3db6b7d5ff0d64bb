/* The shared cache, brute-force blocks and passwordless codes. See ../ports.ts for the rules every port follows. */

/**
 * A small expiring key/value table shared by every instance: SAML request ids and assertion replay
 * markers, login transactions. Keys are at most 255 characters; values are short text.
 */
export interface CacheStore {
  /** Stores the entry unless an entry with the key exists and is unexpired at `now`; resolves true when stored. Of concurrent adds of one key exactly one resolves true. */
  cacheAdd(key: string, value: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** The value if the entry exists and is unexpired at `now`, else null. */
  cacheGet(key: string, now: Date): Promise<string | null>;
  /** Deletes the entry and resolves to its value if it was unexpired at `now`, else null. Of concurrent takes of one key at most one gets the value. */
  cacheTake(key: string, now: Date): Promise<string | null>;
  cacheDelete(key: string): Promise<void>;
  /** Deletes entries expired at `now`; resolves to how many. */
  sweepCache(now: Date): Promise<number>;
}

/**
 * A brute-force block: `ip` may not sign in as `identifier` until `expires_at` (Auth0's
 * `/user-blocks`). Recorded by the login guard when the failures of the pair reach the limit.
 */
export interface LoginBlock {
  /** `blk_<random>`. */
  id: string;
  /** The normalized (trimmed, lower-case) email or username the attempts used. */
  identifier: string;
  ip: string;
  /** The connection the attempts went to. */
  connection: string;
  /** The user the identifier named when the block was made; null for an unknown identifier. */
  user_id: string | null;
  created_at: Date;
  expires_at: Date;
}

/** Which blocks a list or delete means: those of the identifier, or of the user, or of either. */
export interface LoginBlockFilter {
  identifier?: string;
  userId?: string;
}

export interface LoginBlockStore {
  /**
   * Records the block unless an unexpired one exists for its (identifier, ip) at its created_at
   * (an expired one is replaced). Of concurrent calls for one pair exactly one resolves true.
   */
  createLoginBlock(block: LoginBlock): Promise<boolean>;
  /** The block of the pair that is unexpired at `now` (expiry is exclusive), or null. */
  findLoginBlock(identifier: string, ip: string, now: Date): Promise<LoginBlock | null>;
  /** The blocks unexpired at `now` matching the filter (identifier OR user), oldest first. */
  listLoginBlocks(filter: LoginBlockFilter, now: Date): Promise<LoginBlock[]>;
  /** Deletes every block matching the filter (identifier OR user), expired ones too; resolves to how many. An empty filter deletes nothing. */
  deleteLoginBlocks(filter: LoginBlockFilter): Promise<number>;
  /** Deletes blocks expired at `now`; resolves to how many. */
  sweepLoginBlocks(now: Date): Promise<number>;
}

/**
 * A passwordless one-time code or magic link (see PasswordlessCodes in connections). Only hashes
 * are stored; one record per (connection, address): a new code or link replaces the old one.
 */
export interface PasswordlessCodeRecord {
  connection: string;
  /** The normalized email address or E.164 phone number. */
  address: string;
  kind: 'code' | 'link';
  /** A code's HMAC-SHA-256 or a link token's SHA-256, hex (64 characters). */
  hash: string;
  /** SHA-256 of the asking browser's session binding, hex; null when any browser may redeem it. */
  session_hash: string | null;
  /** Wrong tries so far. */
  attempts: number;
  created_at: Date;
  expires_at: Date;
}

/** What redeemPasswordlessCode compares, and when. */
export interface PasswordlessRedemption {
  connection: string;
  address: string;
  hash: string;
  sessionHash: string;
  /** A code with this many wrong tries is dead, even for the right code. */
  maxAttempts: number;
  now: Date;
}

/** Passwordless codes and links, redeemed atomically. */
export interface PasswordlessCodeStore {
  /** Stores the record, replacing any record (code or link) of its (connection, address). */
  putPasswordlessCode(record: PasswordlessCodeRecord): Promise<void>;
  /**
   * Redeems the code of (connection, address): when it is a 'code' record unexpired at `now` with
   * fewer than `maxAttempts` wrong tries, and both hashes equal the given ones, deletes it and
   * resolves true (of concurrent redemptions exactly one does). Otherwise counts one wrong try on
   * the unexpired code of (connection, address), if any (atomically), and resolves false.
   */
  redeemPasswordlessCode(redemption: PasswordlessRedemption): Promise<boolean>;
  /** Deletes the 'link' record with this hash and resolves to it if it was unexpired at `now`; of concurrent calls at most one gets it. */
  consumePasswordlessLink(hash: string, now: Date): Promise<PasswordlessCodeRecord | null>;
  /** The record of (connection, address) unexpired at `now`, without using it (for inspection). */
  findPasswordlessCode(connection: string, address: string, now: Date): Promise<PasswordlessCodeRecord | null>;
  /** Deletes records expired at `now`; resolves to how many. */
  sweepPasswordlessCodes(now: Date): Promise<number>;
}
