import { createHash, randomBytes } from 'node:crypto';

/** A new one-time token: 256 random bits, base64url (safe in links). */
export function newOneTimeToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored for a token: its SHA-256, so a database leak reveals no usable link. */
export function hashOneTimeToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
