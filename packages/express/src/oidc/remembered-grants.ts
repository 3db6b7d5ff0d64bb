import { randomBytes } from 'node:crypto';
import type { ApplicationGrant, Clock, Storage } from '@gatehouse/core';
import type { Grant, KoaContextLike, Provider } from './oidc-provider-types.js';

/** The scopes, claims and API scopes a provider grant holds, as a remembered consent keeps them. */
function contentsOf(grant: Grant): Pick<ApplicationGrant, 'scope' | 'claims' | 'resource_scopes'> {
  const resource_scopes: Record<string, string[]> = {};
  for (const [resource, scope] of Object.entries(grant.resources ?? {})) resource_scopes[resource] = scope.split(' ').filter(Boolean);
  return { scope: grant.getOIDCScope().split(' ').filter(Boolean), claims: grant.getOIDCClaims(), resource_scopes };
}

/** Records (or replaces) the user's consent to the application, pointing at the provider grant. */
export async function rememberGrant(storage: Storage, clock: Clock, grant: Grant, grantId: string): Promise<ApplicationGrant> {
  const now = clock();
  return storage.saveApplicationGrant({
    id: `cgr_${randomBytes(12).toString('hex')}`,
    user_id: grant.accountId,
    client_id: grant.clientId,
    ...contentsOf(grant),
    oidc_grant_id: grantId,
    created_at: now,
    updated_at: now,
  });
}

/**
 * oidc-provider's `loadExistingGrant`: the consent remembered for this user and application,
 * across provider sessions and devices. Its provider grant may have expired (the grant lifetime
 * bounds a sign-in's refresh tokens, not the consent): then a new one is made from what was
 * agreed to. No remembered consent: none, and the consent page asks.
 */
export function loadRememberedGrant(storage: Storage, clock: Clock) {
  return async (ctx: KoaContextLike & { oidc: { provider: Provider } }): Promise<Grant | undefined> => {
    const { provider } = ctx.oidc;
    const justGranted = ctx.oidc.result?.consent?.grantId;
    if (justGranted) return provider.Grant.find(justGranted);
    const accountId = ctx.oidc.session?.accountId;
    const clientId = ctx.oidc.client?.clientId;
    if (!accountId || !clientId) return undefined;
    const remembered = await storage.getApplicationGrant(accountId, clientId);
    if (!remembered) return undefined;
    const existing = remembered.oidc_grant_id ? await provider.Grant.find(remembered.oidc_grant_id) : undefined;
    if (existing && existing.accountId === accountId && existing.clientId === clientId) return existing;
    const grant = new provider.Grant({ accountId, clientId });
    if (remembered.scope.length > 0) grant.addOIDCScope(remembered.scope.join(' '));
    if (remembered.claims.length > 0) grant.addOIDCClaims(remembered.claims);
    for (const [resource, scope] of Object.entries(remembered.resource_scopes)) grant.addResourceScope(resource, scope.join(' '));
    const grantId = await grant.save();
    await storage.saveApplicationGrant({ ...remembered, oidc_grant_id: grantId, updated_at: clock() });
    return grant;
  };
}

/**
 * Revokes a remembered consent: the consent goes, and with it the provider grant and every code
 * and token issued under it (refresh tokens stop working at once; the next sign-in asks again).
 */
export async function revokeGrant(storage: Storage, id: string): Promise<boolean> {
  const deleted = await storage.deleteApplicationGrant(id);
  if (!deleted) return false;
  if (deleted.oidc_grant_id) await storage.revokeOidcGrant(deleted.oidc_grant_id);
  return true;
}
