import { GatehouseError } from '../gatehouse-error.js';
import type { AccountLinkStore, IdpTokenRecord, IdpTokenStore, SessionRecord, UserChanges } from '../ports.js';
import type { User } from '../user.js';

/** The reference store's state that linking at login touches. */
export interface MemoryAccountLinkState {
  users: Map<string, { connection: string; user: User }>;
  passwords: Map<string, string>;
  tokens: Map<string, { user_id: string }>;
  sessions: Map<string, SessionRecord>;
  identityTaken(provider: string, providerUserId: string): boolean;
  /** Would these email/username clash with another user of the connection? */
  conflicts(connection: string, userId: string, email: string | null, username: string | null): boolean;
  assertOpen(): void;
}

const copy = <T>(value: T): T => structuredClone(value);
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The reference implementation of attachIdentity and of the provider-token records. Like the rest
 * of the memory store, each call runs without an `await`, so it is atomic. `forgetUser` is the
 * cascade the reference store runs when a user is deleted (or linked away as a secondary).
 */
export function createMemoryAccountLinkStore(state: MemoryAccountLinkState): {
  ports: AccountLinkStore & IdpTokenStore;
  forgetUser(userId: string): void;
} {
  const { users, passwords, tokens, sessions, assertOpen } = state;
  const idpTokens = new Map<string, IdpTokenRecord>();
  const keyOf = (provider: string, providerUserId: string) => `${provider}\u0000${providerUserId}`;

  return {
    ports: {
      async attachIdentity(userId, identity, options = {}) {
        assertOpen();
        const stored = users.get(userId);
        if (!stored) throw new GatehouseError('inexistent_user');
        if (state.identityTaken(identity.provider, identity.user_id)) throw new GatehouseError('user_exists');
        const changes: Partial<UserChanges> = options.changes ?? {};
        const next: User = { ...stored.user, identities: [...stored.user.identities, copy(identity)] };
        for (const [key, value] of Object.entries(changes)) {
          if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = copy(value);
        }
        if (state.conflicts(stored.connection, userId, next.email, next.username)) throw new GatehouseError('user_exists');
        stored.user = next;
        if (options.revokeCredentials) {
          passwords.delete(userId);
          for (const [hash, token] of tokens) if (token.user_id === userId) tokens.delete(hash);
          for (const [sid, session] of sessions) if (session.user_id === userId) sessions.delete(sid);
        }
        return copy(next);
      },

      async setIdpTokens(record) {
        assertOpen();
        if (!users.has(record.user_id)) throw new GatehouseError('inexistent_user');
        idpTokens.set(keyOf(record.provider, record.provider_user_id), copy(record));
      },

      async listIdpTokens(userId) {
        assertOpen();
        return [...idpTokens.values()]
          .filter((r) => r.user_id === userId)
          .sort((a, b) => compare(a.provider, b.provider) || compare(a.provider_user_id, b.provider_user_id))
          .map(copy);
      },
    },

    forgetUser(userId) {
      for (const [key, record] of idpTokens) if (record.user_id === userId) idpTokens.delete(key);
    },
  };
}
