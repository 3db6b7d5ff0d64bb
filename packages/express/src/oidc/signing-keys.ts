import { createCipheriv, createDecipheriv, generateKeyPairSync, hkdfSync, randomBytes, type JsonWebKey } from 'node:crypto';
import type { SigningKeyRecord, Storage } from '@gatehouse/core';

/** The provider signs with RS256 (what every relying party supports). */
export const SIGNING_ALG = 'RS256';

/** A key the ring can use: its record and the private JWK, decrypted. */
export interface UsableKey {
  record: SigningKeyRecord;
  privateJwk: JsonWebKey & { kid: string; alg: string; use: string };
}

/** The keys in force now: `signing` signs, `published` (signing first) verify. */
export interface KeySet {
  signing: UsableKey;
  published: UsableKey[];
  /** Changes when the set does, so the provider is rebuilt only then. */
  version: string;
}

/*
 * Private keys are encrypted at rest with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * identity() secret; `v1.<iv>.<tag>.<ciphertext>`, base64url. With several secrets (rotation),
 * the newest encrypts and every one is tried to decrypt.
 */

function encryptionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'oidc-signing-keys', 32));
}

/** Encrypts a private JWK for storage. */
export function encryptJwk(jwk: JsonWebKey, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(secret), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Decrypts a stored private JWK with any of the secrets; null when none opens it. */
export function decryptJwk(stored: string, secrets: readonly string[]): JsonWebKey | null {
  const [version, iv, tag, data] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) return null;
  for (const secret of secrets) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey(secret), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as JsonWebKey;
    } catch {
      // Another secret may have encrypted it (rotation); a key no secret opens is skipped.
    }
  }
  return null;
}

/** A new RSA-2048 signing key, its private part encrypted with `secret`. */
export function newSigningKey(secret: string, now: Date): SigningKeyRecord {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(16).toString('base64url');
  const meta = { kid, alg: SIGNING_ALG, use: 'sig' };
  return {
    kid,
    alg: SIGNING_ALG,
    public_jwk: JSON.stringify({ ...publicKey.export({ format: 'jwk' }), ...meta }),
    encrypted_jwk: encryptJwk({ ...privateKey.export({ format: 'jwk' }), ...meta }, secret),
    created_at: now,
    rotated_at: null,
    revoked_at: null,
  };
}

/**
 * The provider's keys from storage: the newest unrevoked key this app can decrypt signs (when a
 * newer key exists that it cannot use, or none exists, it makes one); keys rotated out stay
 * published for `overlapMs`, so tokens they signed keep verifying; revoked keys are gone at once.
 */
export async function loadKeySet(storage: Storage, secrets: readonly string[], overlapMs: number, now: Date): Promise<KeySet> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const records = await storage.listSigningKeys();
    const usable: UsableKey[] = [];
    for (const record of records) {
      if (record.revoked_at !== null) continue;
      if (record.rotated_at !== null && record.rotated_at.getTime() + overlapMs <= now.getTime()) continue;
      const jwk = decryptJwk(record.encrypted_jwk, secrets);
      if (jwk) usable.push({ record, privateJwk: { ...jwk, kid: record.kid, alg: record.alg, use: 'sig' } });
    }
    const signing = usable[0];
    if (signing && signing.record.rotated_at === null) {
      return { signing, published: usable, version: usable.map((k) => `${k.record.kid}:${k.record.rotated_at?.getTime() ?? ''}`).join(',') };
    }
    const fresh = newSigningKey(secrets[0]!, now);
    if (records.length === 0) await storage.addFirstSigningKey(fresh);
    else await storage.rotateSigningKey(fresh, now);
  }
  throw new Error('[gatehouse] could not establish a signing key');
}
