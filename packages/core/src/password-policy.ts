import { GatehouseError } from './gatehouse-error.js';

/** The password rules (NIST SP 800-63B style: length, no composition rules, no truncation). */
export interface PasswordPolicy {
  /** @default 12 */
  minLength: number;
  /** Longer passwords are refused, never truncated. @default 128 */
  maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, maxLength: 128 };

/** Validates and fills a policy. Throws a TypeError for a policy that cannot work. */
export function resolvePasswordPolicy(policy: Partial<PasswordPolicy> = {}): PasswordPolicy {
  const resolved = { ...DEFAULT_PASSWORD_POLICY, ...policy };
  const { minLength, maxLength } = resolved;
  if (!Number.isInteger(minLength) || minLength < 1 || minLength > 128) {
    throw new TypeError(`passwordPolicy.minLength must be an integer from 1 to 128, got ${String(minLength)}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < Math.max(64, minLength) || maxLength > 4096) {
    throw new TypeError(
      `passwordPolicy.maxLength must be an integer from max(64, minLength) to 4096, got ${String(maxLength)}`,
    );
  }
  return resolved;
}

/**
 * Passwords are compared after Unicode NFKC normalization (NIST 800-63B 5.1.1.2), so the same
 * password typed on two keyboards matches. Length counts code points, so 64 emoji are 64 characters.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Checks a new password against the policy; returns the normalized password to hash. */
export function checkPassword(password: unknown, policy: PasswordPolicy, field = 'password'): string {
  if (typeof password !== 'string') {
    throw new GatehouseError('invalid_body', { field, message: 'The password must be a string.' });
  }
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < policy.minLength) {
    throw new GatehouseError('password_too_short', {
      field,
      message: `The password must be at least ${policy.minLength} characters long.`,
    });
  }
  if (length > policy.maxLength) {
    throw new GatehouseError('password_too_long', {
      field,
      message: `The password must be at most ${policy.maxLength} characters long.`,
    });
  }
  return normalized;
}
