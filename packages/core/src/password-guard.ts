import type { BreachedPasswordChecker, BreachSource } from './breached-passwords.js';
import { GatehouseError, type PasswordRuleFailure } from './gatehouse-error.js';
import type { PasswordHasher } from './password-hasher.js';
import { normalizePassword, type PasswordPolicy } from './password-policy.js';
import { passwordRuleFailures, type PersonalData } from './password-rules.js';
import type { CredentialStore, PasswordHistoryStore } from './ports.js';

/** What a new password is checked against besides the policy. */
export interface NewPasswordContext {
  /** The request field, named in the error. @default 'password' */
  field?: string;
  /** The user's profile, for the personal-data rule. */
  personal?: PersonalData;
  /** An existing user, for the history rule (absent at signup). */
  userId?: string;
}

/** The outcome: the normalized password, every broken rule, and where it was found breached. */
export interface NewPasswordCheck {
  password: string;
  failures: PasswordRuleFailure[];
  leaked: BreachSource | null;
}

const BREACHED: PasswordRuleFailure = {
  code: 'breached',
  message: 'This password has appeared in a data breach, so attackers try it. Choose another one.',
};

const REUSED: PasswordRuleFailure = { code: 'history', message: 'You used this password recently. Choose one you have not used before.' };

/**
 * Every check a new password goes through: the policy's local rules, the breach sources and the
 * user's password history. Cheap, local checks run first and are all reported together; the
 * costly ones (Argon2 verifications against the history, the network lookup) run only for a
 * password that passed them, so a form fixes the listed rules first and learns about a reused or
 * breached password on the next try.
 */
export class PasswordGuard {
  constructor(
    readonly policy: PasswordPolicy,
    readonly breached: BreachedPasswordChecker,
    private readonly hasher: PasswordHasher,
    private readonly storage: PasswordHistoryStore & CredentialStore,
  ) {}

  async check(raw: unknown, context: NewPasswordContext = {}): Promise<NewPasswordCheck> {
    const field = context.field ?? 'password';
    if (typeof raw !== 'string') throw new GatehouseError('invalid_body', { field, message: 'The password must be a string.' });
    const password = normalizePassword(raw);
    const failures = passwordRuleFailures(password, this.policy, context.personal);
    if (failures.some((f) => f.code === 'max_length')) return { password, failures, leaked: null };

    let leaked: BreachSource | null = this.breached.offline ? await this.breached.check(password, ['offline']) : null;
    // The dictionary rule already names a common password; saying "breached" too would repeat it.
    if (leaked && !failures.some((f) => f.code === 'dictionary')) failures.push(BREACHED);
    if (failures.length > 0) return { password, failures, leaked };

    if (context.userId !== undefined && this.policy.history > 0 && (await this.reused(context.userId, password))) {
      return { password, failures: [REUSED], leaked };
    }
    if (this.breached.hibp) {
      leaked = await this.breached.check(password, ['hibp']);
      if (leaked) return { password, failures: [BREACHED], leaked };
    }
    return { password, failures, leaked };
  }

  /** Remembers a newly set hash for the history rule (no-op when history is off). */
  async remember(userId: string, hash: string, at: Date): Promise<void> {
    if (this.policy.history > 0) await this.storage.addPasswordHistory(userId, hash, at, this.policy.history);
  }

  /** Is the password one of the user's last N (the current one included)? Verified with the hasher, never compared as text. */
  private async reused(userId: string, password: string): Promise<boolean> {
    const [current, past] = await Promise.all([this.storage.getPasswordHash(userId), this.storage.listPasswordHistory(userId, this.policy.history)]);
    const hashes = [...new Set([...(current === null ? [] : [current]), ...past])].slice(0, this.policy.history);
    const matches = await Promise.all(hashes.map((hash) => this.hasher.verify(hash, password)));
    return matches.includes(true);
  }
}
