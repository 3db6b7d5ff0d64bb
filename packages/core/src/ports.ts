import type { QueryNode } from './search/ast.js';
import type { Identity, Metadata, User } from './user.js';
import type { ImportStore, JobStore } from './job-ports.js';
import type { ApplicationStore, OidcPayloadStore, SigningKeyStore } from './applications/application-ports.js';

export type * from './job-ports.js';

/*
 * The storage ports: narrow interfaces shaped by the use cases of the user service and the
 * middleware. Every method below is REQUIRED unless marked "optional". Adapters return plain
 * domain objects (never ORM models), and throw GatehouseError for the conditions named here:
 * `user_exists` for a uniqueness violation, `storage_unavailable` when the database cannot be
 * reached. Every write is atomic: a failed call leaves nothing behind.
 *
 * `core/testing` has a reference in-memory implementation and a conformance suite that every
 * adapter must pass.
 */

/** A new user with its first identity (and password hash for database users), written at once. */
export interface NewUserRecord {
  user_id: string;
  /** The connection the user signed up with; emails and usernames are unique per connection. */
  connection: string;
  email: string | null;
  email_verified: boolean;
  username: string | null;
  phone_number: string | null;
  phone_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  nickname: string | null;
  picture: string | null;
  blocked: boolean;
  user_metadata: Metadata;
  app_metadata: Metadata;
  identity: Identity;
  password_hash: string | null;
  created_at: Date;
}

/** What a modification may change. Fields left out stay as they are. */
export interface UserChanges {
  email?: string | null;
  email_verified?: boolean;
  username?: string | null;
  phone_number?: string | null;
  phone_verified?: boolean;
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  blocked?: boolean;
  user_metadata?: Metadata;
  app_metadata?: Metadata;
  last_login?: Date;
  last_ip?: string | null;
  logins_count?: number;
  /** Always set by the caller: the time of this change. */
  updated_at: Date;
}

export interface UserStore {
  /** Writes the user, its identity and its password hash in one transaction. `user_exists` when the user_id, the (connection, email), the (connection, username) or the identity (provider, user_id) is taken. */
  createUser(record: NewUserRecord): Promise<User>;
  getUser(userId: string): Promise<User | null>;
  /** `email` is already normalized (lower case). */
  findUserByEmail(connection: string, email: string): Promise<User | null>;
  /** `username` is already normalized (lower case). */
  findUserByUsername(connection: string, username: string): Promise<User | null>;
  /** Every user with this normalized email, across connections, oldest first. */
  listUsersByEmail(email: string): Promise<User[]>;
  findUserByIdentity(provider: string, providerUserId: string): Promise<User | null>;
  /**
   * Atomic read-modify-write: reads the user under a write lock, calls `change` (synchronously,
   * inside the transaction) and writes what it returns. `change` returning null writes nothing.
   * Concurrent calls on one user are serialized, so none loses another's write.
   * Resolves to the user after the change, or null when there is no such user.
   */
  modifyUser(userId: string, change: (user: User) => UserChanges | null): Promise<User | null>;
  /**
   * Counts a successful login in one atomic statement: logins_count + 1, last_login = updated_at =
   * `at`, last_ip = `ip`. It sits on the login path, so it must not cost a transaction.
   * Resolves false when there is no such user.
   */
  recordLogin(userId: string, at: Date, ip: string | null): Promise<boolean>;
  /** Deletes the user with its identities, password, tokens, sessions, role grants and login blocks. False when absent. */
  deleteUser(userId: string): Promise<boolean>;
  /** How many users there are (for first-run bootstrap and health). */
  countUsers(): Promise<number>;
  /**
   * Finds users matching a parsed query (null: everyone), sorted (default created_at ascending;
   * NULLs last; ties by user_id), either by page/perPage or, with `after`, by keyset cursor.
   * Results reflect every write that completed before the call.
   */
  searchUsers(search: UserSearch): Promise<UserSearchResult>;
}

/** A user search, as the management API's GET /users asks it. */
export interface UserSearch {
  query: QueryNode | null;
  /** From 0. Ignored with `after`. */
  page: number;
  perPage: number;
  sort?: { field: string; direction: 1 | -1 };
  includeTotals: boolean;
  /** Keyset paging: undefined for page paging; null for the first page; else the `next` of the previous page. */
  after?: string | null;
}

export interface UserSearchResult {
  users: User[];
  /** With includeTotals: how many users match in all. */
  total?: number;
  /** Set when `total` is the database's estimate rather than a count (large result sets on some databases). */
  totalIsEstimate?: true;
  /** With keyset paging: the cursor of the next page, or null after the last. */
  next?: string | null;
}

export interface CredentialStore {
  getPasswordHash(userId: string): Promise<string | null>;
  /**
   * Sets the password hash. With `ifCurrent`, only when the stored hash still equals it (a
   * compare-and-set, so a re-hash at login never overwrites a password changed meanwhile).
   * Resolves true when written.
   */
  setPasswordHash(userId: string, hash: string, ifCurrent?: string): Promise<boolean>;
}

/** What a one-time token is for. */
export type TokenPurpose = 'verify_email' | 'reset_password' | 'login_link' | 'unblock_login';

export interface TokenRecord {
  /** SHA-256 of the token, hex: tokens are never stored in the clear. */
  hash: string;
  purpose: TokenPurpose;
  user_id: string;
  expires_at: Date;
  /** Small JSON data bound to the token (e.g. the email it verifies). */
  data: Metadata;
}

export interface TokenStore {
  createToken(token: TokenRecord): Promise<void>;
  /** Atomically marks the token used and returns it, if it exists, has this purpose, is unused and not expired at `now`. Exactly one of many concurrent calls succeeds. */
  consumeToken(hash: string, purpose: TokenPurpose, now: Date): Promise<TokenRecord | null>;
  /** The token if it exists, has this purpose, is unused and not expired at `now`, without using it (a reset form checks the new password against its user first). */
  findToken(hash: string, purpose: TokenPurpose, now: Date): Promise<TokenRecord | null>;
  /** Deletes a user's tokens (of one purpose, or all); resolves to how many. */
  deleteUserTokens(userId: string, purpose?: TokenPurpose): Promise<number>;
}

/** A stored session: opaque JSON text, its expiry, and whose it is (so a user's sessions can be ended). */
export interface SessionRecord {
  data: string;
  expires_at: Date;
  user_id: string | null;
}

export interface SessionStore {
  /** The session, or null when absent or expired at `now`. */
  getSession(sid: string, now: Date): Promise<SessionRecord | null>;
  setSession(sid: string, record: SessionRecord): Promise<void>;
  touchSession(sid: string, expiresAt: Date): Promise<void>;
  destroySession(sid: string): Promise<void>;
  /** Ends every session of the user but `exceptSid`; resolves to how many. */
  destroyUserSessions(userId: string, exceptSid?: string): Promise<number>;
  /** Deletes sessions expired at `now`; resolves to how many. */
  sweepSessions(now: Date): Promise<number>;
  /** The user's sessions unexpired at `now` (for the data export), soonest expiry first. */
  listUserSessions(userId: string, now: Date): Promise<Array<SessionRecord & { sid: string }>>;
  /**
   * Optional: getSession, with the `updated_at` and `blocked` of the session's user read in the
   * same round trip (`user` null for an anonymous session or a user that no longer exists). A
   * request whose user did not change since the session last saw it then needs no user query.
   */
  getSessionWithUser?(sid: string, now: Date): Promise<SessionWithUser | null>;
}

/** What SessionStore.getSessionWithUser reads: the session and its user's change stamp. */
export interface SessionWithUser {
  session: SessionRecord;
  user: { updated_at: Date; blocked: boolean } | null;
}

/** A permission on an API, as in Auth0. */
export interface Permission {
  resource_server_identifier: string;
  permission_name: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
}

/** A user as a role's member list shows it (Auth0's `GET /roles/{id}/users`). */
export interface RoleMember {
  user_id: string;
  email: string | null;
  name: string | null;
  picture: string | null;
}

export interface RoleStore {
  /** Creates the role, or resolves to the existing role of that name unchanged (idempotent, for bootstrap). */
  ensureRole(role: Role): Promise<Role>;
  getRoleByName(name: string): Promise<Role | null>;
  /** The role with its permissions, or null. */
  getRole(roleId: string): Promise<Role | null>;
  /**
   * Roles by name (code-unit order), a page at a time. `nameFilter` keeps the roles whose name
   * contains it, case-insensitively. `total` counts every match, not just the page.
   */
  listRoles(query: { nameFilter?: string; page: number; perPage: number }): Promise<{ roles: Role[]; total: number }>;
  /** Creates a role; `role_exists` when its name (or id) is taken. */
  createRole(role: Role): Promise<Role>;
  /** Renames or re-describes a role; null when absent, `role_exists` when the new name is taken. */
  updateRole(roleId: string, changes: { name?: string; description?: string }): Promise<Role | null>;
  /** Deletes the role with its permissions and grants; false when absent. */
  deleteRole(roleId: string): Promise<boolean>;
  /** Adds permissions to a role (idempotent); `inexistent_role` when absent. */
  addRolePermissions(roleId: string, permissions: Permission[]): Promise<void>;
  /** Removes permissions from a role (absent ones are ignored); `inexistent_role` when absent. */
  removeRolePermissions(roleId: string, permissions: Permission[]): Promise<void>;
  /** Grants roles (idempotent). `inexistent_user` for an unknown user, `not_found` for an unknown role (nothing granted). */
  assignUserRoles(userId: string, roleIds: string[]): Promise<void>;
  /**
   * Takes roles away (absent grants are ignored). With `keepHolderOf`, atomically refuses with
   * `last_admin` (nothing removed) when the removal would leave no user holding that role.
   */
  removeUserRoles(userId: string, roleIds: string[], options?: { keepHolderOf?: string }): Promise<void>;
  getUserRoles(userId: string): Promise<Role[]>;
  /** The users holding a role, by user_id, a page at a time, with the total. */
  listRoleMembers(roleId: string, page: number, perPage: number): Promise<{ users: RoleMember[]; total: number }>;
  /** The permissions granted to the user directly (not through roles), without duplicates. */
  getUserDirectPermissions(userId: string): Promise<Permission[]>;
  /** Grants permissions directly to a user (idempotent); `inexistent_user` for an unknown user. */
  addUserPermissions(userId: string, permissions: Permission[]): Promise<void>;
  /** Takes direct permissions away (absent ones are ignored). */
  removeUserPermissions(userId: string, permissions: Permission[]): Promise<void>;
  /** The union of the permissions of the user's roles and the user's direct permissions, without duplicates. */
  getUserPermissions(userId: string): Promise<Permission[]>;
  countUsersWithRole(roleId: string): Promise<number>;
}

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

/** Options of IdentityStore.linkUser. */
export interface LinkUserOptions {
  /** The time of the change (the primary's updated_at). @default now */
  at?: Date;
  /** Atomically refuses with `last_admin` (nothing changed) when the secondary is the only holder of this role. */
  keepHolderOf?: string;
}

/** Account linking, as Auth0's `POST/DELETE /users/{id}/identities`. */
export interface IdentityStore {
  /**
   * Atomically moves every identity of the secondary user onto the primary (after the primary's
   * own, the secondary's main identity carrying the secondary's root profile as `profileData`,
   * see linkedIdentities) and deletes the secondary with its password, tokens, sessions, role
   * grants and metadata, as deleteUser does. The primary keeps its own profile, password and
   * metadata: the secondary's user_metadata is not merged (Auth0 keeps the primary's).
   * `inexistent_user` when either is missing (so of concurrent calls on one pair exactly one
   * succeeds), `invalid_body` when both are the same user. Resolves to the primary after the link.
   */
  linkUser(primaryUserId: string, secondaryUserId: string, options?: LinkUserOptions): Promise<User>;
  /**
   * Atomically takes the identity (provider, providerUserId) off the user and makes it a user of
   * its own (unlinkedUserRecord: user_id `provider|id`, profile from its profileData, no password,
   * empty metadata, created at `at`). `inexistent_user` for an unknown user, `inexistent_identity`
   * when the user has no such identity, `invalid_body` for the user's main identity, `user_exists`
   * when the new user's id, email or username is taken. Resolves to the user's remaining
   * identities and the new user.
   */
  unlinkIdentity(
    userId: string,
    provider: string,
    providerUserId: string,
    options?: { at?: Date },
  ): Promise<{ identities: Identity[]; unlinked: User }>;
}

/** Options of AccountLinkStore.attachIdentity. */
export interface AttachIdentityOptions {
  /** Root profile changes written with the link (e.g. `email_verified`); `updated_at` is the time of the link. */
  changes?: UserChanges;
  /**
   * The pre-account-hijacking defence: in the same transaction, delete the user's password hash
   * and one-time tokens and end every session of the user, so whoever registered the unverified
   * account cannot use it once the verified owner's identity is attached.
   */
  revokeCredentials?: boolean;
}

/** Automatic account linking at login (an external identity joining an existing user). */
export interface AccountLinkStore {
  /**
   * Atomically adds `identity` to the user (after its other identities), with `changes` and, when
   * asked, `revokeCredentials`. `inexistent_user` for an unknown user; `user_exists` when the
   * identity (provider, user_id) already belongs to a user, or `changes` take another user's email
   * or username on the user's connection (nothing written). Resolves to the user after the change.
   */
  attachIdentity(userId: string, identity: Identity, options?: AttachIdentityOptions): Promise<User>;
}

/** An identity's tokens from its provider, sealed by core (AES-256-GCM) before they reach a store. */
export interface IdpTokenRecord {
  /** The user holding the identity now. */
  user_id: string;
  provider: string;
  provider_user_id: string;
  /** Ciphertext: stores never see provider tokens in the clear. */
  sealed: string;
  updated_at: Date;
}

/** Provider tokens of identities (Auth0's `identities[].access_token`), one record per identity. */
export interface IdpTokenStore {
  /**
   * Stores the record, replacing the one of the same identity (provider, provider_user_id) even
   * if another user held it. `inexistent_user` for an unknown user. Records go with their user
   * (deleteUser, and linkUser's secondary).
   */
  setIdpTokens(record: IdpTokenRecord): Promise<void>;
  /** The records held by the user, ordered by provider then provider_user_id. */
  listIdpTokens(userId: string): Promise<IdpTokenRecord[]>;
}

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

/** Everything Gatehouse stores, behind one object. */
export interface Storage
  extends UserStore, CredentialStore, TokenStore, SessionStore, RoleStore, LogStore, ApiTokenStore, IdentityStore, ImportStore, JobStore, PasswordHistoryStore, ConsentStore, CacheStore, LoginBlockStore,
    AccountLinkStore, IdpTokenStore, ApplicationStore, OidcPayloadStore, SigningKeyStore, PasswordlessCodeStore {
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>;
  /** Optional: is the database reachable (for health checks)? */
  ping?(): Promise<boolean>;
  close(): Promise<void>;
}
