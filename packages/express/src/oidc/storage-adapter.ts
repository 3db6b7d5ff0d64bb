import type { Application, Clock, Storage } from '@gatehouse/core';
import type { Adapter, AdapterPayload } from './oidc-provider-types.js';

/**
 * An application as oidc-provider's client metadata. The secret is its SHA-256: the provider
 * compares hashes (see the provider configuration), so no secret is ever kept in the clear.
 */
export function clientMetadata(app: Application & { client_secret_hash: string | null }): AdapterPayload {
  const metadata: AdapterPayload = {
    client_id: app.client_id,
    client_name: app.name,
    application_type: app.app_type === 'native' ? 'native' : 'web',
    redirect_uris: app.callbacks,
    post_logout_redirect_uris: app.allowed_logout_urls,
    grant_types: app.grant_types,
    response_types: app.grant_types.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: app.token_endpoint_auth_method,
    web_origins: app.web_origins,
  };
  if (app.token_endpoint_auth_method !== 'none' && app.client_secret_hash !== null) metadata.client_secret = app.client_secret_hash;
  return metadata;
}

/**
 * oidc-provider's adapter over the storage port: one instance per model (`Session`,
 * `AccessToken`, `Grant`, ...), every artifact a row of the generic payload table. `Client` reads
 * the applications instead, so clients are managed by the management API and the CLI only.
 */
export function storageAdapter(storage: Storage, clock: Clock): new (model: string) => Adapter {
  return class StorageAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
      if (this.model === 'Client') throw new Error('Clients are managed through /api/v2/clients');
      const now = clock();
      await storage.upsertOidcPayload({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        // A grant's own row carries its id, so revoking the grant removes it with its tokens.
        grant_id: this.model === 'Grant' ? id : (payload.grantId ?? null),
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: typeof expiresIn === 'number' ? new Date(now.getTime() + expiresIn * 1000) : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const app = await storage.getApplication(id);
        return app ? clientMetadata(app) : undefined;
      }
      return parse(await storage.findOidcPayload(this.model, id, clock()));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return parse(await storage.findOidcPayloadByUserCode(this.model, userCode, clock()));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return parse(await storage.findOidcPayloadByUid(this.model, uid, clock()));
    }

    async consume(id: string): Promise<void> {
      await storage.consumeOidcPayload(this.model, id, clock());
    }

    async destroy(id: string): Promise<void> {
      await storage.deleteOidcPayload(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await storage.revokeOidcGrant(grantId);
    }
  };
}

function parse(found: { payload: string; consumed_at: Date | null } | null): AdapterPayload | undefined {
  if (!found) return undefined;
  const payload = JSON.parse(found.payload) as AdapterPayload;
  if (found.consumed_at !== null) payload.consumed = Math.floor(found.consumed_at.getTime() / 1000);
  return payload;
}
