import assert from 'node:assert/strict';
import { identity } from '@gatehouse/express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import supertest from 'supertest';
import { createVerifiedUser } from '../support/accounts.js';
import { adminBrowser, api, mintToken, snapshot, userPath } from '../support/management.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const numberHeader = (res: { headers: Record<string, unknown> }, name: string) => Number(res.headers[name]);

/**
 * Auth0's x-ratelimit-* headers and 429 on /api/v2, per caller: each API token and each signed-in
 * user has a budget of its own; requests without a valid credential share their IP's.
 */
describe('management API: rate limits', function () {
  describe('with 3 requests a minute', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ managementApi: { rateLimit: { points: 3, durationSec: 60 } } });
    });
    after(async () => t.close());

    it('counts down in x-ratelimit-remaining, then answers 429 with Retry-After and changes nothing', async () => {
      const user = await createVerifiedUser(t);
      const client = api(t, await mintToken(t));
      const before = Math.floor(Date.now() / 1000);
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await client.get(userPath(user)).expect(200);
        assert.equal(res.headers['x-ratelimit-limit'], '3');
        remaining.push(numberHeader(res, 'x-ratelimit-remaining'));
        const reset = numberHeader(res, 'x-ratelimit-reset');
        assert.ok(reset >= before + 59 && reset <= before + 62, `reset ${reset} is about a minute away (epoch seconds)`);
      }
      assert.deepEqual(remaining, [2, 1, 0]);

      const stored = await snapshot(t, user.user_id);
      const limited = await client.patch(userPath(user)).send({ blocked: true, name: 'Should not happen' });
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body, {
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Too many requests. Try again later.',
        errorCode: 'too_many_requests',
      });
      const retryAfter = numberHeader(limited, 'retry-after');
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(limited.headers['x-ratelimit-remaining'], '0');
      assert.deepEqual(await snapshot(t, user.user_id), stored);
    });

    it('gives another token a budget of its own', async () => {
      const spent = api(t, await mintToken(t));
      for (let i = 0; i < 3; i++) await spent.get('/roles').expect(200);
      await spent.get('/roles').expect(429);
      const fresh = await api(t, await mintToken(t)).get('/roles').expect(200);
      assert.equal(fresh.headers['x-ratelimit-remaining'], '2');
    });

    it('gives a signed-in user a budget of their own, apart from tokens and their IP', async () => {
      const { agent, user } = await adminBrowser(t);
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) remaining.push((await agent.get(`/api/v2${userPath(user)}`).expect(200)).headers['x-ratelimit-remaining'] as string);
      assert.deepEqual(remaining, ['2', '1', '0']);
      await agent.get(`/api/v2${userPath(user)}`).expect(429);
      await api(t, await mintToken(t)).get(userPath(user)).expect(200);
    });

    it('counts requests without a valid credential against their IP, and 401s carry the headers too', async () => {
      const anonymous = supertest(t.app);
      const first = await anonymous.get('/api/v2/users').expect(401);
      assert.equal(first.headers['x-ratelimit-limit'], '3');
      assert.equal(first.headers['x-ratelimit-remaining'], '2');
      await anonymous.get('/api/v2/users').set('Authorization', 'Bearer gh_guessed-1').expect(401);
      // The public document shares the IP's budget.
      await anonymous.get('/api/v2/openapi.json').expect(200);
      const limited = await anonymous.get('/api/v2/users').set('Authorization', 'Bearer gh_guessed-2').expect(429);
      assert.equal(limited.body.errorCode, 'too_many_requests');
      assert.ok(numberHeader(limited, 'retry-after') >= 1);
    });
  });

  it('sends 1,000 a minute by default', async () => {
    const t = await startTestApp();
    try {
      const res = await api(t, await mintToken(t)).get('/roles').expect(200);
      assert.equal(res.headers['x-ratelimit-limit'], '1000');
      assert.equal(res.headers['x-ratelimit-remaining'], '999');
    } finally {
      await t.close();
    }
  });

  it('takes another limiter (e.g. a Redis one) in place of the in-memory counter', async () => {
    const limiter = new RateLimiterMemory({ points: 2, duration: 10 });
    const t = await startTestApp({ managementApi: { rateLimit: { limiter } } });
    try {
      const client = api(t, await mintToken(t));
      const res = await client.get('/roles').expect(200);
      assert.equal(res.headers['x-ratelimit-limit'], '2');
      await client.get('/roles').expect(200);
      await client.get('/roles').expect(429);
    } finally {
      await t.close();
    }
  });

  it('lets requests through unlimited, and logged, when the limiter\'s store fails', async () => {
    const limiter = new RateLimiterMemory({ points: 1, duration: 10 });
    limiter.consume = () => Promise.reject(new Error('store down'));
    const warnings: unknown[] = [];
    const t = await startTestApp({
      managementApi: { rateLimit: { limiter } },
      logger: { info: () => undefined, error: () => undefined, warn: (...args: unknown[]) => warnings.push(args) },
    });
    try {
      const client = api(t, await mintToken(t));
      await client.get('/roles').expect(200);
      const res = await client.get('/roles').expect(200);
      assert.equal(res.headers['x-ratelimit-limit'], undefined);
      assert.equal(warnings.length, 2);
    } finally {
      await t.close();
    }
  });

  it('can be turned off, and still mounts the API with managementApi: { rateLimit: false }', async () => {
    const t = await startTestApp({ managementApi: { rateLimit: false } });
    try {
      const res = await api(t, await mintToken(t)).get('/roles').expect(200);
      assert.equal(res.headers['x-ratelimit-limit'], undefined);
    } finally {
      await t.close();
    }
  });

  it('keeps managementApi: false meaning no Management API at all', async () => {
    const t = await startTestApp({ managementApi: false });
    try {
      const res = await supertest(t.app).get('/api/v2/openapi.json');
      assert.equal(res.status, 404);
      assert.equal(res.headers['x-ratelimit-limit'], undefined);
    } finally {
      await t.close();
    }
  });

  it('refuses bad settings at construction', () => {
    const base = { database: 'sqlite::memory:', secret: 'x'.repeat(32), baseUrl: 'http://localhost', logger: { info: () => undefined, warn: () => undefined, error: () => undefined } };
    for (const rateLimit of [{ points: 0 }, { durationSec: 1.5 }, { points: '10' }, 'fast', { limiter: {} }, { limiter: new RateLimiterMemory({ points: 1, duration: 1 }), points: 5 }]) {
      assert.throws(() => identity({ ...base, managementApi: { rateLimit } as never }), TypeError, JSON.stringify(rateLimit));
    }
  });
});
