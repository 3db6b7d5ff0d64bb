import assert from 'node:assert/strict';
import supertest from 'supertest';
import { adminBrowser, mintToken } from '../support/management.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const EMBED = 'http://127.0.0.1:4100';

describe('management API: CORS for Bearer tokens from allowedOrigins', function () {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await startTestApp({ allowedOrigins: [EMBED] });
    token = await mintToken(t, ['read:users', 'update:users']);
  });
  after(async () => t.close());

  it('answers an allowed origin’s preflight with 204, the Bearer headers and no credentials', async () => {
    const res = await supertest(t.app)
      .options('/api/v2/users')
      .set('Origin', EMBED)
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], EMBED);
    assert.match(res.headers['access-control-allow-methods'] as string, /PATCH/u);
    assert.equal(res.headers['access-control-allow-headers'], 'authorization, content-type');
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    assert.match(res.headers.vary as string, /Origin/u);
  });

  it('gives another origin’s preflight no CORS headers', async () => {
    const res = await supertest(t.app).options('/api/v2/users').set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'GET');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.notEqual(res.status, 204);
  });

  it('shares a Bearer answer with the allowed origin, with the rate-limit headers readable', async () => {
    const res = await supertest(t.app).get('/api/v2/users?per_page=1').set('Origin', EMBED).set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], EMBED);
    assert.match(res.headers['access-control-expose-headers'] as string, /x-ratelimit-remaining/u);
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
    const other = await supertest(t.app).get('/api/v2/users?per_page=1').set('Origin', 'http://evil.example').set('Authorization', `Bearer ${token}`);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('never shares a cookie-authenticated answer, even with an allowed origin', async () => {
    const { agent } = await adminBrowser(t);
    const res = await agent.get('/api/v2/users?per_page=1').set('Origin', EMBED);
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it('still refuses a cookie-authenticated change from the allowed origin without the CSRF token', async () => {
    const { agent, user } = await adminBrowser(t);
    const res = await agent.patch(`/api/v2/users/${encodeURIComponent(user.user_id)}`).set('Origin', EMBED).send({ name: 'Changed cross-origin' });
    assert.equal(res.status, 403);
    assert.notEqual((await t.storage.getUser(user.user_id))?.name, 'Changed cross-origin');
  });
});
