import type { MailMessage } from './mailer.js';

/** The account emails, in plain text (links on their own line, so every client makes them clickable). */
export const accountEmails = {
  verifyEmail(appName: string, to: string, link: string): MailMessage {
    return {
      to,
      subject: `Verify your email for ${appName}`,
      text: `Welcome to ${appName}!\n\nConfirm that this is your address by opening this link:\n\n${link}\n\nIf you did not sign up, ignore this email.`,
    };
  },
  resetPassword(appName: string, to: string, link: string, ttlMinutes: number): MailMessage {
    return {
      to,
      subject: `Reset your ${appName} password`,
      text: `Someone asked to reset the password of your ${appName} account.\n\nChoose a new password here (valid for ${ttlMinutes} minutes, once):\n\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.`,
    };
  },
  accountExists(appName: string, to: string, loginLink: string, forgotLink: string): MailMessage {
    return {
      to,
      subject: `Your ${appName} account`,
      text: `Someone tried to create a ${appName} account with this address, but you already have one.\n\nSign in: ${loginLink}\nForgot your password? ${forgotLink}\n\nIf it was not you, ignore this email.`,
    };
  },
  loginBlocked(appName: string, to: string, ip: string, link: string): MailMessage {
    return {
      to,
      subject: `Sign-in to your ${appName} account was blocked`,
      text: `There were too many failed attempts to sign in to your ${appName} account from the IP address ${ip}, so sign-in from there is blocked for now.\n\nIf it was you, unblock it here (once):\n\n${link}\n\nIf it was not you, someone may be guessing your password: consider choosing a new one. Resetting your password also lifts the block.`,
    };
  },
  passwordBreached(appName: string, to: string, link: string, ttlMinutes: number): MailMessage {
    return {
      to,
      subject: `Choose a new ${appName} password`,
      text: `Someone (probably you) just signed in to your ${appName} account with a password that appears in a known data breach of another site, so attackers try it. The sign-in was stopped, and the password will not work again.\n\nChoose a new password here (valid for ${ttlMinutes} minutes, once):\n\n${link}\n\nIf it was not you, choose a new password all the same: someone knows the current one.`,
    };
  },
  adminWelcome(appName: string, to: string, link: string): MailMessage {
    return {
      to,
      subject: `Your ${appName} administrator account`,
      text: `An administrator account was created for ${to}.\n\nSet its password here (once):\n\n${link}`,
    };
  },
};
