import { createHash } from 'node:crypto';
import { GatehouseError, isGatehouseError, type SharedCache } from '@gatehouse/core';
import type { CacheProvider } from '@node-saml/passport-saml';

/** Ids come from the IdP (any length); the cache key is a fixed-size digest. */
const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

/** The cache failing is an outage (503), never a reason to accept or to blame the IdP. */
async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw isGatehouseError(err) ? err : new GatehouseError('storage_unavailable', { cause: err });
  }
}

/**
 * node-saml's store of outstanding request ids (`validateInResponseTo: 'always'`), over the
 * cache every instance shares: a response may reach another instance than the one that sent the
 * AuthnRequest, and an id is forgotten once a response used it.
 */
export function requestIdCache(cache: SharedCache, ttlMs: number): CacheProvider {
  const key = (id: string) => `request:${digest(id)}`;
  return {
    saveAsync: (id, value) => guarded(async () => ((await cache.add(key(id), value, ttlMs)) ? { value, createdAt: Date.now() } : null)),
    getAsync: (id) => guarded(() => cache.get(key(id))),
    removeAsync: (id) => (id === null ? Promise.resolve(null) : guarded(() => cache.take(key(id)))),
  };
}

/**
 * Marks an assertion as used until it expires. Resolves false for an assertion seen before: the
 * add is atomic in the shared table, so of two instances receiving the same response at once
 * exactly one accepts it.
 */
export async function firstUseOfAssertion(cache: SharedCache, assertionId: string, notOnOrAfter: number, now: number, skewMs: number): Promise<boolean> {
  // Kept past the expiry by the tolerated skew: until then node-saml would still accept it.
  const ttlMs = Math.max(notOnOrAfter + skewMs - now, 1000);
  return guarded(() => cache.add(`assertion:${digest(assertionId)}`, String(notOnOrAfter), ttlMs));
}

/** Where an SP-initiated logout returns to, kept under the RelayState sent with the LogoutRequest. */
export const logoutReturnKey = (relayState: string) => `logout:${digest(relayState)}`;
