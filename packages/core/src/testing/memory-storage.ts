import { GatehouseError } from '../gatehouse-error.js';
import { newUserFrom } from './new-user.js';
import { searchInMemory } from './memory-search.js';
import { createMemoryImportStore } from './memory-import-store.js';
import { createMemoryCacheStore } from './memory-cache-store.js';
import { createMemoryRoleStore } from './memory-role-store.js';
import { createMemoryPasswordlessCodeStore } from './memory-passwordless-code-store.js';
import { createMemoryAuditStores } from './memory-audit-store.js';
import { createMemoryLoginBlockStore } from './memory-login-block-store.js';
import { createMemoryApplicationStores } from './memory-application-store.js';
import { createMemoryAccountLinkStore } from './memory-account-link-store.js';
import { isMainIdentity, linkedIdentities, mainIdentityError, selfLinkError, unlinkedUserRecord } from '../identity-profile.js';
import type {
  ApiTokenInfo,
  ApiTokenRecord,
  LogEvent,
  NewUserRecord,
  Permission,
  Role,
  SessionRecord,
  Storage,
  TokenPurpose,
  TokenRecord,
  UserChanges,
} from '../ports.js';
import type { User } from '../user.js';

interface StoredUser {
  /** The signup connection: emails and usernames are unique within it. */
  connection: string;
  user: User;
}

interface StoredToken extends TokenRecord {
  consumed_at: Date | null;
}

interface StoredApiToken extends ApiTokenRecord {
  revoked_at: Date | null;
}

const apiTokenInfo = ({ hash: _hash, ...info }: StoredApiToken): ApiTokenInfo => copy(info);

/**
 * Every value crosses the boundary as a deep copy, so a caller that mutates what it passed in or
 * got back cannot change stored state behind the store's back (a real database gives the same
 * guarantee for free).
 */
const copy = <T>(value: T): T => structuredClone(value);

const lower = (value: string | null): string | null => (value === null ? null : value.toLowerCase());

/** Code-unit order, as a binary collation sorts; localeCompare would depend on the locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The in-memory reference implementation of the storage ports: what the conformance suite
 * expects of every adapter, in the plainest code. For tests and trying things out; it keeps
 * nothing across restarts.
 *
 * Every read-check-write below runs without an `await` in between, so on Node's single thread
 * each call is atomic and calls on one user are serialized without a lock.
 *
 * @example
 * const storage = createMemoryStorage();
 * await storage.migrate();
 */
export function createMemoryStorage(): Storage {
  const users = new Map<string, StoredUser>();
  const passwords = new Map<string, string>();
  const tokens = new Map<string, StoredToken>();
  const sessions = new Map<string, SessionRecord>();
  const roles = new Map<string, Role>();
  const grants = new Map<string, Set<string>>();
  const directPermissions = new Map<string, Permission[]>();
  const apiTokens = new Map<string, StoredApiToken>();
  const logs: LogEvent[] = [];
  const audit = createMemoryAuditStores({ logs, sessions, userExists: (id) => users.has(id), assertOpen: () => assertOpen() });
  let closed = false;
  const { forgetUser: forgetUserBlocks, ...loginBlocks } = createMemoryLoginBlockStore(assertOpen);
  const applicationStores = createMemoryApplicationStores({ userExists: (id) => users.has(id), assertOpen: () => assertOpen() });
  const accountLinks = createMemoryAccountLinkStore({
    users,
    passwords,
    tokens,
    sessions,
    identityTaken: (provider, providerUserId) => identityTaken(provider, providerUserId),
    conflicts: (connection, userId, email, username) => conflicts(connection, userId, email, username),
    assertOpen: () => assertOpen(),
  });

  function assertOpen(): void {
    // A closed adapter would fail on its pool; the reference store fails the same way.
    if (closed) throw new GatehouseError('storage_unavailable', { message: 'The memory storage is closed.' });
  }

  function conflicts(connection: string, userId: string, email: string | null, username: string | null): boolean {
    for (const stored of users.values()) {
      if (stored.user.user_id === userId || stored.connection !== connection) continue;
      if (email !== null && lower(stored.user.email) === lower(email)) return true;
      if (username !== null && lower(stored.user.username) === lower(username)) return true;
    }
    return false;
  }

  function identityTaken(provider: string, providerUserId: string): boolean {
    for (const stored of users.values()) {
      if (stored.user.identities.some((i) => i.provider === provider && i.user_id === providerUserId)) return true;
    }
    return false;
  }

  function find(predicate: (stored: StoredUser) => boolean): User | null {
    for (const stored of users.values()) if (predicate(stored)) return copy(stored.user);
    return null;
  }

  return {
    ...createMemoryImportStore({ users, passwords, assertOpen }),
    ...createMemoryCacheStore(assertOpen),
    ...createMemoryRoleStore({ users, roles, grants, directPermissions, assertOpen }),
    ...createMemoryPasswordlessCodeStore(assertOpen),
    ...audit.ports,
    ...loginBlocks,
    ...applicationStores.ports,
    ...accountLinks.ports,

    async migrate() {
      assertOpen();
    },

    async ping() {
      return !closed;
    },

    async close() {
      closed = true;
    },

    async createUser(record: NewUserRecord) {
      assertOpen();
      if (
        users.has(record.user_id) ||
        conflicts(record.connection, record.user_id, record.email, record.username) ||
        identityTaken(record.identity.provider, record.identity.user_id)
      ) {
        throw new GatehouseError('user_exists');
      }
      const user: User = newUserFrom(record);
      users.set(user.user_id, { connection: record.connection, user });
      if (record.password_hash !== null) passwords.set(user.user_id, record.password_hash);
      return copy(user);
    },

    async getUser(userId) {
      assertOpen();
      const stored = users.get(userId);
      return stored ? copy(stored.user) : null;
    },

    async findUserByEmail(connection, email) {
      assertOpen();
      return find((s) => s.connection === connection && lower(s.user.email) === lower(email));
    },

    async findUserByUsername(connection, username) {
      assertOpen();
      return find((s) => s.connection === connection && lower(s.user.username) === lower(username));
    },

    async listUsersByEmail(email) {
      assertOpen();
      return [...users.values()]
        .filter((s) => lower(s.user.email) === lower(email))
        .map((s) => copy(s.user))
        .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || compare(a.user_id, b.user_id));
    },

    async findUserByIdentity(provider, providerUserId) {
      assertOpen();
      return find((s) => s.user.identities.some((i) => i.provider === provider && i.user_id === providerUserId));
    },

    async modifyUser(userId, change) {
      assertOpen();
      const stored = users.get(userId);
      if (!stored) return null;
      // `change` sees a copy: if it throws or returns null, nothing it did to its argument sticks.
      const changes: UserChanges | null = change(copy(stored.user));
      if (changes === null) return copy(stored.user);
      const next: User = { ...stored.user, ...copy(changes), identities: stored.user.identities };
      for (const key of Object.keys(changes) as (keyof UserChanges)[]) {
        // An explicit `undefined` means "left out", as it does for the SQL adapter.
        if (changes[key] === undefined) (next as unknown as Record<string, unknown>)[key] = stored.user[key];
      }
      if (conflicts(stored.connection, userId, next.email, next.username)) throw new GatehouseError('user_exists');
      stored.user = next;
      return copy(next);
    },

    async recordLogin(userId, at, ip) {
      assertOpen();
      const stored = users.get(userId);
      if (!stored) return false;
      stored.user = { ...stored.user, logins_count: stored.user.logins_count + 1, last_login: new Date(at), last_ip: ip, updated_at: new Date(at) };
      return true;
    },

    async deleteUser(userId, options = {}) {
      assertOpen();
      const keep = options.keepHolderOf;
      if (keep !== undefined && users.has(userId) && grants.get(userId)?.has(keep)) {
        let holders = 0;
        for (const granted of grants.values()) if (granted.has(keep)) holders += 1;
        if (holders <= 1) throw new GatehouseError('last_admin');
      }
      if (!users.delete(userId)) return false;
      passwords.delete(userId);
      grants.delete(userId);
      directPermissions.delete(userId);
      forgetUserBlocks(userId);
      applicationStores.forgetUser(userId);
      accountLinks.forgetUser(userId);
      for (const [hash, token] of tokens) if (token.user_id === userId) tokens.delete(hash);
      for (const [sid, session] of sessions) if (session.user_id === userId) sessions.delete(sid);
      audit.forgetUser(userId);
      return true;
    },

    async linkUser(primaryUserId, secondaryUserId, options = {}) {
      assertOpen();
      if (primaryUserId === secondaryUserId) throw selfLinkError();
      const primary = users.get(primaryUserId);
      const secondary = users.get(secondaryUserId);
      if (!primary || !secondary) throw new GatehouseError('inexistent_user');
      const keep = options.keepHolderOf;
      if (keep !== undefined && grants.get(secondaryUserId)?.has(keep)) {
        let holders = 0;
        for (const g of grants.values()) if (g.has(keep)) holders += 1;
        if (holders <= 1) throw new GatehouseError('last_admin');
      }
      const moved = linkedIdentities(secondary.user);
      users.delete(secondaryUserId);
      passwords.delete(secondaryUserId);
      grants.delete(secondaryUserId);
      directPermissions.delete(secondaryUserId);
      applicationStores.forgetUser(secondaryUserId);
      for (const [hash, token] of tokens) if (token.user_id === secondaryUserId) tokens.delete(hash);
      for (const [sid, session] of sessions) if (session.user_id === secondaryUserId) sessions.delete(sid);
      audit.forgetUser(secondaryUserId);
      accountLinks.forgetUser(secondaryUserId);
      primary.user = {
        ...primary.user,
        identities: [...primary.user.identities, ...moved],
        updated_at: new Date(options.at ?? new Date()),
      };
      return copy(primary.user);
    },

    async unlinkIdentity(userId, provider, providerUserId, options = {}) {
      assertOpen();
      const stored = users.get(userId);
      if (!stored) throw new GatehouseError('inexistent_user');
      const identity = stored.user.identities.find((i) => i.provider === provider && i.user_id === providerUserId);
      if (!identity) throw new GatehouseError('inexistent_identity');
      if (isMainIdentity(stored.user, identity)) throw mainIdentityError();
      const at = options.at ?? new Date();
      const record = unlinkedUserRecord(identity, at);
      if (users.has(record.user_id) || conflicts(record.connection, record.user_id, record.email, record.username)) {
        throw new GatehouseError('user_exists');
      }
      stored.user = {
        ...stored.user,
        identities: stored.user.identities.filter((i) => i !== identity),
        updated_at: new Date(at),
      };
      const unlinked = await this.createUser(record);
      return { identities: copy(stored.user.identities), unlinked };
    },

    async countUsers() {
      assertOpen();
      return users.size;
    },

    async searchUsers(search) {
      assertOpen();
      return searchInMemory([...users.values()].map((stored) => copy(stored.user)), search);
    },

    async getPasswordHash(userId) {
      assertOpen();
      return passwords.get(userId) ?? null;
    },

    async setPasswordHash(userId, hash, ifCurrent) {
      assertOpen();
      if (!users.has(userId)) return false;
      if (ifCurrent !== undefined && passwords.get(userId) !== ifCurrent) return false;
      passwords.set(userId, hash);
      return true;
    },

    async createToken(token) {
      assertOpen();
      if (!users.has(token.user_id)) throw new GatehouseError('inexistent_user');
      if (tokens.has(token.hash)) throw new GatehouseError('user_exists', { message: 'The token already exists.' });
      tokens.set(token.hash, { ...copy(token), consumed_at: null });
    },

    async consumeToken(hash, purpose, now) {
      assertOpen();
      const token = tokens.get(hash);
      if (!token || token.purpose !== purpose || token.consumed_at !== null) return null;
      if (token.expires_at.getTime() <= now.getTime()) return null;
      token.consumed_at = new Date(now);
      const { consumed_at: _consumed, ...record } = token;
      return copy(record);
    },

    async findToken(hash, purpose, now) {
      assertOpen();
      const token = tokens.get(hash);
      if (!token || token.purpose !== purpose || token.consumed_at !== null || token.expires_at.getTime() <= now.getTime()) return null;
      const { consumed_at: _consumed, ...record } = token;
      return copy(record);
    },

    async deleteUserTokens(userId, purpose?: TokenPurpose) {
      assertOpen();
      let count = 0;
      for (const [hash, token] of tokens) {
        if (token.user_id === userId && (purpose === undefined || token.purpose === purpose)) {
          tokens.delete(hash);
          count += 1;
        }
      }
      return count;
    },

    async getSession(sid, now) {
      assertOpen();
      const session = sessions.get(sid);
      if (!session || session.expires_at.getTime() <= now.getTime()) return null;
      return copy(session);
    },

    async getSessionWithUser(sid, now) {
      assertOpen();
      const session = sessions.get(sid);
      if (!session || session.expires_at.getTime() <= now.getTime()) return null;
      const user = session.user_id === null ? undefined : users.get(session.user_id);
      return { session: copy(session), user: user ? { updated_at: new Date(user.user.updated_at), blocked: user.user.blocked } : null };
    },

    async setSession(sid, record) {
      assertOpen();
      sessions.set(sid, copy(record));
    },

    async touchSession(sid, expiresAt) {
      assertOpen();
      const session = sessions.get(sid);
      if (session) session.expires_at = new Date(expiresAt);
    },

    async destroySession(sid) {
      assertOpen();
      sessions.delete(sid);
    },

    async destroyUserSessions(userId, exceptSid) {
      assertOpen();
      let count = 0;
      for (const [sid, session] of sessions) {
        if (session.user_id === userId && sid !== exceptSid) {
          sessions.delete(sid);
          count += 1;
        }
      }
      return count;
    },

    async sweepSessions(now) {
      assertOpen();
      let count = 0;
      for (const [sid, session] of sessions) {
        if (session.expires_at.getTime() <= now.getTime()) {
          sessions.delete(sid);
          count += 1;
        }
      }
      return count;
    },

    async createApiToken(token) {
      assertOpen();
      if (apiTokens.has(token.id) || [...apiTokens.values()].some((t) => t.hash === token.hash)) {
        throw new GatehouseError('user_exists', { message: 'The API token already exists.' });
      }
      apiTokens.set(token.id, { ...copy(token), revoked_at: null });
    },

    async findActiveApiToken(hash, now) {
      assertOpen();
      for (const token of apiTokens.values()) {
        if (token.hash !== hash) continue;
        if (token.revoked_at !== null) return null;
        if (token.expires_at !== null && token.expires_at.getTime() <= now.getTime()) return null;
        return apiTokenInfo(token);
      }
      return null;
    },

    async listApiTokens() {
      assertOpen();
      return [...apiTokens.values()]
        .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || compare(a.id, b.id))
        .map(apiTokenInfo);
    },

    async revokeApiToken(id, at) {
      assertOpen();
      const token = apiTokens.get(id);
      if (!token || token.revoked_at !== null) return false;
      token.revoked_at = new Date(at);
      return true;
    },

    async appendLog(event) {
      assertOpen();
      if (logs.some((log) => log.log_id === event.log_id)) {
        throw new GatehouseError('user_exists', { message: 'The log event already exists.' });
      }
      logs.push(copy(event));
    },

    async listUserLogs(userId, page, perPage) {
      assertOpen();
      const mine = logs
        .filter((log) => log.user_id === userId)
        .sort((a, b) => b.date.getTime() - a.date.getTime() || compare(b.log_id, a.log_id));
      return { logs: copy(mine.slice(page * perPage, page * perPage + perPage)), total: mine.length };
    },
  };
}
