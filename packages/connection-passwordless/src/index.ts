export { emailCode, emailLink, smsCode } from './passwordless-connection.js';
export {
  PASSWORDLESS_DEFAULTS,
  type EmailCodeOptions,
  type EmailLinkOptions,
  type EmailPasswordlessOptions,
  type MailTransport,
  type PasswordlessEmail,
  type PasswordlessMessageContext,
  type PasswordlessOptions,
  type SmsCodeOptions,
} from './passwordless-options.js';
export { consoleSmsSender, twilioSmsSender, type SmsMessage, type SmsSender, type TwilioSmsSenderOptions } from './sms-sender.js';
export { addressUserId } from './addresses.js';
