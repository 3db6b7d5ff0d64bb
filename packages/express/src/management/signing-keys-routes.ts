import { GatehouseError, type SigningKeyRecord } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { newSigningKey } from '../oidc/signing-keys.js';
import { requireScopes } from './management-auth.js';

/** A signing key as Auth0's `/keys/signing` lists it (public parts only). */
function keyToJson(key: SigningKeyRecord, current: boolean) {
  return {
    kid: key.kid,
    alg: key.alg,
    current,
    revoked: key.revoked_at !== null,
    current_since: key.created_at.toISOString(),
    current_until: key.rotated_at?.toISOString() ?? null,
    revoked_at: key.revoked_at?.toISOString() ?? null,
    jwk: JSON.parse(key.public_jwk) as Record<string, unknown>,
  };
}

/**
 * The OpenID Connect provider's signing keys, as Auth0's: `GET /keys/signing`,
 * `POST /keys/signing/rotate` (a new key signs from now on; the previous one stays in the JWKS for
 * `applications.keyOverlapMs`), `PUT /keys/signing/{kid}/revoke` (out of the JWKS at once; tokens
 * it signed stop verifying).
 */
export function signingKeysRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const currentKid = (keys: SigningKeyRecord[]) => keys.find((k) => k.revoked_at === null && k.rotated_at === null)?.kid;

  router.get('/keys/signing', requireScopes('read:signing_keys'), async (_req, res) => {
    const keys = await gh.storage.listSigningKeys();
    const current = currentKid(keys);
    res.json(keys.map((k) => keyToJson(k, k.kid === current)));
  });

  router.post('/keys/signing/rotate', requireScopes('create:signing_keys', 'update:signing_keys'), async (_req, res) => {
    const now = gh.users.clock();
    const key = newSigningKey(gh.options.secrets[0]!, now);
    await gh.storage.rotateSigningKey(key, now);
    gh.applications?.invalidate();
    res.status(201).json({ kid: key.kid });
  });

  router.put('/keys/signing/:kid/revoke', requireScopes('update:signing_keys'), async (req, res) => {
    const kid = req.params.kid as string;
    const keys = await gh.storage.listSigningKeys();
    const key = keys.find((k) => k.kid === kid);
    if (!key || key.revoked_at !== null) throw new GatehouseError('inexistent_signing_key');
    if (kid === currentKid(keys)) throw new GatehouseError('signing_key_in_use');
    await gh.storage.revokeSigningKey(kid, gh.users.clock());
    gh.applications?.invalidate();
    res.json({ kid });
  });

  return router;
}
