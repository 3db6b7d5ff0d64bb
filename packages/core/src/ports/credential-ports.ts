import type { Metadata } from '../user.js';

/* Password hashes and one-time tokens. See ../ports.ts for the rules every port follows. */

export interface CredentialStore {
  getPasswordHash(userId: string): Promise<string | null>;
  /**
   * Sets the password hash. With `ifCurrent`, only when the stored hash still equals it (a
   * compare-and-set, so a re-hash at login never overwrites a password changed meanwhile).
   * Resolves true when written.
   */
  setPasswordHash(userId: string, hash: string, ifCurrent?: string): Promise<boolean>;
}

/** What a one-time token is for. */
export type TokenPurpose = 'verify_email' | 'reset_password' | 'login_link' | 'unblock_login';

export interface TokenRecord {
  /** SHA-256 of the token, hex: tokens are never stored in the clear. */
  hash: string;
  purpose: TokenPurpose;
  user_id: string;
  expires_at: Date;
  /** Small JSON data bound to the token (e.g. the email it verifies). */
  data: Metadata;
}

export interface TokenStore {
  createToken(token: TokenRecord): Promise<void>;
  /** Atomically marks the token used and returns it, if it exists, has this purpose, is unused and not expired at `now`. Exactly one of many concurrent calls succeeds. */
  consumeToken(hash: string, purpose: TokenPurpose, now: Date): Promise<TokenRecord | null>;
  /** The token if it exists, has this purpose, is unused and not expired at `now`, without using it (a reset form checks the new password against its user first). */
  findToken(hash: string, purpose: TokenPurpose, now: Date): Promise<TokenRecord | null>;
  /** Deletes a user's tokens (of one purpose, or all); resolves to how many. */
  deleteUserTokens(userId: string, purpose?: TokenPurpose): Promise<number>;
}
