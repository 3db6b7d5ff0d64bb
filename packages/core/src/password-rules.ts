import { isCommonPassword } from './common-passwords.js';
import type { PasswordRuleFailure } from './gatehouse-error.js';
import type { PasswordPolicy } from './password-policy.js';

/** What the personal-data rule compares a password with (any user-shaped object will do). */
export interface PersonalData {
  email?: string | null;
  username?: string | null;
  nickname?: string | null;
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
}

/** Values shorter than this are not looked for: "Al" inside a passphrase says nothing. */
const PERSONAL_MIN_LENGTH = 4;

/** The lower-case personal values a password must not contain. */
export function personalWords(personal: PersonalData): string[] {
  const words = new Set<string>();
  const add = (value: string | null | undefined) => {
    const v = value?.normalize('NFKC').toLowerCase().trim();
    if (v && [...v].length >= PERSONAL_MIN_LENGTH) words.add(v);
  };
  if (personal.email) add(personal.email.slice(0, personal.email.lastIndexOf('@')));
  add(personal.username);
  add(personal.nickname);
  for (const name of [personal.name, personal.given_name, personal.family_name]) {
    add(name);
    // "Ada Lovelace" as a whole and word by word.
    for (const part of name?.split(/\s+/u) ?? []) add(part);
  }
  return [...words];
}

/** Auth0's four character types; "special" is anything that is not a letter or a digit. */
function characterTypes(password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((re) => re.test(password)).length;
}

/**
 * Every local rule the (NFKC-normalized) password breaks, in a fixed order, as `{code, message}`:
 * `max_length` (alone: nothing else is checked on an over-long input), `min_length`,
 * `character_types`, `identical_characters`, `dictionary`, `personal_data`. Empty when it passes.
 */
export function passwordRuleFailures(password: string, policy: PasswordPolicy, personal?: PersonalData): PasswordRuleFailure[] {
  const length = [...password].length;
  if (length > policy.maxLength) {
    return [{ code: 'max_length', message: `The password must be at most ${policy.maxLength} characters long.` }];
  }
  const failures: PasswordRuleFailure[] = [];
  if (length < policy.minLength) {
    failures.push({ code: 'min_length', message: `The password must be at least ${policy.minLength} characters long.` });
  }
  if (policy.level === 'fair' && !(/\p{Ll}/u.test(password) && /\p{Lu}/u.test(password) && /\p{Nd}/u.test(password))) {
    failures.push({ code: 'character_types', message: 'The password must contain lower case letters, upper case letters and digits.' });
  }
  if ((policy.level === 'good' || policy.level === 'excellent') && characterTypes(password) < 3) {
    failures.push({
      code: 'character_types',
      message: 'The password must contain at least 3 of: lower case letters, upper case letters, digits, special characters.',
    });
  }
  if (policy.level === 'excellent' && /(.)\1\1/su.test(password)) {
    failures.push({ code: 'identical_characters', message: 'The password must not have more than 2 identical characters in a row.' });
  }
  const lower = password.toLowerCase();
  if ((policy.dictionary && isCommonPassword(password)) || policy.customDictionary.includes(lower)) {
    failures.push({ code: 'dictionary', message: 'This password is too common: it is on a list of passwords attackers try first.' });
  }
  if (policy.personalData && personal && personalWords(personal).some((word) => lower.includes(word))) {
    failures.push({ code: 'personal_data', message: 'The password must not contain your name, username or email address.' });
  }
  return failures;
}
