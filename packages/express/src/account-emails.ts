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
  adminWelcome(appName: string, to: string, link: string): MailMessage {
    return {
      to,
      subject: `Your ${appName} administrator account`,
      text: `An administrator account was created for ${to}.\n\nSet its password here (once):\n\n${link}`,
    };
  },
};
