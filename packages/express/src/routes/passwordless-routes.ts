import { randomBytes } from 'node:crypto';
import { GatehouseError, isGatehouseError, LOG_TYPES, type AttemptCounter, type Connection, type PasswordlessFlow, type PasswordlessVerifyOptions } from '@gatehouse/core';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { PassportStatic } from 'passport';
import type { GatehouseContext } from '../context.js';
import { messagePage } from '../pages/message-page.js';
import { passwordlessCodePage, passwordlessLinkPage, passwordlessStartPage } from '../pages/passwordless-pages.js';
import { pageContext } from '../page-context.js';
import { rateLimiterCounters } from '../rate-limiter-counters.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';
import { finishLogin } from './connection-routes.js';
import { sendLater } from './signup-routes.js';

type Passwordless = Connection & { passwordless: PasswordlessFlow };

/** Auth0's log type for a passwordless code or link sent. */
const PASSWORDLESS_SENT = 'cls';

/** The send caps of one connection: per address, per client IP, per destination. */
interface SendCaps {
  address: AttemptCounter;
  ip: AttemptCounter;
  destination: AttemptCounter;
}

const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The form field of a channel's address. */
const fieldOf = (flow: PasswordlessFlow) => (flow.channel === 'email' ? 'email' : 'phone_number');

function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/**
 * The routes of passwordless connections (see PasswordlessFlow): the address page and the start
 * POST that sends a code or link, the code page and its check, the link's landing page and its
 * confirmation. Also `POST <prefix>/passwordless/start` and `/passwordless/verify` with a
 * `connection` field, as Auth0's API names them.
 *
 * What is sent, and to whom, never shows in the answer: the start POST answers the same for every
 * well-formed address (known or not, sent or not) and sends after the response, so neither the
 * body nor the timing tells who has an account.
 */
export function passwordlessRoutes(gh: GatehouseContext, passport: PassportStatic): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo, prefix } = gh.options;
  const counters = rateLimiterCounters(gh.options.rateLimits.store, 'gatehouse:passwordless');
  const caps = new Map<string, SendCaps>();
  for (const connection of gh.connections.values()) {
    const limits = connection.passwordless?.sendLimits;
    if (!limits) continue;
    caps.set(connection.name, {
      address: counters(`${connection.name}:address`, limits.perAddress),
      ip: counters(`${connection.name}:ip`, limits.perIp),
      destination: counters(`${connection.name}:destination`, limits.perDestination),
    });
  }
  const root = () => `${gh.options.baseUrl!.origin}${gh.options.baseUrl!.pathname.replace(/\/$/u, '')}${prefix}`;

  const passwordlessOf = (name: unknown): Passwordless | undefined => {
    const connection = typeof name === 'string' ? gh.connections.get(name) : undefined;
    return connection?.passwordless ? (connection as Passwordless) : undefined;
  };

  /** Counts one message against every cap; `too_many_requests` past any of them (counted alike for unknown addresses). */
  async function countSend(req: Request, connection: Passwordless, address: string): Promise<void> {
    const cap = caps.get(connection.name)!;
    const { sendLimits } = connection.passwordless;
    const counts = await Promise.all([
      cap.address.hit(address),
      cap.ip.hit(gh.clientIp(req)),
      cap.destination.hit(connection.passwordless.destinationOf(address)),
    ]);
    const limits = [sendLimits.perAddress, sendLimits.perIp, sendLimits.perDestination];
    const over = counts.filter((count, i) => count.count > limits[i]!.points);
    if (over.length === 0) return;
    await gh.users.log(LOG_TYPES.failedLogin, 'Too many passwordless messages', null, { ip: gh.clientIp(req) }, { connection: connection.name });
    throw new GatehouseError('too_many_requests', { retryAfterSec: retryAfter(Math.max(...over.map((c) => c.msBeforeReset))) });
  }

  /** The start POST: checks the address and the caps, remembers the request in the session, sends after answering. */
  async function start(req: Request, res: Response, connection: Passwordless): Promise<void> {
    const flow = connection.passwordless;
    const body = bodyOf(req);
    const html = wantsHtml(req);
    const returnTo = safeReturnTo(body.returnTo ?? req.session.passwordless?.returnTo, allowedOrigins, defaultReturnTo);
    const typed = body[fieldOf(flow)];
    let address: string;
    try {
      address = flow.normalizeAddress(typed);
      await countSend(req, connection, address);
    } catch (err) {
      if (!html || !isGatehouseError(err) || err.status >= 500) throw err;
      if (err.retryAfterSec !== undefined) res.set('Retry-After', String(err.retryAfterSec));
      res.status(err.status).type('html').send(
        passwordlessStartPage(pageContext(req), connection, { returnTo, address: typeof typed === 'string' ? typed : '', error: err.message }),
      );
      return;
    }
    // A fresh binding per request: a code can only be typed back in the session that asked for it.
    const binding = randomBytes(24).toString('base64url');
    req.session.passwordless = { connection: connection.name, address, binding, returnTo };
    const linkUrl = new URL(`${root()}/${connection.name}/link`);
    if (returnTo !== defaultReturnTo) linkUrl.searchParams.set('returnTo', returnTo);
    const ip = gh.clientIp(req);
    sendLater(gh, async () => {
      const identity = flow.identityOf(address);
      // With signup off, only existing users get a message; the answer below is the same either way.
      const allowed = flow.signup || (await gh.storage.findUserByIdentity(identity.provider, identity.user_id)) !== null;
      if (allowed) await flow.send({ address, sessionBinding: binding, linkUrl: linkUrl.href });
      await gh.users.log(PASSWORDLESS_SENT, allowed ? `Passwordless ${flow.delivery} sent` : 'Passwordless start for an address that may not sign up: nothing sent', null, { ip }, {
        connection: connection.name,
      });
    });
    if (!html) {
      res.json({ message: `If this address can sign in, a ${flow.delivery} is on its way.`, connection: connection.name, delivery: flow.delivery });
      return;
    }
    if (flow.delivery === 'code') {
      res.redirect(303, `${prefix}/${connection.name}/verify`);
      return;
    }
    res.type('html').send(
      messagePage(pageContext(req), 'Check your inbox', 'If this address can sign in here, a sign-in link is on its way to it. Open it in any browser to continue.', {
        href: `${prefix}/${connection.name}?returnTo=${encodeURIComponent(returnTo)}`,
        text: 'Send another link',
      }),
    );
  }

  /** The code check, through the connection's strategy: the address and binding come from this session (or the body names the address). */
  function verify(req: Request, res: Response, next: NextFunction, connection: Passwordless): void {
    const flow = connection.passwordless;
    if (flow.delivery !== 'code') return next(new GatehouseError('not_found'));
    const state = req.session.passwordless?.connection === connection.name ? req.session.passwordless : undefined;
    const named = bodyOf(req)[fieldOf(flow)];
    let address = state?.address ?? null;
    try {
      if (named !== undefined) address = flow.normalizeAddress(named);
    } catch (err) {
      return next(err);
    }
    const options: PasswordlessVerifyOptions = { passwordless: { address, sessionBinding: state?.binding ?? null } };
    finishLogin(gh, passport, connection, async () => safeReturnTo(state?.returnTo, allowedOrigins, defaultReturnTo), undefined, {
      strategyOptions: options as unknown as Record<string, unknown>,
      failurePage: (r, error) =>
        address && state
          ? passwordlessCodePage(pageContext(r), connection, { address, error: error.message })
          : passwordlessStartPage(pageContext(r), connection, { returnTo: defaultReturnTo, error: error.message }),
    })(req, res, next);
  }

  router.get('/:connection', (req, res, next) => {
    const connection = passwordlessOf(req.params.connection);
    if (!connection) return next();
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(passwordlessStartPage(pageContext(req), connection, { returnTo }));
  });

  router.post('/:connection', (req, res, next) => {
    const connection = passwordlessOf(req.params.connection);
    if (!connection) return next();
    start(req, res, connection).catch(next);
  });

  router.get('/:connection/verify', (req, res, next) => {
    const connection = passwordlessOf(req.params.connection);
    if (!connection || connection.passwordless.delivery !== 'code') return next();
    const state = req.session.passwordless;
    // No code asked in this browser: start over.
    if (state?.connection !== connection.name) return res.redirect(303, `${prefix}/${connection.name}`);
    res.type('html').send(passwordlessCodePage(pageContext(req), connection, { address: state.address }));
  });

  router.post('/:connection/verify', (req, res, next) => {
    const connection = passwordlessOf(req.params.connection);
    if (!connection) return next();
    verify(req, res, next, connection);
  });

  router.get('/:connection/link', (req, res, next) => {
    const connection = passwordlessOf(req.params.connection);
    if (!connection || connection.passwordless.delivery !== 'link') return next();
    // Shown, never used: the token only works through the button's POST.
    const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 128) : '';
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(passwordlessLinkPage(pageContext(req), connection, { token, returnTo }));
  });

  router.post('/:connection/link', (req, res, next) => {
    const connection = passwordlessOf(req.params.connection);
    if (!connection || connection.passwordless.delivery !== 'link') return next();
    const returnTo = safeReturnTo(bodyOf(req).returnTo, allowedOrigins, defaultReturnTo);
    finishLogin(gh, passport, connection, async () => returnTo, undefined, {
      failurePage: (r, error) =>
        messagePage(pageContext(r), 'This link cannot be used', error.message, { href: `${prefix}/${connection.name}?returnTo=${encodeURIComponent(returnTo)}`, text: 'Get a new link' }, 'error'),
    })(req, res, next);
  });

  // Auth0's names: the connection is a body field.
  router.post('/passwordless/start', (req, res, next) => {
    const connection = passwordlessOf(bodyOf(req).connection);
    if (!connection) return next(new GatehouseError('invalid_body', { field: 'connection', message: 'Unknown passwordless connection.' }));
    start(req, res, connection).catch(next);
  });

  router.post('/passwordless/verify', (req, res, next) => {
    const connection = passwordlessOf(bodyOf(req).connection);
    if (!connection) return next(new GatehouseError('invalid_body', { field: 'connection', message: 'Unknown passwordless connection.' }));
    if (connection.passwordless.delivery === 'link') return next(new GatehouseError('invalid_body', { field: 'connection', message: 'Links are confirmed at their own page.' }));
    verify(req, res, next, connection);
  });

  return router;
}
