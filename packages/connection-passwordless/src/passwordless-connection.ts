import type { Connection, ConnectionServices, ExternalProfile, PasswordlessFlow, PasswordlessSend } from '@gatehouse/core';
import nodemailer from 'nodemailer';
import { addressUserId, mailboxOf, normalizeEmailAddress, normalizePhoneNumber, numberBlockOf } from './addresses.js';
import { defaultCodeEmail, defaultCodeSms, defaultLinkEmail } from './messages.js';
import {
  resolvePasswordlessOptions,
  type EmailCodeOptions,
  type EmailLinkOptions,
  type EmailPasswordlessOptions,
  type MailTransport,
  type PasswordlessMessageContext,
  type ResolvedPasswordlessOptions,
  type SmsCodeOptions,
} from './passwordless-options.js';
import { PasswordlessStrategy } from './passwordless-strategy.js';
import type { SmsSender } from './sms-sender.js';

type Deliver = (address: string, context: PasswordlessMessageContext, services: ConnectionServices) => Promise<void>;

interface Blueprint {
  settings: ResolvedPasswordlessOptions;
  channel: 'email' | 'sms';
  delivery: 'code' | 'link';
  linkVerifiedEmail: boolean;
  deliver: Deliver;
  close?: () => Promise<void>;
}

/**
 * The connection object around a blueprint: createStrategy keeps the services, and the flow's
 * `send` issues the code or link with them (identity() only calls it after createStrategy).
 */
function passwordlessConnection(b: Blueprint): Connection {
  const { settings, channel, delivery } = b;
  let services: ConnectionServices | null = null;
  const codesOf = (s: ConnectionServices) => {
    if (!s.passwordlessCodes) throw new TypeError(`passwordless connection ${settings.name}: identity() did not provide passwordlessCodes (update @gatehouse/express)`);
    return s.passwordlessCodes;
  };
  const normalizeAddress = channel === 'email' ? normalizeEmailAddress : normalizePhoneNumber;
  const identityOf = (address: string) => ({ provider: channel, user_id: addressUserId(channel, address) });
  const profileOf = (address: string): ExternalProfile =>
    channel === 'email'
      ? { ...identityOf(address), email: address, email_verified: true }
      : { ...identityOf(address), phone_number: address, phone_verified: true, name: address };
  const ttlMinutes = Math.max(1, Math.round(settings.ttlMs / 60_000));

  const flow: PasswordlessFlow = {
    channel,
    delivery,
    signup: settings.signup,
    sendLimits: settings.sendLimits,
    normalizeAddress,
    destinationOf: channel === 'email' ? mailboxOf : numberBlockOf,
    identityOf,
    async send(message: PasswordlessSend) {
      if (!services) throw new Error(`passwordless connection ${settings.name} was not started by identity()`);
      const codes = codesOf(services);
      const { address } = message;
      const context: PasswordlessMessageContext = { to: address, ttlMinutes, appName: settings.appName };
      if (delivery === 'code') {
        context.code = await codes.issueCode({ connection: settings.name, address, sessionBinding: message.sessionBinding, digits: settings.digits, ttlMs: settings.ttlMs });
      } else {
        const token = await codes.issueLink({ connection: settings.name, address, ttlMs: settings.ttlMs });
        const link = new URL(message.linkUrl);
        link.searchParams.set('token', token);
        context.link = link.href;
      }
      await b.deliver(address, context, services);
    },
  };

  return {
    name: settings.name,
    kind: 'passwordless',
    displayName: settings.displayName,
    loginMode: 'redirect',
    linkVerifiedEmail: b.linkVerifiedEmail,
    passwordless: flow,
    createStrategy(s: ConnectionServices) {
      services = s;
      return new PasswordlessStrategy({ connection: settings.name, delivery, maxAttempts: settings.maxAttempts, codes: codesOf(s), profileOf });
    },
    close: b.close,
  };
}

/** Email delivery: the connection's own transport, or identity()'s mail. */
function emailDelivery(factory: string, options: EmailPasswordlessOptions, write: (c: PasswordlessMessageContext) => { subject: string; text: string; html?: string }) {
  const { transport, from } = options;
  if (transport !== undefined && typeof transport !== 'string' && typeof (transport as MailTransport)?.sendMail !== 'function') {
    throw new TypeError(`${factory}(): transport must be an smtp:// or smtps:// URL or a nodemailer transporter`);
  }
  if (typeof transport === 'string' && !/^smtps?:\/\//u.test(transport)) throw new TypeError(`${factory}(): transport must be an smtp:// or smtps:// URL`);
  if (transport !== undefined && (typeof from !== 'string' || from === '')) throw new TypeError(`${factory}(): from is required with transport`);
  if (transport === undefined && from !== undefined) throw new TypeError(`${factory}(): from only applies with transport (identity()'s mail.from is used otherwise)`);
  if (options.message !== undefined && typeof options.message !== 'function') throw new TypeError(`${factory}(): message must be a function`);
  const own: MailTransport | null = typeof transport === 'string' ? (nodemailer.createTransport(transport) as unknown as MailTransport) : (transport ?? null);
  const deliver: Deliver = async (address, context, services) => {
    const mail = write(context);
    if (own) {
      await own.sendMail({ from: from!, to: address, subject: mail.subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}) });
      return;
    }
    if (!services.sendMail) throw new TypeError(`${factory}(): identity() did not provide sendMail; set transport`);
    await services.sendMail({ to: address, ...mail });
  };
  // Only a transport made here is closed here; a transporter passed in belongs to the caller.
  const close = typeof transport === 'string' ? async () => own?.close?.() : undefined;
  return { deliver, close };
}

function linkVerified(factory: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${factory}(): linkVerifiedEmail must be true or false`);
  return value ?? false;
}

/**
 * Sign-in with a one-time code sent by email: the user types their address, gets a 6-digit code
 * and types it on the next page (in the same browser). Users are `email|<id>`, email verified.
 *
 * @example
 * identity({ baseUrl: 'https://app.example.com', connections: [emailCode()] });
 */
export function emailCode(options: EmailCodeOptions = {}): Connection {
  const settings = resolvePasswordlessOptions('emailCode', options, { name: 'email', displayName: 'Email', delivery: 'code' });
  const { deliver, close } = emailDelivery('emailCode', options, options.message ?? defaultCodeEmail);
  return passwordlessConnection({ settings, channel: 'email', delivery: 'code', linkVerifiedEmail: linkVerified('emailCode', options.linkVerifiedEmail), deliver, close });
}

/**
 * Sign-in with a magic link sent by email. Opening the link shows a page with a button; only
 * that button's POST signs in, so a mail scanner that fetches links cannot use it up.
 *
 * @example
 * identity({ baseUrl: 'https://app.example.com', connections: [emailLink({ name: 'email-link' })] });
 */
export function emailLink(options: EmailLinkOptions = {}): Connection {
  const opts = options as EmailLinkOptions & { digits?: unknown; maxAttempts?: unknown };
  if (opts.digits !== undefined || opts.maxAttempts !== undefined) throw new TypeError('emailLink(): digits and maxAttempts apply to codes only');
  const settings = resolvePasswordlessOptions('emailLink', options, { name: 'email', displayName: 'Email', delivery: 'link' });
  const { deliver, close } = emailDelivery('emailLink', options, options.message ?? defaultLinkEmail);
  return passwordlessConnection({ settings, channel: 'email', delivery: 'link', linkVerifiedEmail: linkVerified('emailLink', options.linkVerifiedEmail), deliver, close });
}

/**
 * Sign-in with a one-time code sent by SMS through `sender` (twilioSmsSender, consoleSmsSender,
 * or your own SmsSender). Numbers are typed in international form; users are `sms|<id>`.
 *
 * @example
 * identity({ baseUrl, connections: [smsCode({ sender: twilioSmsSender({ accountSid, authToken, from: '+15005550006' }) })] });
 */
export function smsCode(options: SmsCodeOptions): Connection {
  if (typeof (options?.sender as SmsSender | undefined)?.send !== 'function') throw new TypeError('smsCode(): sender is required (an SmsSender such as twilioSmsSender())');
  if (options.message !== undefined && typeof options.message !== 'function') throw new TypeError('smsCode(): message must be a function');
  const settings = resolvePasswordlessOptions('smsCode', options, { name: 'sms', displayName: 'SMS', delivery: 'code' });
  const write = options.message ?? defaultCodeSms;
  const deliver: Deliver = (address, context) => options.sender.send({ to: address, body: write(context) });
  return passwordlessConnection({ settings, channel: 'sms', delivery: 'code', linkVerifiedEmail: false, deliver });
}
