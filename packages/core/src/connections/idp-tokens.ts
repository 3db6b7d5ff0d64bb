import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { IdpTokenStore } from '../ports.js';
import type { Identity, User } from '../user.js';

/** What a provider issued at login, as a connection's strategy reports it (ExternalProfile.tokens). */
export interface IdpTokens {
  access_token?: string;
  refresh_token?: string;
  /** When the access token expires. */
  expires_at?: Date;
}

/** An identity as `GET /api/v2/users/{id}` shows it to a caller with `read:user_idp_tokens` (Auth0's fields). */
export type IdentityWithTokens = Identity & { access_token?: string; refresh_token?: string; expires_in?: number };

/** Tokens longer than this are not stored: no provider issues them, and they would bloat the row. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A separate key per purpose: the session secret itself never encrypts anything. */
function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'gatehouse/idp-tokens/aes-256-gcm', 32));
}

/** Binds a ciphertext to its identity, so a row copied onto another identity does not decrypt. */
const associatedData = (provider: string, providerUserId: string) => Buffer.from(`${provider}\u0000${providerUserId}`, 'utf8');

/**
 * Provider tokens, encrypted at rest. Each record is AES-256-GCM under a key derived (HKDF-SHA256)
 * from the app's secret, with a fresh 96-bit IV and the identity as associated data. With several
 * secrets (rotation, newest first) the newest encrypts and every one decrypts; a record no secret
 * opens any more is treated as absent (the next login stores fresh tokens).
 *
 * @example
 * const vault = new IdpTokenVault(storage, [process.env.SECRET!]);
 * await vault.store(user.user_id, identity, { access_token, refresh_token });
 * const identities = await vault.reveal(user); // for read:user_idp_tokens callers only
 */
export class IdpTokenVault {
  private readonly keys: Buffer[];

  constructor(
    private readonly records: IdpTokenStore,
    secrets: readonly string[],
    private readonly clock: Clock = () => new Date(),
  ) {
    if (!Array.isArray(secrets) || secrets.some((s) => typeof s !== 'string' || s.length < 32)) {
      throw new TypeError('IdpTokenVault needs secrets of at least 32 characters');
    }
    this.keys = secrets.map(deriveKey);
  }

  /** False without a secret: tokens are then dropped, never stored in the clear. */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** Seals and stores the tokens of the user's identity, replacing earlier ones. Empty tokens store nothing. */
  async store(userId: string, identity: Pick<Identity, 'provider' | 'user_id'>, tokens: IdpTokens): Promise<void> {
    const clean = cleanTokens(tokens);
    if (!this.enabled || clean === null) return;
    await this.records.setIdpTokens({
      user_id: userId,
      provider: identity.provider,
      provider_user_id: identity.user_id,
      sealed: this.seal(identity.provider, identity.user_id, clean),
      updated_at: this.clock(),
    });
  }

  /** The user's identities with their tokens (`access_token`, `refresh_token`, `expires_in` seconds left), as Auth0 shows them. */
  async reveal(user: Pick<User, 'user_id' | 'identities'>): Promise<IdentityWithTokens[]> {
    const records = await this.records.listIdpTokens(user.user_id);
    const now = this.clock().getTime();
    return user.identities.map((identity) => {
      const record = records.find((r) => r.provider === identity.provider && r.provider_user_id === identity.user_id);
      const tokens = record ? this.open(identity.provider, identity.user_id, record.sealed) : null;
      if (!tokens) return { ...identity };
      const out: IdentityWithTokens = { ...identity };
      if (tokens.access_token !== undefined) out.access_token = tokens.access_token;
      if (tokens.refresh_token !== undefined) out.refresh_token = tokens.refresh_token;
      if (tokens.expires_at !== undefined) out.expires_in = Math.max(0, Math.floor((tokens.expires_at.getTime() - now) / 1000));
      return out;
    });
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, base64url. */
  seal(provider: string, providerUserId: string, tokens: IdpTokens): string {
    const key = this.keys[0];
    if (!key) throw new TypeError('IdpTokenVault has no secret to seal with');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(provider, providerUserId));
    const plain = JSON.stringify({ ...tokens, expires_at: tokens.expires_at?.getTime() });
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, body, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** The tokens, or null when the record is malformed, tampered with, or sealed under a secret no longer configured. */
  open(provider: string, providerUserId: string, sealed: string): IdpTokens | null {
    const [version, iv, body, tag, extra] = sealed.split('.');
    if (version !== VERSION || iv === undefined || body === undefined || tag === undefined || extra !== undefined) return null;
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(associatedData(provider, providerUserId));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        const parsed = JSON.parse(plain) as { access_token?: string; refresh_token?: string; expires_at?: number };
        return {
          ...(parsed.access_token !== undefined ? { access_token: parsed.access_token } : {}),
          ...(parsed.refresh_token !== undefined ? { refresh_token: parsed.refresh_token } : {}),
          ...(typeof parsed.expires_at === 'number' ? { expires_at: new Date(parsed.expires_at) } : {}),
        };
      } catch {
        // The authentication tag did not verify under this key: try the older secrets.
      }
    }
    return null;
  }
}

/** The usable part of what a strategy reported, or null when there is nothing to keep. */
function cleanTokens(tokens: IdpTokens | undefined): IdpTokens | null {
  if (tokens === null || typeof tokens !== 'object') return null;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_LENGTH ? value : undefined);
  const access = text(tokens.access_token);
  const refresh = text(tokens.refresh_token);
  if (access === undefined && refresh === undefined) return null;
  const expires = tokens.expires_at instanceof Date && !Number.isNaN(tokens.expires_at.getTime()) ? tokens.expires_at : undefined;
  return {
    ...(access !== undefined ? { access_token: access } : {}),
    ...(refresh !== undefined ? { refresh_token: refresh } : {}),
    ...(expires !== undefined ? { expires_at: expires } : {}),
  };
}
