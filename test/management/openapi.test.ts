import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_ROLE, ERROR_CATALOG } from '@gatehouse/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import supertest from 'supertest';
import { adminBrowser, mintToken, userPath } from '../support/management.js';
import { openApiCheck, type OpenApiCheck } from '../support/openapi-check.js';
import { startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

type Json = Record<string, unknown>;
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  match(path: string): boolean;
}

/** `METHOD /path/{param}` for every route in an Express router, nested routers included. */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/gu, '{$1}');
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${path}`);
    }
    return layer.handle.stack ? routesOf(layer.handle.stack) : [];
  });
}

/**
 * The OpenAPI 3.1 document at /api/v2/openapi.json: itself valid, in step with the mounted
 * routes, and true of real answers: every documented operation is called over HTTP (success and
 * its main errors) and each response is checked against the document with ajv.
 */
describe('management API: the OpenAPI document', function () {
  let t: TestApp;
  let doc: Json;
  let openapi: OpenApiCheck;
  let token: string;
  let weakToken: string;
  let jobsDirectory: string;

  before(async () => {
    jobsDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
    t = await startTestApp({ jobsDirectory });
    token = await mintToken(t);
    weakToken = await mintToken(t, ['read:logs']);
    doc = (await supertest(t.app).get('/api/v2/openapi.json').expect(200)).body as Json;
    openapi = openApiCheck(doc);
  });
  after(async () => {
    await t.close();
    rmSync(jobsDirectory, { recursive: true, force: true });
  });

  /** Calls `method url` as `caller`, asserts the status, and checks the answer against `template`'s operation. */
  async function call(method: Method, template: string, url: string, status: number, options: { body?: unknown; as?: string | null } = {}) {
    let req = supertest(t.app)[method](`/api/v2${url}`);
    const as = options.as === undefined ? token : options.as;
    if (as !== null) req = req.set('Authorization', `Bearer ${as}`);
    const res = options.body === undefined ? await req : await req.send(options.body as object);
    assert.equal(res.status, status, `${method.toUpperCase()} ${url}: ${JSON.stringify(res.body)}`);
    openapi.check(method, template, res);
    return res;
  }

  async function newUser(): Promise<string> {
    const res = await call('post', '/users', '/users', 201, { body: { connection: 'Username-Password-Authentication', email: uniqueEmail('oas'), password: STRONG_PASSWORD } });
    return (res.body as { user_id: string }).user_id;
  }

  it('is a valid OpenAPI 3.1 document whose schemas all compile as JSON Schema 2020-12', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
    const schemas = (doc.components as { schemas: Json }).schemas;
    // Kept at #/components/schemas, where the document's own $refs point.
    ajv.addVocabulary(['components']);
    ajv.addSchema({ $id: 'https://gatehouse.invalid/doc', components: { schemas } });
    for (const name of Object.keys(schemas)) {
      assert.doesNotThrow(() => ajv.compile({ $ref: `https://gatehouse.invalid/doc#/components/schemas/${name}` }), name);
    }
  });

  it('lists every error code of the catalog, and only those, in the Error schema', () => {
    const errorCode = ((doc.components as { schemas: { Error: { properties: { errorCode: { enum: string[] } } } } }).schemas.Error.properties.errorCode.enum);
    assert.deepEqual([...errorCode].sort(), Object.keys(ERROR_CATALOG).sort());
  });

  it('documents every route mounted under /api/v2, and only those', () => {
    const management = (t.auth.stack as unknown as Layer[]).find((l) => l.handle.stack && l.match('/api/v2/openapi.json'));
    assert.ok(management, 'the management router is mounted');
    const mounted = new Set(routesOf(management.handle.stack!));
    const documented = new Set(Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)));
    assert.deepEqual([...mounted].filter((r) => !documented.has(r)), [], 'mounted but undocumented');
    assert.deepEqual([...documented].filter((r) => !mounted.has(r)), [], 'documented but not mounted');
  });

  it('is served without credentials, cacheable for five minutes, with the rate-limit headers', async () => {
    const res = await supertest(t.app).get('/api/v2/openapi.json').expect(200);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    assert.equal(res.body.openapi, '3.1.0');
    openapi.check('get', '/openapi.json', res);
  });

  it('names the scopes of each operation for both a token and a session, CSRF for a session\'s changes', () => {
    const patch = (doc.paths as Record<string, Record<string, { security: Json[] }>>)['/users/{id}']!.patch!;
    assert.deepEqual(patch.security, [
      { bearerAuth: ['update:users'] },
      { sessionCookie: ['update:users'], csrfToken: [] },
      { bearerAuth: ['update:users_app_metadata'] },
      { sessionCookie: ['update:users_app_metadata'], csrfToken: [] },
    ]);
    const schemes = (doc.components as { securitySchemes: Json }).securitySchemes;
    assert.deepEqual(Object.keys(schemes).sort(), ['bearerAuth', 'csrfToken', 'sessionCookie']);
  });

  it('fails a response whose status is undocumented or whose body does not match', async () => {
    const res = await call('get', '/roles/{id}', `/roles/${ADMIN_ROLE.id}`, 200);
    assert.throws(() => openapi.check('get', '/roles/{id}', { ...res, status: 418 }), /status not documented/u);
    assert.throws(() => openapi.check('get', '/roles/{id}', { ...res, body: { ...res.body, id: 7 } }), /must be string/u);
    assert.throws(() => openapi.check('get', '/roles/{id}', { ...res, body: { ...res.body, extra: true } }), /additional properties/u);
    assert.throws(() => openapi.check('get', '/roles/{id}', { ...res, headers: { ...res.headers, 'x-ratelimit-remaining': undefined } }), /x-ratelimit-remaining missing/u);
    assert.throws(() => openapi.check('put', '/roles/{id}', res), /not in the OpenAPI document/u);
  });

  describe('responses match the document', () => {
    it('users: create, list, search, get, update, by email', async () => {
      const id = await newUser();
      const email = (await t.storage.getUser(id))!.email!;
      await call('post', '/users', '/users', 409, { body: { connection: 'Username-Password-Authentication', email, password: STRONG_PASSWORD } });
      await call('post', '/users', '/users', 400, { body: { email: uniqueEmail() } });
      await call('post', '/users', '/users', 401, { body: {}, as: 'gh_not-a-token' });
      await call('post', '/users', '/users', 403, { body: {}, as: weakToken });

      await call('get', '/users', '/users?per_page=2', 200);
      await call('get', '/users', `/users?q=${encodeURIComponent(`email:"${email}"`)}&search_engine=v3&include_totals=true`, 200);
      await call('get', '/users', '/users?take=2&from=', 200);
      await call('get', '/users', '/users?fields=user_id,email', 200);
      await call('get', '/users', `/users?q=${encodeURIComponent('(name:a')}`, 400);
      await call('get', '/users', '/users', 401, { as: null });

      await call('get', '/users/{id}', userPath(id), 200);
      await call('get', '/users/{id}', `${userPath(id)}?fields=email&include_fields=false`, 200);
      await call('get', '/users/{id}', userPath('auth0|000000000000000000000000'), 404);
      await call('patch', '/users/{id}', userPath(id), 200, { body: { name: 'Open API', user_metadata: { a: 1 }, app_metadata: { b: [true] } } });
      await call('patch', '/users/{id}', userPath(id), 400, { body: { password: 'another strong passphrase', email: uniqueEmail() } });
      await call('patch', '/users/{id}', userPath('auth0|000000000000000000000000'), 404, { body: { name: 'x' } });
      await call('patch', '/users/{id}', userPath(id), 403, { body: { name: 'x' }, as: weakToken });

      await call('get', '/users-by-email', `/users-by-email?email=${encodeURIComponent(email)}`, 200);
      await call('get', '/users-by-email', '/users-by-email?email=not-an-email', 400);
    });

    it('a user\'s roles, permissions and logs', async () => {
      const id = await newUser();
      const role = (await call('post', '/roles', '/roles', 200, { body: { name: `oas-${Date.now()}`, description: 'OpenAPI' } })).body as { id: string };
      await call('post', '/users/{id}/roles', userPath(id, '/roles'), 204, { body: { roles: [role.id] } });
      await call('post', '/users/{id}/roles', userPath(id, '/roles'), 404, { body: { roles: ['rol_missing'] } });
      await call('post', '/users/{id}/roles', userPath(id, '/roles'), 400, { body: { roles: [] } });
      await call('get', '/users/{id}/roles', userPath(id, '/roles'), 200);
      await call('get', '/users/{id}/roles', userPath(id, '/roles?include_totals=true'), 200);
      await call('get', '/users/{id}/roles', userPath('auth0|000000000000000000000000', '/roles'), 404);
      await call('delete', '/users/{id}/roles', userPath(id, '/roles'), 204, { body: { roles: [role.id] } });

      const permissions = [{ resource_server_identifier: 'https://api.example.com/', permission_name: 'read:things' }];
      await call('post', '/users/{id}/permissions', userPath(id, '/permissions'), 201, { body: { permissions } });
      await call('post', '/users/{id}/permissions', userPath('auth0|000000000000000000000000', '/permissions'), 404, { body: { permissions } });
      await call('get', '/users/{id}/permissions', userPath(id, '/permissions'), 200);
      await call('get', '/users/{id}/permissions', userPath(id, '/permissions?include_totals=true&per_page=1'), 200);
      await call('get', '/users/{id}/permissions', userPath('auth0|000000000000000000000000', '/permissions'), 404);
      await call('delete', '/users/{id}/permissions', userPath(id, '/permissions'), 204, { body: { permissions } });
      await call('delete', '/users/{id}/permissions', userPath(id, '/permissions'), 400, { body: { permissions: 'all' } });

      await call('get', '/users/{id}/logs', userPath(id, '/logs'), 200);
      await call('get', '/users/{id}/logs', userPath(id, '/logs?include_totals=true'), 200);
      await call('get', '/users/{id}/logs', userPath(id, '/logs?sort=date:1'), 400);
      await call('get', '/users/{id}/logs', userPath(id, '/logs'), 403, { as: await mintToken(t, ['read:users']) });

      const page = await call('get', '/logs', `/logs?include_totals=true&per_page=2&q=${encodeURIComponent(`user_id:"${id}"`)}`, 200);
      await call('get', '/logs', '/logs?take=2&from=', 200);
      await call('get', '/logs', '/logs?sort=date:1&fields=log_id,type', 200);
      await call('get', '/logs', `/logs?q=${encodeURIComponent('type:(s')}`, 400);
      await call('get', '/logs/{id}', `/logs/${(page.body as { logs: { log_id: string }[] }).logs[0]!.log_id}`, 200);
      await call('get', '/logs/{id}', '/logs/log_missing', 404);
      await call('get', '/users/{id}/export', userPath(id, '/export'), 200);
      await call('get', '/users/{id}/export', userPath('auth0|000000000000000000000000', '/export'), 404);
      await call('post', '/users', '/users', 400, { body: { connection: 'Username-Password-Authentication', email: uniqueEmail('oas'), password: 'qwertyuiop123' } });
    });

    it('roles, their permissions and their users', async () => {
      const name = `oas-role-${Date.now()}`;
      const role = (await call('post', '/roles', '/roles', 200, { body: { name } })).body as { id: string };
      await call('post', '/roles', '/roles', 409, { body: { name } });
      await call('post', '/roles', '/roles', 400, { body: { description: 'no name' } });
      await call('get', '/roles', '/roles', 200);
      await call('get', '/roles', `/roles?include_totals=true&name_filter=${name}`, 200);
      await call('get', '/roles/{id}', `/roles/${role.id}`, 200);
      await call('get', '/roles/{id}', '/roles/rol_missing', 404);
      await call('patch', '/roles/{id}', `/roles/${role.id}`, 200, { body: { description: 'Changed' } });
      await call('patch', '/roles/{id}', '/roles/rol_missing', 404, { body: { description: 'Changed' } });

      const permissions = [{ resource_server_identifier: 'https://api.example.com/', permission_name: 'write:things' }];
      await call('post', '/roles/{id}/permissions', `/roles/${role.id}/permissions`, 201, { body: { permissions } });
      await call('post', '/roles/{id}/permissions', '/roles/rol_missing/permissions', 404, { body: { permissions } });
      await call('get', '/roles/{id}/permissions', `/roles/${role.id}/permissions`, 200);
      await call('get', '/roles/{id}/permissions', `/roles/${role.id}/permissions?include_totals=true`, 200);
      await call('get', '/roles/{id}/permissions', '/roles/rol_missing/permissions', 404);
      await call('delete', '/roles/{id}/permissions', `/roles/${role.id}/permissions`, 204, { body: { permissions } });
      await call('delete', '/roles/{id}/permissions', `/roles/${ADMIN_ROLE.id}/permissions`, 409, { body: { permissions } });

      const id = await newUser();
      await call('post', '/roles/{id}/users', `/roles/${role.id}/users`, 200, { body: { users: [id] } });
      await call('post', '/roles/{id}/users', `/roles/${role.id}/users`, 404, { body: { users: ['auth0|000000000000000000000000'] } });
      await call('get', '/roles/{id}/users', `/roles/${role.id}/users`, 200);
      await call('get', '/roles/{id}/users', `/roles/${role.id}/users?include_totals=true`, 200);
      await call('get', '/roles/{id}/users', '/roles/rol_missing/users', 404);

      await call('delete', '/roles/{id}', `/roles/${ADMIN_ROLE.id}`, 409);
      await call('delete', '/roles/{id}', `/roles/${role.id}`, 204);
      await call('delete', '/roles/{id}', `/roles/${role.id}`, 404);
    });

    it('tickets and deleting users', async () => {
      const id = await newUser();
      await call('post', '/tickets/password-change', '/tickets/password-change', 201, { body: { user_id: id, ttl_sec: 600 } });
      await call('post', '/tickets/password-change', '/tickets/password-change', 404, { body: { email: uniqueEmail('nobody') } });
      await call('post', '/tickets/password-change', '/tickets/password-change', 400, { body: {} });
      await call('delete', '/users/{id}', userPath(id), 403, { as: weakToken });
      await call('delete', '/users/{id}', userPath(id), 204);
      await call('delete', '/users/{id}', userPath(id), 404);
    });

    it('linking and unlinking identities', async () => {
      const primary = await newUser();
      const secondary = await newUser();
      const secondaryId = secondary.slice(secondary.indexOf('|') + 1);
      await call('post', '/users/{id}/identities', userPath(primary, '/identities'), 201, { body: { provider: 'auth0', user_id: secondaryId } });
      await call('post', '/users/{id}/identities', userPath(primary, '/identities'), 400, { body: { link_with: 'eyJ.x.y' } });
      await call('post', '/users/{id}/identities', userPath('auth0|000000000000000000000000', '/identities'), 404, { body: { provider: 'auth0', user_id: secondaryId } });
      await call('delete', '/users/{id}/identities/{provider}/{user_id}', userPath(primary, `/identities/auth0/${secondaryId}`), 200);
      await call('delete', '/users/{id}/identities/{provider}/{user_id}', userPath(primary, `/identities/auth0/${secondaryId}`), 404);
    });

    it('jobs: import, export, progress, refused records and the exported file', async () => {
      const auth = { Authorization: `Bearer ${token}` };
      const upload = await supertest(t.app).post('/api/v2/jobs/users-imports').set(auth)
        .attach('users', Buffer.from(JSON.stringify([{ email: uniqueEmail('oas-import') }, { email: 'not an email' }])), 'users.json')
        .field('connection_id', 'Username-Password-Authentication');
      assert.equal(upload.status, 201, JSON.stringify(upload.body));
      openapi.check('post', '/jobs/users-imports', upload);
      const noFile = await supertest(t.app).post('/api/v2/jobs/users-imports').set(auth).field('connection_id', 'Username-Password-Authentication');
      assert.equal(noFile.status, 400);
      openapi.check('post', '/jobs/users-imports', noFile);

      const finished = async (id: string) => {
        for (let i = 0; i < 600; i++) {
          const res = await call('get', '/jobs/{id}', `/jobs/${id}`, 200);
          if (res.body.status === 'completed' || res.body.status === 'failed') return res.body as Json;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`job ${id} did not finish`);
      };
      const imported = await finished(upload.body.id as string);
      assert.equal(imported.status, 'completed', JSON.stringify(imported));
      const errors = await call('get', '/jobs/{id}/errors', `/jobs/${upload.body.id as string}/errors`, 200);
      assert.equal(errors.body.length, 1);
      await call('get', '/jobs/{id}', '/jobs/job_0000000000000000', 404);
      await call('get', '/jobs/{id}/errors', '/jobs/job_0000000000000000/errors', 404);
      await call('get', '/jobs/{id}/file', `/jobs/${upload.body.id as string}/file`, 404);

      const exported = await call('post', '/jobs/users-exports', '/jobs/users-exports', 201, { body: { format: 'csv', limit: 5, fields: [{ name: 'email' }, { name: 'user_id', export_as: 'id' }] } });
      await call('post', '/jobs/users-exports', '/jobs/users-exports', 400, { body: { format: 'xml' } });
      const done = await finished(exported.body.id as string);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      const fileRes = await call('get', '/jobs/{id}/file', new URL(done.location as string).pathname.replace(/^\/api\/v2/u, ''), 200);
      assert.match(fileRes.text, /^email,id/u);
    });

    it('user blocks: by identifier and by user id', async () => {
      const id = await newUser();
      const user = (await t.storage.getUser(id))!;
      const now = new Date();
      await t.storage.createLoginBlock({ id: `blk_oas${Date.now()}`, identifier: user.email!, ip: '203.0.113.9', connection: 'Username-Password-Authentication', user_id: id, created_at: now, expires_at: new Date(now.getTime() + 60_000) });
      const byIdentifier = await call('get', '/user-blocks', `/user-blocks?identifier=${encodeURIComponent(user.email!)}`, 200);
      assert.equal((byIdentifier.body as { blocked_for: unknown[] }).blocked_for.length, 1);
      await call('get', '/user-blocks', '/user-blocks', 400);
      await call('get', '/user-blocks/{id}', userPath(id).replace('/users/', '/user-blocks/'), 200);
      await call('get', '/user-blocks/{id}', '/user-blocks/auth0%7C000000000000000000000000', 404);
      await call('delete', '/user-blocks/{id}', userPath(id).replace('/users/', '/user-blocks/'), 403, { as: weakToken });
      await call('delete', '/user-blocks/{id}', userPath(id).replace('/users/', '/user-blocks/'), 204);
      await call('delete', '/user-blocks', `/user-blocks?identifier=${encodeURIComponent(user.email!)}`, 204);
      const none = await call('get', '/user-blocks', `/user-blocks?identifier=${encodeURIComponent(user.email!)}`, 200);
      assert.deepEqual(none.body, { blocked_for: [] });
    });

    it('applications: clients, allow-lists, grants and signing keys', async () => {
      const created = await call('post', '/clients', '/clients', 201, { body: { name: 'OpenAPI app', callbacks: ['https://*.example.com/cb'] } });
      const id = (created.body as { client_id: string }).client_id;
      await call('post', '/clients', '/clients', 400, { body: { name: 'x', callbacks: ['https://a.*.example.com/cb'] } });
      await call('post', '/clients', '/clients', 403, { body: { name: 'x' }, as: weakToken });
      await call('get', '/clients', '/clients', 200);
      await call('get', '/clients', '/clients?include_totals=true&per_page=1', 200);
      await call('get', '/clients/{id}', `/clients/${id}`, 200);
      await call('get', '/clients/{id}', '/clients/missing', 404);
      await call('patch', '/clients/{id}', `/clients/${id}`, 200, { body: { access_policy: 'allow_list' } });
      await call('patch', '/clients/{id}', '/clients/missing', 404, { body: { name: 'x' } });
      await call('post', '/clients/{id}/rotate-secret', `/clients/${id}/rotate-secret`, 200, { body: {} });
      await call('post', '/clients/{id}/rotate-secret', '/clients/missing/rotate-secret', 404, { body: {} });

      const user = await newUser();
      await call('post', '/users/{id}/clients', userPath(user, '/clients'), 204, { body: { clients: [id] } });
      await call('post', '/users/{id}/clients', userPath(user, '/clients'), 404, { body: { clients: ['missing'] } });
      await call('get', '/users/{id}/clients', userPath(user, '/clients'), 200);
      await call('delete', '/users/{id}/clients', userPath(user, '/clients'), 204, { body: { clients: [id] } });
      await call('get', '/grants', `/grants?user_id=${encodeURIComponent(user)}`, 200);
      await t.storage.saveApplicationGrant({ id: `cgr_oas${Date.now()}`, user_id: user, client_id: id, scope: ['openid'], claims: [], resource_scopes: {}, oidc_grant_id: null, created_at: new Date(), updated_at: new Date() });
      const grants = await call('get', '/grants', `/grants?client_id=${id}`, 200);
      await call('delete', '/grants/{id}', `/grants/${(grants.body as Array<{ id: string }>)[0]!.id}`, 204);
      await call('delete', '/grants/{id}', '/grants/cgr_missing', 404);

      const rotated = await call('post', '/keys/signing/rotate', '/keys/signing/rotate', 201, { body: {} });
      const keys = await call('get', '/keys/signing', '/keys/signing', 200);
      const previous = (keys.body as Array<{ kid: string; current: boolean; revoked: boolean }>).find((k) => !k.current && !k.revoked);
      await call('put', '/keys/signing/{kid}/revoke', `/keys/signing/${(rotated.body as { kid: string }).kid}/revoke`, 409, { body: {} });
      if (previous) await call('put', '/keys/signing/{kid}/revoke', `/keys/signing/${previous.kid}/revoke`, 200, { body: {} });
      else {
        await call('post', '/keys/signing/rotate', '/keys/signing/rotate', 201, { body: {} });
        await call('put', '/keys/signing/{kid}/revoke', `/keys/signing/${(rotated.body as { kid: string }).kid}/revoke`, 200, { body: {} });
      }
      await call('put', '/keys/signing/{kid}/revoke', '/keys/signing/missing/revoke', 404, { body: {} });
      await call('delete', '/clients/{id}', `/clients/${id}`, 204);
      await call('delete', '/clients/{id}', `/clients/${id}`, 404);
    });

    it('a session caller\'s change without the CSRF token is a documented 403', async () => {
      const { agent, user } = await adminBrowser(t);
      const res = await agent.patch(`/api/v2${userPath(user)}`).send({ name: 'no csrf' });
      assert.equal(res.status, 403);
      openapi.check('patch', '/users/{id}', res);
      const ok = await agent.get(`/api/v2${userPath(user)}`).expect(200);
      openapi.check('get', '/users/{id}', ok);
    });

    it('impersonation: a session only (a token is a documented 403)', async () => {
      const target = await newUser();
      await call('post', '/users/{id}/impersonate', userPath(target, '/impersonate'), 403, { body: {} });
      const { agent } = await adminBrowser(t);
      const csrf = await agent.csrf();
      await agent.get('/auth/me').expect(200);
      const missing = await agent.post(`/api/v2${userPath('auth0|000000000000000000000000', '/impersonate')}`).set('x-csrf-token', csrf).send({});
      assert.equal(missing.status, 404);
      openapi.check('post', '/users/{id}/impersonate', missing);
      const res = await agent.post(`/api/v2${userPath(target, '/impersonate')}`).set('x-csrf-token', csrf).send({});
      assert.equal(res.status, 200, JSON.stringify(res.body));
      openapi.check('post', '/users/{id}/impersonate', res);
    });

    it('called every documented operation with its success status', () => {
      const paths = doc.paths as Record<string, Record<string, { responses: Json }>>;
      const missing = Object.entries(paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method, op]) => !Object.keys(op.responses).some((s) => s.startsWith('2') && openapi.seen.has(`${method.toUpperCase()} ${path} ${s}`)))
          .map(([method]) => `${method.toUpperCase()} ${path}`));
      assert.deepEqual(missing, []);
    });
  });
});

