import { GatehouseError } from '@gatehouse/core';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { GatehouseContext } from '../context.js';
import type { ManagementCaller } from './management-auth.js';

/** Set once a request has been counted, so no request is counted twice. */
const COUNTED = 'gatehouseRateCounted';

/** The two places a management request is counted: once its caller is known, or when it failed before. */
export interface RateLimiting {
  /** Counts the request against its caller (or IP) and sets the headers; 429 over the limit. */
  count: RequestHandler;
  /** Counts a request that failed before `count` ran (no or bad credentials, CSRF) against its IP. */
  countFailure: ErrorRequestHandler;
}

/**
 * The bucket a request draws from: the API token, the signed-in user, else the client IP. Tokens
 * and users are keyed by id, so one caller cannot gain budget by hopping addresses, and callers
 * behind one NAT do not share one.
 */
function bucketOf(gh: GatehouseContext, req: Request, res: Response): string {
  const caller = (res.locals as { managementCaller?: ManagementCaller }).managementCaller;
  if (caller) return `${caller.kind === 'token' ? 'token' : 'user'}:${caller.actor}`;
  return `ip:${gh.clientIp(req)}`;
}

/** A limiter's answer: rate-limiter-flexible rejects with one when the budget is spent (duck-typed, as a Redis limiter may come from another copy of the package). */
function isLimiterAnswer(value: unknown): value is RateLimiterRes {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && typeof (value as RateLimiterRes).msBeforeNext === 'number';
}

/**
 * Auth0's `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (epoch seconds) on
 * every Management API answer, per caller. The limiter is rate-limiter-flexible's in-memory one
 * unless options pass another (Redis for several processes). When the limiter's store fails, the
 * request goes through unlimited and the failure is logged: an outage of the counter must not
 * become an outage of the API.
 */
export function rateLimiting(gh: GatehouseContext): RateLimiting {
  const settings = gh.options.managementRateLimit;
  if (settings === false) {
    return { count: (_req, _res, next) => next(), countFailure: (err: unknown, _req, _res, next) => next(err) };
  }
  const common = { points: settings.points, duration: settings.durationSec, keyPrefix: 'gatehouse-management' };
  // With `redis`, every instance counts together (the insurance limiter stands in while Redis is down).
  const redis = gh.options.redis;
  const limiter: RateLimiterAbstract =
    settings.limiter ??
    (redis
      ? new RateLimiterRedis({ ...common, keyPrefix: `${redis.prefix}management`, storeClient: redis.client, useRedisPackage: true, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(common) })
      : new RateLimiterMemory(common));

  async function consume(req: Request, res: Response): Promise<GatehouseError | undefined> {
    (res.locals as Record<string, unknown>)[COUNTED] = true;
    let answer: RateLimiterRes;
    let exceeded = false;
    try {
      answer = await limiter.consume(bucketOf(gh, req, res));
    } catch (err) {
      if (!isLimiterAnswer(err)) {
        gh.options.logger.warn('[gatehouse] rate limiter unavailable, request not limited:', err);
        return undefined;
      }
      answer = err;
      exceeded = true;
    }
    res.set({
      'x-ratelimit-limit': String(limiter.points),
      'x-ratelimit-remaining': String(Math.max(0, answer.remainingPoints)),
      'x-ratelimit-reset': String(Math.ceil((Date.now() + answer.msBeforeNext) / 1000)),
    });
    if (!exceeded) return undefined;
    res.set('Retry-After', String(Math.max(1, Math.ceil(answer.msBeforeNext / 1000))));
    return new GatehouseError('too_many_requests');
  }

  return {
    count: (req, res, next) => {
      consume(req, res).then(next, next);
    },
    countFailure: (err: unknown, req, res, next) => {
      if ((res.locals as Record<string, unknown>)[COUNTED] === true) return next(err);
      consume(req, res).then((limited) => next(limited ?? err), next);
    },
  };
}
