import type { RateLimit } from '../login-limits.js';

/** Where a passwordless connection sends its secret. */
export type PasswordlessChannel = 'email' | 'sms';

/** What the message carries: a code typed back on the page that asked, or a link. */
export type PasswordlessDelivery = 'code' | 'link';

/** A message to send: a new code or link for `address`. */
export interface PasswordlessSend {
  /** The normalized address (see PasswordlessFlow.normalizeAddress). */
  address: string;
  /** An unguessable value kept in the asking browser's session: a code is bound to it. */
  sessionBinding: string;
  /** For links: the absolute URL of the landing page; the token is added to it as `token`. */
  linkUrl: string;
}

/** Send caps per window; beyond any of them the start route answers 429. */
export interface PasswordlessSendLimits {
  /** Messages to one address. */
  perAddress: RateLimit;
  /** Messages asked for from one client IP. */
  perIp: RateLimit;
  /** Messages to one destination (see PasswordlessFlow.destinationOf). */
  perDestination: RateLimit;
}

/**
 * What identity() passes to a passwordless connection's strategy (the `options` of
 * `authenticate(req, options)`) when a code or link comes back. The strategy reads `code` or
 * `token` from the parsed body itself.
 */
export interface PasswordlessVerifyOptions {
  passwordless: {
    /** The address the browser's session asked a code for (or the body named), null if none. */
    address: string | null;
    /** The browser session's binding, null when the session never asked for a code. */
    sessionBinding: string | null;
  };
}

/**
 * The part of a Connection that makes it passwordless (`Connection.passwordless`). identity()
 * mounts, for a connection named `email`: `GET <prefix>/email` (the page asking for the address),
 * `POST <prefix>/email` (start: checks the send caps, then `send`), `GET|POST <prefix>/email/verify`
 * (the code page, and the code check through the strategy), and `GET|POST <prefix>/email/link`
 * (the link's landing page with a confirm button, and the confirmation through the strategy: a GET
 * never uses the link, so mail scanners that follow links cannot burn it).
 */
export interface PasswordlessFlow {
  readonly channel: PasswordlessChannel;
  readonly delivery: PasswordlessDelivery;
  /** Whether a first login creates a user; when false, unknown addresses get no message (the answer is the same). */
  readonly signup: boolean;
  readonly sendLimits: PasswordlessSendLimits;
  /**
   * The typed address in its stored form (a lower-case email, an E.164 number), or `invalid_body`
   * (400, field `email` or `phone_number`) for anything else: control characters (CR/LF that would
   * inject mail headers), several addresses, overlong input.
   */
  normalizeAddress(input: unknown): string;
  /**
   * Where a message to the address really lands, for the per-destination cap: the mailbox without
   * its `+tag`, the block of numbers an SMS goes to. Tagged variants share one count.
   */
  destinationOf(address: string): string;
  /** The identity an address signs in as: existing users are found by it. */
  identityOf(address: string): { provider: string; user_id: string };
  /** Issues a new code or link for the address (the previous one stops working) and sends it. */
  send(message: PasswordlessSend): Promise<void>;
}
