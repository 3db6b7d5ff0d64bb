import { GatehouseError, type PasswordRuleFailure } from './gatehouse-error.js';
import { passwordRuleFailures, type PersonalData } from './password-rules.js';

/**
 * The policy levels: `nist` is Gatehouse's recommended default (NIST SP 800-63B: length, a
 * blocklist, no composition rules); the others are Auth0's levels with Auth0's exact rules.
 */
export const PASSWORD_POLICY_LEVELS = ['nist', 'none', 'low', 'fair', 'good', 'excellent'] as const;
export type PasswordPolicyLevel = (typeof PASSWORD_POLICY_LEVELS)[number];

/** The password rules. Every field but `level` defaults from the level. */
export interface PasswordPolicy {
  /** @default 'nist' */
  level: PasswordPolicyLevel;
  /** Code points, after NFKC. @default 12 (nist); Auth0's levels: none 1, low 6, fair 8, good 8, excellent 10 */
  minLength: number;
  /** Longer passwords are refused, never truncated. @default 128 */
  maxLength: number;
  /** Refuse the shipped list of the 49,233 most common leaked passwords (case-insensitive). @default true for nist, false for Auth0's levels (as Auth0) */
  dictionary: boolean;
  /** Extra refused passwords (at most 200, exact match, case-insensitive), e.g. the app's name. @default [] */
  customDictionary: string[];
  /** Refuse passwords containing the user's email local part, username, nickname or names. @default true for nist, false for Auth0's levels */
  personalData: boolean;
  /** Refuse the user's last N passwords (the current one included); 0 is off. At most 24, as Auth0. @default 0 */
  history: number;
}

const LEVEL_MIN_LENGTH: Record<PasswordPolicyLevel, number> = { nist: 12, none: 1, low: 6, fair: 8, good: 8, excellent: 10 };

/** The default: NIST-style, 12 to 128 characters, common passwords and personal data refused. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  level: 'nist',
  minLength: 12,
  maxLength: 128,
  dictionary: true,
  customDictionary: [],
  personalData: true,
  history: 0,
}) as PasswordPolicy;

/** Validates and fills a policy. Throws a TypeError for a policy that cannot work. */
export function resolvePasswordPolicy(policy: Partial<PasswordPolicy> = {}): PasswordPolicy {
  if (policy === null || typeof policy !== 'object') throw new TypeError('passwordPolicy must be an object');
  const level = policy.level ?? 'nist';
  if (!PASSWORD_POLICY_LEVELS.includes(level)) {
    throw new TypeError(`passwordPolicy.level must be one of ${PASSWORD_POLICY_LEVELS.join(', ')}, got ${String(level)}`);
  }
  const nist = level === 'nist';
  const resolved: PasswordPolicy = {
    level,
    minLength: policy.minLength ?? LEVEL_MIN_LENGTH[level],
    maxLength: policy.maxLength ?? 128,
    dictionary: policy.dictionary ?? nist,
    customDictionary: policy.customDictionary ?? [],
    personalData: policy.personalData ?? nist,
    history: policy.history ?? 0,
  };
  const { minLength, maxLength, customDictionary, history } = resolved;
  if (!Number.isInteger(minLength) || minLength < 1 || minLength > 128) {
    throw new TypeError(`passwordPolicy.minLength must be an integer from 1 to 128, got ${String(minLength)}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < Math.max(64, minLength) || maxLength > 4096) {
    throw new TypeError(
      `passwordPolicy.maxLength must be an integer from max(64, minLength) to 4096, got ${String(maxLength)}`,
    );
  }
  for (const name of ['dictionary', 'personalData'] as const) {
    if (typeof resolved[name] !== 'boolean') throw new TypeError(`passwordPolicy.${name} must be true or false, got ${String(resolved[name])}`);
  }
  if (!Array.isArray(customDictionary) || customDictionary.length > 200 || customDictionary.some((w) => typeof w !== 'string' || w === '' || w.length > 128)) {
    throw new TypeError('passwordPolicy.customDictionary must be an array of at most 200 non-empty strings (each at most 128 characters)');
  }
  if (!Number.isInteger(history) || history < 0 || history > 24) {
    throw new TypeError(`passwordPolicy.history must be an integer from 0 to 24, got ${String(history)}`);
  }
  return { ...resolved, customDictionary: customDictionary.map((w) => normalizePassword(w).toLowerCase()) };
}

/**
 * Passwords are compared after Unicode NFKC normalization (NIST 800-63B 5.1.1.2), so the same
 * password typed on two keyboards matches. Length counts code points, so 64 emoji are 64 characters.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * The error for broken rules: `password_too_long` or `password_too_short` when the length is
 * wrong (stable codes older clients know, whatever else is wrong too), else `password_too_weak`.
 * Every one carries `rules`, the full list, for forms to show.
 */
export function passwordPolicyError(failures: PasswordRuleFailure[], field = 'password'): GatehouseError {
  const codes = failures.map((f) => f.code);
  const code = codes.includes('max_length')
    ? 'password_too_long'
    : codes.includes('min_length')
      ? 'password_too_short'
      : 'password_too_weak';
  return new GatehouseError(code, { field, message: failures.map((f) => f.message).join(' '), rules: failures });
}

/**
 * Checks a new password against the policy's local rules (length, Auth0 composition rules,
 * dictionary, personal data when `personal` is given); returns the normalized password to hash.
 * History and breach checks need storage or the network: see PasswordGuard.
 */
export function checkPassword(password: unknown, policy: PasswordPolicy, field = 'password', personal?: PersonalData): string {
  if (typeof password !== 'string') {
    throw new GatehouseError('invalid_body', { field, message: 'The password must be a string.' });
  }
  const normalized = normalizePassword(password);
  const failures = passwordRuleFailures(normalized, policy, personal);
  if (failures.length > 0) throw passwordPolicyError(failures, field);
  return normalized;
}
