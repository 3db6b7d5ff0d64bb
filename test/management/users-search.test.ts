import assert from 'node:assert/strict';
import { api, mintToken } from '../support/management.js';
import { startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

/**
 * GET /api/v2/users over HTTP: Auth0's parameters and shapes, the v3 syntax, errors as 400
 * invalid_query with a position, and (beyond Auth0) keyset paging past any cap. Every query is
 * ANDed with this run's tag, so a shared database's other users never show up.
 */
describe('management API: GET /users (search)', function () {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  const tag = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const ids: Record<string, string> = {};

  before(async () => {
    t = await startTestApp();
    client = api(t, await mintToken(t));
    const people: Array<[string, string, Record<string, unknown>]> = [
      ['ada', 'Ada Lovelace', { plan: 'gold', age: 36 }],
      ['alan', 'Alan Turing', { plan: 'silver', age: 41 }],
      ['grace', 'Grace Hopper', { plan: 'gold', age: 85 }],
    ];
    for (const [key, name, user_metadata] of people) {
      const user = await t.auth.gatehouse.users.createUser({
        email: `${key}.${tag}@example.com`, password: STRONG_PASSWORD, name, user_metadata, app_metadata: { tag },
      });
      ids[key] = user.user_id;
    }
    for (let i = 0; i < 7; i++) {
      await t.auth.gatehouse.users.createUser({ email: `bulk${i}.${tag}@example.org`, password: STRONG_PASSWORD, app_metadata: { tag, bulk: true } });
    }
  });
  after(async () => t.close());

  const q = (query: string) => encodeURIComponent(`(${query}) AND app_metadata.tag:"${tag}"`);

  it('searches with the v3 syntax and answers a bare array by default', async () => {
    const res = await client.get(`/users?q=${q('user_metadata.plan:"gold" AND name:a*')}&search_engine=v3`).expect(200);
    assert.ok(Array.isArray(res.body));
    assert.deepEqual(res.body.map((u: { user_id: string }) => u.user_id), [ids.ada]);
    assert.equal(res.body[0].email, `ada.${tag}@example.com`);
  });

  it('answers {start, limit, length, total, users} with include_totals, sorted and paged', async () => {
    const res = await client.get(`/users?q=${q('email.domain:"example.com"')}&include_totals=true&sort=name:-1&per_page=2&page=0`).expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['length', 'limit', 'start', 'total', 'users']);
    assert.equal(res.body.total, 3);
    assert.equal(res.body.start, 0);
    assert.equal(res.body.limit, 2);
    assert.equal(res.body.length, 2);
    assert.deepEqual(res.body.users.map((u: { user_id: string }) => u.user_id), [ids.grace, ids.alan]);
    const past = await client.get(`/users?q=${q('email.domain:"example.com"')}&include_totals=true&page=5`).expect(200);
    assert.deepEqual(past.body.users, [], 'past the end: an empty page, so SDK auto-pagination stops');
  });

  it('keeps or drops fields with fields/include_fields', async () => {
    const only = await client.get(`/users?q=${q('name:"ada lovelace"')}&fields=user_id,email`).expect(200);
    assert.deepEqual(Object.keys(only.body[0]).sort(), ['email', 'user_id']);
    const without = await client.get(`/users?q=${q('name:"ada lovelace"')}&fields=identities&include_fields=false`).expect(200);
    assert.equal(without.body[0].identities, undefined);
    assert.equal(without.body[0].user_id, ids.ada);
  });

  it('walks all matches with from/take keyset cursors', async () => {
    const seen: string[] = [];
    let from = '';
    for (let i = 0; i < 10; i++) {
      const res = await client.get(`/users?q=${q('app_metadata.bulk:true')}&take=3&from=${encodeURIComponent(from)}&sort=created_at:1`).expect(200);
      seen.push(...res.body.users.map((u: { user_id: string }) => u.user_id));
      if (!res.body.next) break;
      from = res.body.next;
    }
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
  });

  for (const [label, query, position] of [
    ['an unknown field', 'foo:bar', /Unknown field "foo" at position 0/u],
    ['SQL injection', "email:x' OR 1=1 --", /position/u],
    ['a JSON-path injection', 'user_metadata.$where:1', /\$/u],
    ['a prototype key', 'app_metadata.__proto__.x:1', /__proto__/u],
    ['an unbalanced parenthesis', '(name:a', /position/u],
  ] as const) {
    it(`answers 400 invalid_query (never a 500) for ${label}`, async () => {
      const res = await client.get(`/users?q=${encodeURIComponent(query)}`);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.errorCode, 'invalid_query');
      assert.match(res.body.message, position);
    });
  }

  it('refuses other search engines, a bad sort, per_page over 100 and a foreign cursor', async () => {
    for (const [query, field] of [
      ['search_engine=v2&q=name:x', 'search_engine'],
      ['sort=name', 'sort'],
      ['per_page=101', 'per_page'],
      ['from=bm90LWEtY3Vyc29y&take=2', 'from'],
      ['take=0', 'take'],
    ]) {
      const res = await client.get(`/users?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.errorCode, 'invalid_query_string', query);
      assert.equal(res.body.field, field, query);
    }
  });

  it('needs read:users', async () => {
    const weak = api(t, await mintToken(t, ['read:logs']));
    const res = await weak.get('/users').expect(403);
    assert.equal(res.body.errorCode, 'insufficient_scope');
  });

  it('sees a change made a moment ago', async () => {
    await client.patch(`/users/${encodeURIComponent(ids.alan!)}`).send({ user_metadata: { plan: 'gold' } }).expect(200);
    const res = await client.get(`/users?q=${q('user_metadata.plan:gold')}&sort=name:1`).expect(200);
    assert.deepEqual(res.body.map((u: { user_id: string }) => u.user_id), [ids.ada, ids.alan, ids.grace]);
  });
});
