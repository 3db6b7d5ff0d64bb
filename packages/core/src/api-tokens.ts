import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';
import { GatehouseError } from './gatehouse-error.js';
import { isManagementScope, MANAGEMENT_SCOPES } from './management-scopes.js';
import type { ApiTokenInfo, ApiTokenStore } from './ports.js';

/** Every management API token starts with this, so secret scanners and people can recognize one. */
export const API_TOKEN_PREFIX = 'gh_';

/** `gh_` + 32 random bytes in base64url (43 characters). */
const TOKEN_SHAPE = /^gh_[A-Za-z0-9_-]{43}$/u;

/** What is stored for a token: its SHA-256, hex. The token has 256 random bits, so no slow hash is needed. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A freshly minted token: `token` is shown once and never stored. */
export interface MintedApiToken extends ApiTokenInfo {
  token: string;
}

export interface MintApiTokenInput {
  scopes: readonly string[];
  /** @default 'api token' */
  name?: string;
  /** Lifetime in milliseconds; null for a token that never expires. */
  ttlMs: number | null;
}

/**
 * Management API tokens: mint (shown once, stored hashed), verify, list and revoke.
 *
 * @example
 * const tokens = new ApiTokens(storage);
 * const { token } = await tokens.mint({ scopes: ['read:users'], ttlMs: 30 * 86_400_000 });
 * const { scopes } = await tokens.verify(token);
 */
export class ApiTokens {
  constructor(
    private readonly storage: ApiTokenStore,
    private readonly clock: Clock = systemClock,
  ) {}

  async mint(input: MintApiTokenInput): Promise<MintedApiToken> {
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) {
      throw new GatehouseError('invalid_body', { field: 'scopes', message: 'A token needs at least one scope.' });
    }
    const unknown = scopes.find((s) => !isManagementScope(s));
    if (unknown !== undefined) {
      throw new GatehouseError('invalid_body', {
        field: 'scopes',
        message: `Unknown scope "${unknown}". Known scopes: ${MANAGEMENT_SCOPES.join(' ')}.`,
      });
    }
    const name = input.name ?? 'api token';
    if (typeof name !== 'string' || name.length < 1 || name.length > 255 || /[\u0000-\u001f]/u.test(name)) {
      throw new GatehouseError('invalid_body', { field: 'name', message: 'The name must be 1 to 255 printable characters.' });
    }
    if (input.ttlMs !== null && (!Number.isSafeInteger(input.ttlMs) || input.ttlMs <= 0)) {
      throw new GatehouseError('invalid_body', { field: 'expires_in', message: 'The lifetime must be a positive number of milliseconds, or none.' });
    }
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.clock();
    const record = {
      id: `tok_${randomBytes(12).toString('hex')}`,
      name,
      hash: hashApiToken(token),
      scopes,
      created_at: now,
      expires_at: input.ttlMs === null ? null : new Date(now.getTime() + input.ttlMs),
    };
    await this.storage.createApiToken(record);
    const { hash: _hash, ...info } = record;
    return { ...info, revoked_at: null, token };
  }

  /** The token's id and scopes; `invalid_api_token` for a malformed, unknown, expired or revoked token. */
  async verify(token: unknown): Promise<{ id: string; scopes: string[] }> {
    // A malformed value never reaches the database.
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw new GatehouseError('invalid_api_token');
    const found = await this.storage.findActiveApiToken(hashApiToken(token), this.clock());
    if (!found) throw new GatehouseError('invalid_api_token');
    return { id: found.id, scopes: found.scopes };
  }

  list(): Promise<ApiTokenInfo[]> {
    return this.storage.listApiTokens();
  }

  /** False when there is no such active token. */
  revoke(id: string): Promise<boolean> {
    return this.storage.revokeApiToken(id, this.clock());
  }
}
