import type { QueryNode } from './search/ast.js';
import type { Identity, Metadata, User } from './user.js';
import type { ImportStore, JobStore } from './job-ports.js';

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
  /** Deletes the user with its identities, password, tokens, sessions and role grants. False when absent. */
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
export type TokenPurpose = 'verify_email' | 'reset_password' | 'login_link';

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

/** Everything Gatehouse stores, behind one object. */
export interface Storage
  extends UserStore, CredentialStore, TokenStore, SessionStore, RoleStore, LogStore, ApiTokenStore, IdentityStore, ImportStore, JobStore {
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>;
  /** Optional: is the database reachable (for health checks)? */
  ping?(): Promise<boolean>;
  close(): Promise<void>;
}
