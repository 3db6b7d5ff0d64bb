import { createHash } from 'node:crypto';
import { GatehouseError, normalizeEmail, normalizePhone } from '@gatehouse/core';

/*
 * Addresses as passwordless connections store and count them. What reaches a mail header or an
 * SMS API must be exactly one recipient: control characters (CR/LF header injection, NEL, line
 * and paragraph separators) and list separators are refused with 400 before anything is sent.
 */

// C0, DEL, C1 (NEL among them), and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// E.164: a country code never starts with 0; at least 7 digits in all.
const E164 = /^\+[1-9][0-9]{6,14}$/u;

function refuse(field: string, message: string): never {
  throw new GatehouseError('invalid_body', { field, message });
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') refuse(field, field === 'email' ? 'Enter your email address.' : 'Enter your phone number.');
  if (value.length > 320) refuse(field, `The ${field === 'email' ? 'email address' : 'phone number'} is too long.`);
  if (CONTROL.test(value)) refuse(field, `The ${field === 'email' ? 'email address' : 'phone number'} must not contain control characters.`);
  return value;
}

/** A lower-case email address of one recipient; `invalid_body` (field `email`) otherwise. */
export function normalizeEmailAddress(value: unknown): string {
  return normalizeEmail(text('email', value));
}

/** An E.164 phone number (`+14155550123`; spaces, dots, dashes and parentheses dropped); `invalid_body` (field `phone_number`) otherwise. */
export function normalizePhoneNumber(value: unknown): string {
  const phone = normalizePhone(text('phone_number', value));
  if (!E164.test(phone)) refuse('phone_number', 'The phone number must be in international form, like +14155550123.');
  return phone;
}

/** The mailbox an address delivers to: `jane+anything@example.com` lands where `jane@example.com` does. */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${email.slice(at)}`;
}

/**
 * The block of numbers a number belongs to (all but its last 4 digits). SMS pumping fraud walks
 * through consecutive numbers of one premium range; a cap per block stops it where a cap per
 * number cannot.
 */
export function numberBlockOf(phone: string): string {
  return `${phone.slice(0, -4)}xxxx`;
}

/**
 * The provider user id of an address: 24 hex characters of its SHA-256, like Auth0's opaque
 * passwordless ids (`email|<id>`), so ids and URLs do not spell out the address. Every connection
 * of a channel derives the same id, so an email link and an email code sign in the same user.
 */
export function addressUserId(channel: 'email' | 'sms', address: string): string {
  return createHash('sha256').update(`${channel}:${address}`).digest('hex').slice(0, 24);
}
