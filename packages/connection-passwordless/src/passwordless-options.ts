import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES, type PasswordlessSendLimits, type RateLimit } from '@gatehouse/core';
import type { SmsSender } from './sms-sender.js';

/** Anything with nodemailer's `sendMail` (a nodemailer transporter). */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string; html?: string }): Promise<unknown>;
  close?(): void;
}

/** What a message template gets. */
export interface PasswordlessMessageContext {
  /** The normalized address the message goes to. */
  to: string;
  /** The code (code connections). */
  code?: string;
  /** The sign-in link (link connections). */
  link?: string;
  /** How long the code or link works, in whole minutes. */
  ttlMinutes: number;
  /** `appName` of the options, or null. */
  appName: string | null;
}

/** An email as templates return it. */
export interface PasswordlessEmail {
  subject: string;
  text: string;
  html?: string;
}

/** Options every passwordless connection takes. */
export interface PasswordlessOptions {
  /** The connection's name: the URL segment and `identities[].connection`. @default 'email' (email connections), 'sms' */
  name?: string;
  /** Shown on the hosted login page ("Continue with ..."). @default 'Email' / 'SMS' */
  displayName?: string;
  /** Whether a first login creates a user. When false, unknown addresses are told the same as known ones, and get nothing. @default true */
  signup?: boolean;
  /** How long a code or link works. Codes: 30 s to 10 min, @default 300000 (5 min). Links: 1 min to 1 h, @default 900000 (15 min). */
  ttlMs?: number;
  /**
   * Send caps (429 beyond), each `{ points, durationSec }`, merged over the defaults: 5 an hour per
   * address, 30 an hour per client IP, 20 an hour per destination (the mailbox without its `+tag`,
   * or the block of 10,000 numbers an SMS goes to).
   */
  sendLimits?: { [K in keyof PasswordlessSendLimits]?: Partial<RateLimit> };
  /** Named in the messages ("Your code for <appName>"). @default none */
  appName?: string;
}

/** Options of the email connections. */
export interface EmailPasswordlessOptions extends PasswordlessOptions {
  /** A mail transport of the connection's own: an `smtp://` / `smtps://` URL or a nodemailer transporter. @default identity()'s `mail` transport */
  transport?: string | MailTransport;
  /** The From address with `transport`. @default identity()'s `mail.from` (when `transport` is not set) */
  from?: string;
  /** Writes the email. @default a short plain-text message */
  message?: (context: PasswordlessMessageContext) => PasswordlessEmail;
  /**
   * A first login joins an existing user with the same verified email (the address is proven by
   * the code or link), and takes over an unverified database account with that email, ending its
   * password and sessions (see ExternalLogins). @default false: a user of its own
   */
  linkVerifiedEmail?: boolean;
}

/** Options of `emailCode()`. */
export interface EmailCodeOptions extends EmailPasswordlessOptions {
  /** 6 to 10. @default 6 */
  digits?: number;
  /** Wrong tries that kill a code (1 to 10). @default 5 */
  maxAttempts?: number;
}

/** Options of `emailLink()`. */
export type EmailLinkOptions = EmailPasswordlessOptions;

/** Options of `smsCode()`. */
export interface SmsCodeOptions extends PasswordlessOptions {
  /** Delivers the SMS: twilioSmsSender(), consoleSmsSender() in development, or your own. */
  sender: SmsSender;
  /** Writes the SMS text. @default "<code> is your sign-in code. It expires in 5 minutes." */
  message?: (context: PasswordlessMessageContext) => string;
  /** 6 to 10. @default 6 */
  digits?: number;
  /** Wrong tries that kill a code (1 to 10). @default 5 */
  maxAttempts?: number;
}

/** Defaults of every optional option. */
export const PASSWORDLESS_DEFAULTS = {
  codeTtlMs: 5 * 60_000,
  linkTtlMs: 15 * 60_000,
  digits: 6,
  maxAttempts: 5,
  signup: true,
  linkVerifiedEmail: false,
  sendLimits: {
    perAddress: { points: 5, durationSec: 3600 },
    perIp: { points: 30, durationSec: 3600 },
    perDestination: { points: 20, durationSec: 3600 },
  },
} as const;

/** The options every connection resolves to. */
export interface ResolvedPasswordlessOptions {
  name: string;
  displayName: string;
  signup: boolean;
  ttlMs: number;
  digits: number;
  maxAttempts: number;
  sendLimits: PasswordlessSendLimits;
  appName: string | null;
}

function fail(factory: string, message: string): never {
  throw new TypeError(`${factory}(): ${message}`);
}

function integer(factory: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(factory, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

function optionalText(factory: string, name: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '' || /[\u0000-\u001f\u007f]/u.test(value)) fail(factory, `${name} must be a non-empty string without control characters`);
  return value;
}

function sendLimits(factory: string, input: PasswordlessOptions['sendLimits']): PasswordlessSendLimits {
  if (input !== undefined && (input === null || typeof input !== 'object')) fail(factory, 'sendLimits must be an object');
  const out = {} as Record<keyof PasswordlessSendLimits, RateLimit>;
  for (const key of Object.keys(PASSWORDLESS_DEFAULTS.sendLimits) as Array<keyof PasswordlessSendLimits>) {
    const limit = { ...PASSWORDLESS_DEFAULTS.sendLimits[key], ...(input?.[key] ?? {}) };
    integer(factory, `sendLimits.${key}.points`, limit.points, 1, 1_000_000);
    // In-memory counters expire with a timer; Node's timers wait at most 2^31 - 1 ms.
    integer(factory, `sendLimits.${key}.durationSec`, limit.durationSec, 1, 2_147_483);
    out[key] = limit;
  }
  for (const key of Object.keys(input ?? {})) {
    if (!(key in PASSWORDLESS_DEFAULTS.sendLimits)) fail(factory, `sendLimits.${key} is not a known limit (perAddress, perIp, perDestination)`);
  }
  return out;
}

/** Checks the options all passwordless connections share; a TypeError names the culprit. */
export function resolvePasswordlessOptions(
  factory: string,
  options: PasswordlessOptions & { digits?: number; maxAttempts?: number },
  defaults: { name: string; displayName: string; delivery: 'code' | 'link' },
): ResolvedPasswordlessOptions {
  if (options === null || typeof options !== 'object') fail(factory, 'options must be an object');
  const name = options.name ?? defaults.name;
  if (typeof name !== 'string' || !CONNECTION_NAME_PATTERN.test(name) || RESERVED_CONNECTION_NAMES.has(name)) {
    fail(factory, `name must be lower-case letters, digits and dashes, not a reserved route name; got ${JSON.stringify(name)}`);
  }
  const signup = options.signup ?? PASSWORDLESS_DEFAULTS.signup;
  if (typeof signup !== 'boolean') fail(factory, 'signup must be true or false');
  const link = defaults.delivery === 'link';
  const ttlMs = options.ttlMs ?? (link ? PASSWORDLESS_DEFAULTS.linkTtlMs : PASSWORDLESS_DEFAULTS.codeTtlMs);
  // A code is short: it must not live long. A link carries 256 bits and may wait in a mailbox a little longer.
  integer(factory, 'ttlMs', ttlMs, link ? 60_000 : 30_000, link ? 3_600_000 : 600_000);
  return {
    name,
    displayName: optionalText(factory, 'displayName', options.displayName) ?? defaults.displayName,
    signup,
    ttlMs,
    digits: integer(factory, 'digits', options.digits ?? PASSWORDLESS_DEFAULTS.digits, 6, 10),
    maxAttempts: integer(factory, 'maxAttempts', options.maxAttempts ?? PASSWORDLESS_DEFAULTS.maxAttempts, 1, 10),
    sendLimits: sendLimits(factory, options.sendLimits),
    appName: optionalText(factory, 'appName', options.appName),
  };
}
