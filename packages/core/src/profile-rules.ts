import { GatehouseError } from './gatehouse-error.js';

/*
 * Field rules from Auth0's profile limits, so data moved between the two keeps validating.
 * Each check throws `invalid_body` naming the field, and returns the normalized value.
 */

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]+$/u;
const USERNAME = /^[a-z0-9@^$!\-#.+'~_`]+$/u;
const PHONE = /^\+[0-9]{1,15}$/u;
// Control characters (incl. CR/LF) never belong in a profile string: they break logs and headers.
const CONTROL = /[\u0000-\u001f\u007f]/u;

function fail(field: string, message: string): never {
  throw new GatehouseError('invalid_body', { field, message });
}

function asString(field: string, value: unknown): string {
  if (typeof value !== 'string') fail(field, `${field} must be a string.`);
  if (CONTROL.test(value)) fail(field, `${field} must not contain control characters.`);
  return value;
}

/** Lower-cased, trimmed; local part <= 64, whole <= 254 characters. */
export function normalizeEmail(value: unknown, field = 'email'): string {
  const email = asString(field, value).trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (!EMAIL.test(email) || at < 1) fail(field, 'Enter a valid email address.');
  if (at > 64 || email.length > 254) fail(field, 'The email address is too long.');
  return email;
}

/** Lower-cased; Auth0's character set; 1..maxLength; not an email address. */
export function normalizeUsername(value: unknown, maxLength = 15): string {
  const username = asString('username', value).trim().toLowerCase();
  if (username.length < 1 || username.length > maxLength) {
    fail('username', `The username must be 1 to ${maxLength} characters long.`);
  }
  if (!USERNAME.test(username)) {
    fail('username', "The username may use letters, digits and @ ^ $ ! - # . + ' ~ _ ` only.");
  }
  if (EMAIL.test(username)) fail('username', 'The username cannot be an email address.');
  return username;
}

/** E.164: a plus and up to 15 digits. */
export function normalizePhone(value: unknown): string {
  const phone = asString('phone_number', value).replace(/[\s\-().]/gu, '');
  if (!PHONE.test(phone)) fail('phone_number', 'The phone number must be in E.164 form, like +14155550123.');
  return phone;
}

/** Names: trimmed, 1..max characters. */
export function normalizeName(field: string, value: unknown, max: number): string {
  const name = asString(field, value).trim();
  const length = [...name].length;
  if (length < 1 || length > max) fail(field, `${field} must be 1 to ${max} characters long.`);
  return name;
}

/** Pictures: an absolute http(s) URL of at most 2,048 characters (never javascript: or data:). */
export function normalizePicture(value: unknown): string {
  const text = asString('picture', value).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail('picture', 'The picture must be an absolute http(s) URL.');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > 2048) {
    fail('picture', 'The picture must be an absolute http(s) URL.');
  }
  return url.href;
}

export function normalizeBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(field, `${field} must be true or false.`);
  return value;
}

/** The limits of each name field (Auth0's). */
export const NAME_LIMITS = { name: 150, given_name: 150, family_name: 150, nickname: 350 } as const;
