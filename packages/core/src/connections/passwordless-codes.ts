import { createHash, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { PasswordlessCodeStore } from '../ports.js';

/** Options of PasswordlessCodes. */
export interface PasswordlessCodesOptions {
  store: PasswordlessCodeStore;
  /** The app's secrets (identity()'s `secret`); the first one keys the code hashes. */
  secrets: readonly string[];
  /** @default the system clock */
  clock?: Clock;
}

/** A code to issue. */
export interface IssueCodeRequest {
  connection: string;
  /** The normalized address the code is sent to. */
  address: string;
  /** An unguessable value kept in the asking browser's session: only that session may redeem. */
  sessionBinding: string;
  /** 6 to 10. @default 6 */
  digits?: number;
  ttlMs: number;
}

/** A code typed back. */
export interface RedeemCodeRequest {
  connection: string;
  address: string;
  code: string;
  sessionBinding: string;
  /** @default 5 */
  maxAttempts?: number;
}

/** A magic link to issue. */
export interface IssueLinkRequest {
  connection: string;
  address: string;
  ttlMs: number;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * One-time codes and magic links of passwordless connections: made from a CSPRNG, stored only as
 * hashes, one per (connection, address) so a resend replaces the previous one, redeemed once.
 *
 * Codes are hashed with HMAC-SHA-256 under a key derived from the app's secret, not with a salted
 * SHA-256: a 6-digit code has a million values, so whoever reads the table (a backup, an
 * injection elsewhere) would recover a salted hash's code in milliseconds by trying them all. The
 * key lives in the app's configuration, not in the database, so the stored value is useless
 * without it. A code also commits to its connection and address. Link tokens carry 256 random
 * bits: a plain SHA-256 is enough, and survives a change of secret.
 *
 * @example
 * const codes = new PasswordlessCodes({ store: storage, secrets: [secret] });
 * const code = await codes.issueCode({ connection: 'email', address, sessionBinding, ttlMs: 300_000 });
 * const ok = await codes.redeemCode({ connection: 'email', address, code: typed, sessionBinding });
 */
export class PasswordlessCodes {
  private readonly store: PasswordlessCodeStore;
  private readonly key: Buffer;
  private readonly clock: Clock;

  constructor(options: PasswordlessCodesOptions) {
    if (!options?.store) throw new TypeError('PasswordlessCodes needs a store (options.store)');
    const secret = options.secrets?.[0];
    if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('PasswordlessCodes needs a secret (options.secrets)');
    this.store = options.store;
    this.key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'passwordless code hmac v1', 32));
    this.clock = options.clock ?? systemClock;
  }

  /** Issues a new code for the address (the previous code or link stops working) and resolves to it. */
  async issueCode(request: IssueCodeRequest): Promise<string> {
    const digits = request.digits ?? 6;
    if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new TypeError('digits must be an integer from 6 to 10');
    const code = String(randomInt(0, 10 ** digits)).padStart(digits, '0');
    const now = this.clock();
    await this.store.putPasswordlessCode({
      connection: request.connection,
      address: request.address,
      kind: 'code',
      hash: this.codeHash(request.connection, request.address, code),
      session_hash: sha256(this.binding(request.sessionBinding)),
      attempts: 0,
      created_at: now,
      expires_at: new Date(now.getTime() + request.ttlMs),
    });
    return code;
  }

  /**
   * True once for the right code typed in the session that asked for it, within its lifetime and
   * before `maxAttempts` wrong tries; every other attempt counts as a wrong try.
   */
  redeemCode(request: RedeemCodeRequest): Promise<boolean> {
    // People type codes with spaces or dashes; anything else stays as typed and simply fails.
    const code = request.code.replace(/[\s-]/gu, '');
    return this.store.redeemPasswordlessCode({
      connection: request.connection,
      address: request.address,
      hash: this.codeHash(request.connection, request.address, code),
      sessionHash: sha256(this.binding(request.sessionBinding)),
      maxAttempts: request.maxAttempts ?? 5,
      now: this.clock(),
    });
  }

  /** Issues a new link token for the address (the previous code or link stops working). */
  async issueLink(request: IssueLinkRequest): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    await this.store.putPasswordlessCode({
      connection: request.connection,
      address: request.address,
      kind: 'link',
      hash: sha256(token),
      session_hash: null,
      attempts: 0,
      created_at: now,
      expires_at: new Date(now.getTime() + request.ttlMs),
    });
    return token;
  }

  /** The connection and address of a link token, once; null for an unknown, used, replaced or expired one. */
  async redeemLink(token: string): Promise<{ connection: string; address: string } | null> {
    if (!/^[A-Za-z0-9_-]{22,128}$/u.test(token)) return null;
    const record = await this.store.consumePasswordlessLink(sha256(token), this.clock());
    return record ? { connection: record.connection, address: record.address } : null;
  }

  private codeHash(connection: string, address: string, code: string): string {
    return createHmac('sha256', this.key).update(JSON.stringify([connection, address, code])).digest('hex');
  }

  private binding(value: string): string {
    if (typeof value !== 'string' || value.length < 16) throw new TypeError('a session binding of at least 16 characters is needed');
    return value;
  }
}
