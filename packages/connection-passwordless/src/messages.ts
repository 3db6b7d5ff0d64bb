import type { PasswordlessEmail, PasswordlessMessageContext } from './passwordless-options.js';

/*
 * The default messages: plain text, the code or link on a line of its own, and what to do when
 * the message was not asked for. They never say whether the address has an account.
 */

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

/** The default email of emailCode(). */
export function defaultCodeEmail(c: PasswordlessMessageContext): PasswordlessEmail {
  return {
    subject: `Your sign-in code${c.appName ? ` for ${c.appName}` : ''}`,
    text:
      `Your sign-in code is:\n\n${c.code}\n\nType it on the page where you asked for it, within ${minutes(c.ttlMinutes)}. ` +
      `It works once, and only in that browser.\n\nIf you did not ask for it, ignore this email: nobody can sign in without it.`,
  };
}

/** The default email of emailLink(). */
export function defaultLinkEmail(c: PasswordlessMessageContext): PasswordlessEmail {
  return {
    subject: `Sign in${c.appName ? ` to ${c.appName}` : ''}`,
    text:
      `Open this link to sign in (it works once, within ${minutes(c.ttlMinutes)}):\n\n${c.link}\n\n` +
      `If you did not ask for it, ignore this email: nobody can sign in without it.`,
  };
}

/** The default SMS of smsCode(). */
export function defaultCodeSms(c: PasswordlessMessageContext): string {
  return `${c.code} is your ${c.appName ? `${c.appName} ` : ''}sign-in code. It expires in ${minutes(c.ttlMinutes)}. Never share it.`;
}
