import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends the account emails (verification, reset). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * A nodemailer transport from an SMTP URL or a given transport. 'console' (development) renders
 * the message with nodemailer and prints it, so links can be followed without a mail server.
 */
export function createMailer(
  transport: string | Transporter,
  from: string,
  logger: Pick<Console, 'info'>,
): Mailer {
  const console_ = transport === 'console';
  const transporter: Transporter = console_
    ? nodemailer.createTransport({ jsonTransport: true })
    : typeof transport === 'string'
      ? nodemailer.createTransport(transport)
      : transport;
  return {
    async send(message) {
      await transporter.sendMail({ from, ...message });
      if (console_) {
        logger.info(`\n[gatehouse] email to ${message.to}: ${message.subject}\n${message.text}\n`);
      }
    },
    close: () => transporter.close(),
  };
}
