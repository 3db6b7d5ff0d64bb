import { GatehouseError, type ConnectionServices, type ExternalProfile, type StrategyLike } from '@gatehouse/core';
import { classifyOAuthError, rejectedResponse } from './oauth-errors.js';

/** The option startOptions() sets, so the strategy knows a login starts here (and a callback is not a start). */
export const START_OPTION = 'gatehouseOAuthStart';

/** What Passport adds to a strategy for one request. */
interface Outcomes {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(err: unknown): void;
  redirect(url: string, status?: number): void;
  pass(): void;
}

/** A verify callback handing Passport an ExternalProfile (hosts may type Passport's user as their own User). */
export type PassProfile = (err: null, profile: ExternalProfile) => void;

/** A Passport strategy as the OAuth libraries export them. */
export interface PassportStrategy {
  authenticate(this: Outcomes, req: unknown, options?: unknown): void;
}

interface CallbackRequest {
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

const param = (req: CallbackRequest, name: string): unknown => req.query?.[name] ?? req.body?.[name];

/**
 * Wraps an OAuth library's Passport strategy so that it ends the Gatehouse way:
 * - a start (`GET <prefix>/<name>`, marked by START_OPTION) only ever redirects to the provider,
 *   even with `code` in its query (passport-oauth2 would otherwise redeem it there);
 * - a callback without `code` or `error` is refused (the libraries would start a new login);
 * - an `error` from the provider (the user cancelled) is `connection_login_failed`;
 * - a failed state check is `invalid_oauth_response` (400), library errors are classified by
 *   classifyOAuthError, and outages are logged here (the route shows only a generic 503).
 * `load` builds the library strategy once, on first use (OIDC discovery needs the network); a
 * failed load is retried at the next login.
 */
export function guardedStrategy(name: string, services: ConnectionServices, load: () => Promise<PassportStrategy>): StrategyLike {
  let loading: Promise<PassportStrategy> | undefined;
  const strategy = () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
  const report = (outer: Outcomes, err: unknown) => {
    const mapped = classifyOAuthError(err);
    if (mapped.status >= 500) {
      services.logger.warn(`[gatehouse] connection ${name}:`, err);
      return outer.error(mapped);
    }
    return outer.fail(mapped);
  };

  return {
    name: `gatehouse-oauth:${name}`,
    authenticate(this: Outcomes, req: unknown, options?: unknown) {
      const request = req as CallbackRequest;
      const starting = (options as Record<string, unknown> | undefined)?.[START_OPTION] === true;
      const answered = param(request, 'code') !== undefined || param(request, 'error') !== undefined;
      if (starting && answered) return this.error(rejectedResponse(new Error('a login start carried an authorization response')));
      if (!starting && !answered) return this.fail(rejectedResponse(new Error('the callback carried neither code nor error')));
      if (!starting && param(request, 'error') !== undefined) {
        const reason = String(param(request, 'error')).slice(0, 64);
        return this.fail(new GatehouseError('connection_login_failed', { cause: new Error(`the provider answered error=${reason}`) }));
      }
      strategy().then(
        (inner) => {
          // The library strategy ends through these, which forward to what Passport gave this request.
          const delegate = Object.create(inner) as Outcomes & PassportStrategy;
          delegate.success = (user, info) => this.success(user, info);
          // Every fail of these libraries at the callback is a state check that did not pass.
          delegate.fail = (challenge) => this.fail(rejectedResponse(challenge instanceof Error ? challenge : new Error(JSON.stringify(challenge ?? 'state check failed'))));
          delegate.error = (err) => report(this, err);
          delegate.redirect = (url, status) => this.redirect(url, status);
          delegate.pass = () => this.pass();
          try {
            inner.authenticate.call(delegate, req, options);
          } catch (err) {
            report(this, err);
          }
        },
        (err: unknown) => {
          services.logger.warn(`[gatehouse] connection ${name} could not be set up:`, err);
          this.error(new GatehouseError('connection_unavailable', { cause: err }));
        },
      );
    },
  };
}
