import { GatehouseError } from '../gatehouse-error.js';
import type { ApplicationGrant, ApplicationStore, OidcPayloadFound, OidcPayloadRecord, OidcPayloadStore, SigningKeyRecord, SigningKeyStore } from '../applications/application-ports.js';
import type { ApplicationRecord } from '../applications/application.js';

const copy = <T>(value: T): T => structuredClone(value);
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface StoredPayload extends OidcPayloadRecord {
  consumed_at: Date | null;
}

/**
 * The reference application, provider-artifact and signing-key stores. Each method runs without
 * an `await` between its read and its write, so on Node's single thread each call is atomic.
 * `forgetUser` is called by the memory storage when a user is deleted (the SQL schema cascades).
 */
export function createMemoryApplicationStores(options: { userExists(userId: string): boolean; assertOpen(): void }) {
  const { userExists, assertOpen } = options;
  const applications = new Map<string, ApplicationRecord>();
  const allowLists = new Map<string, Set<string>>();
  const grants = new Map<string, ApplicationGrant>();
  const payloads = new Map<string, StoredPayload>();
  const keys = new Map<string, SigningKeyRecord>();
  const key = (model: string, id: string) => `${model}\u0000${id}`;
  const live = (p: StoredPayload | undefined, now: Date) =>
    p && (p.expires_at === null || p.expires_at.getTime() > now.getTime()) ? p : undefined;
  const found = (p: StoredPayload | undefined): OidcPayloadFound | null =>
    p ? { payload: p.payload, consumed_at: p.consumed_at === null ? null : new Date(p.consumed_at) } : null;
  const grantOf = (userId: string, clientId: string) => [...grants.values()].find((g) => g.user_id === userId && g.client_id === clientId);

  const applicationStore: ApplicationStore = {
    async createApplication(app) {
      assertOpen();
      if (applications.has(app.client_id)) throw new GatehouseError('user_exists', { message: 'The client_id is taken.' });
      applications.set(app.client_id, copy(app));
      return copy(app);
    },
    async getApplication(clientId) {
      assertOpen();
      const app = applications.get(clientId);
      return app ? copy(app) : null;
    },
    async listApplications(page, perPage) {
      assertOpen();
      const all = [...applications.values()].sort((a, b) => compare(a.name, b.name) || compare(a.client_id, b.client_id));
      return { applications: copy(all.slice(page * perPage, page * perPage + perPage)), total: all.length };
    },
    async updateApplication(clientId, changes) {
      assertOpen();
      const app = applications.get(clientId);
      if (!app) return null;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const next = { ...app, ...copy(defined) } as ApplicationRecord;
      applications.set(clientId, next);
      return copy(next);
    },
    async deleteApplication(clientId) {
      assertOpen();
      if (!applications.delete(clientId)) return false;
      for (const list of allowLists.values()) list.delete(clientId);
      for (const [id, g] of grants) if (g.client_id === clientId) grants.delete(id);
      return true;
    },
    async addUserApplications(userId, clientIds) {
      assertOpen();
      if (!userExists(userId)) throw new GatehouseError('inexistent_user');
      const missing = clientIds.find((id) => !applications.has(id));
      if (missing !== undefined) throw new GatehouseError('inexistent_client', { message: `The client ${missing} does not exist.` });
      const list = allowLists.get(userId) ?? new Set<string>();
      for (const id of clientIds) list.add(id);
      allowLists.set(userId, list);
    },
    async removeUserApplications(userId, clientIds) {
      assertOpen();
      const list = allowLists.get(userId);
      for (const id of clientIds) list?.delete(id);
    },
    async listUserApplications(userId) {
      assertOpen();
      return [...(allowLists.get(userId) ?? [])].sort(compare);
    },
    async saveApplicationGrant(grant) {
      assertOpen();
      if (!userExists(grant.user_id)) throw new GatehouseError('inexistent_user');
      if (!applications.has(grant.client_id)) throw new GatehouseError('inexistent_client');
      const existing = grantOf(grant.user_id, grant.client_id);
      const saved = existing ? { ...copy(grant), id: existing.id, created_at: existing.created_at } : copy(grant);
      grants.set(saved.id, saved);
      return copy(saved);
    },
    async getApplicationGrant(userId, clientId) {
      assertOpen();
      const g = grantOf(userId, clientId);
      return g ? copy(g) : null;
    },
    async listApplicationGrants(filter) {
      assertOpen();
      return copy(
        [...grants.values()]
          .filter((g) => (filter.userId === undefined || g.user_id === filter.userId) && (filter.clientId === undefined || g.client_id === filter.clientId))
          .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || compare(a.id, b.id)),
      );
    },
    async deleteApplicationGrant(id) {
      assertOpen();
      const g = grants.get(id);
      if (!g) return null;
      grants.delete(id);
      return copy(g);
    },
  };

  const payloadStore: OidcPayloadStore = {
    async upsertOidcPayload(record) {
      assertOpen();
      payloads.set(key(record.model, record.id), { ...copy(record), consumed_at: null });
    },
    async findOidcPayload(model, id, now) {
      assertOpen();
      return found(live(payloads.get(key(model, id)), now));
    },
    async findOidcPayloadByUid(model, uid, now) {
      assertOpen();
      return found(live([...payloads.values()].find((p) => p.model === model && p.uid === uid), now));
    },
    async findOidcPayloadByUserCode(model, userCode, now) {
      assertOpen();
      return found(live([...payloads.values()].find((p) => p.model === model && p.user_code === userCode), now));
    },
    async consumeOidcPayload(model, id, at) {
      assertOpen();
      const p = payloads.get(key(model, id));
      if (!p || p.consumed_at !== null) return false;
      p.consumed_at = new Date(at);
      return true;
    },
    async deleteOidcPayload(model, id) {
      assertOpen();
      payloads.delete(key(model, id));
    },
    async revokeOidcGrant(grantId) {
      assertOpen();
      let removed = 0;
      for (const [k, p] of payloads) {
        if (p.grant_id === grantId) {
          payloads.delete(k);
          removed += 1;
        }
      }
      return removed;
    },
    async sweepOidcPayloads(now) {
      assertOpen();
      let removed = 0;
      for (const [k, p] of payloads) {
        if (p.expires_at !== null && p.expires_at.getTime() <= now.getTime()) {
          payloads.delete(k);
          removed += 1;
        }
      }
      return removed;
    },
  };

  const keyStore: SigningKeyStore = {
    async rotateSigningKey(record, at) {
      assertOpen();
      for (const k of keys.values()) if (k.rotated_at === null) k.rotated_at = new Date(at);
      keys.set(record.kid, copy(record));
    },
    async addFirstSigningKey(record) {
      assertOpen();
      if (keys.size > 0) return false;
      keys.set(record.kid, copy(record));
      return true;
    },
    async listSigningKeys() {
      assertOpen();
      return copy([...keys.values()].sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || compare(b.kid, a.kid)));
    },
    async revokeSigningKey(kid, at) {
      assertOpen();
      const k = keys.get(kid);
      if (!k || k.revoked_at !== null) return false;
      k.revoked_at = new Date(at);
      return true;
    },
  };

  return {
    ports: { ...applicationStore, ...payloadStore, ...keyStore },
    /** A deleted user's allow-list entries and grants go with them. */
    forgetUser(userId: string): void {
      allowLists.delete(userId);
      for (const [id, g] of grants) if (g.user_id === userId) grants.delete(id);
    },
  };
}
