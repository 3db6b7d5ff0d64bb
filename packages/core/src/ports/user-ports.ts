import type { QueryNode } from '../search/ast.js';
import type { Identity, Metadata, User } from '../user.js';

/* The users themselves: create, find, change atomically, search. See ../ports.ts for the rules every port follows. */

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
  /**
   * Deletes the user with its identities, password, tokens, sessions, role grants and login blocks.
   * False when absent. With `keepHolderOf`, atomically refuses with `last_admin` (nothing deleted)
   * when the user is the only holder of that role, as RoleStore.removeUserRoles does.
   */
  deleteUser(userId: string, options?: { keepHolderOf?: string }): Promise<boolean>;
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
