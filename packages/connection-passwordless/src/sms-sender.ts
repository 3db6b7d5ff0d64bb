import { GatehouseError } from '@gatehouse/core';

/** An SMS to send. */
export interface SmsMessage {
  /** E.164. */
  to: string;
  body: string;
}

/** Sends SMS for `smsCode()`: implement it for any provider, or use twilioSmsSender / consoleSmsSender. */
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

/** Options of twilioSmsSender. */
export interface TwilioSmsSenderOptions {
  /** The account SID (`AC...`): the path and the basic-auth user. */
  accountSid: string;
  /** The auth token (or an API key secret with `apiKeySid`). */
  authToken: string;
  /** Basic-auth user instead of the account SID (Twilio API keys, `SK...`). @default accountSid */
  apiKeySid?: string;
  /** The sending number (E.164) or alphanumeric sender id; or set messagingServiceSid. */
  from?: string;
  /** A Messaging Service (`MG...`) instead of `from`. */
  messagingServiceSid?: string;
  /** Any Twilio-compatible API. @default 'https://api.twilio.com' */
  baseUrl?: string;
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * An SmsSender over Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`, form
 * encoded, HTTP basic auth), or any API speaking the same format (`baseUrl`). A refusal or an
 * outage becomes `connection_unavailable` (503); the provider's answer goes to the cause only.
 *
 * @example
 * smsCode({ sender: twilioSmsSender({ accountSid, authToken, from: '+15005550006' }) })
 */
export function twilioSmsSender(options: TwilioSmsSenderOptions): SmsSender {
  const o = options ?? ({} as TwilioSmsSenderOptions);
  for (const key of ['accountSid', 'authToken'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') throw new TypeError(`twilioSmsSender(): ${key} is required`);
  }
  if (!/^[A-Za-z0-9]+$/u.test(o.accountSid)) throw new TypeError('twilioSmsSender(): accountSid must be letters and digits (AC...)');
  if ((o.from === undefined) === (o.messagingServiceSid === undefined)) {
    throw new TypeError('twilioSmsSender(): set exactly one of from and messagingServiceSid');
  }
  let base: URL;
  try {
    base = new URL(o.baseUrl ?? 'https://api.twilio.com');
  } catch {
    throw new TypeError(`twilioSmsSender(): baseUrl must be an absolute URL, got ${JSON.stringify(o.baseUrl)}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new TypeError('twilioSmsSender(): baseUrl must be http(s)');
  const timeoutMs = o.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new TypeError('twilioSmsSender(): timeoutMs must be a positive integer');
  const url = new URL(`${base.pathname.replace(/\/$/u, '')}/2010-04-01/Accounts/${o.accountSid}/Messages.json`, base);
  const authorization = `Basic ${Buffer.from(`${o.apiKeySid ?? o.accountSid}:${o.authToken}`).toString('base64')}`;

  return {
    async send(message) {
      const form = new URLSearchParams({ To: message.to, Body: message.body });
      if (o.from !== undefined) form.set('From', o.from);
      if (o.messagingServiceSid !== undefined) form.set('MessagingServiceSid', o.messagingServiceSid);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new GatehouseError('connection_unavailable', { cause: err });
      }
      if (res.status === 200 || res.status === 201) {
        await res.body?.cancel();
        return;
      }
      const detail = (await res.text().catch(() => '')).slice(0, 500);
      throw new GatehouseError('connection_unavailable', { cause: new Error(`SMS provider answered ${res.status}: ${detail}`) });
    },
  };
}

/**
 * An SmsSender for development: prints each SMS (code included) to the logger instead of sending
 * it. Never use it in production.
 */
export function consoleSmsSender(logger: Pick<Console, 'info'> = console): SmsSender {
  return {
    async send(message) {
      logger.info(`\n[gatehouse] SMS to ${message.to}: ${message.body}\n`);
    },
  };
}
