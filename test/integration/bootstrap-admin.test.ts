import assert from 'node:assert/strict';
import { identity, requirePermission } from '@gatehouse/express';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import express from 'express';
import supertest from 'supertest';
import { browser, uniqueEmail } from '../support/test-app.js';
import { freshTestDatabaseUrl, removeTestDatabase } from '../support/test-database.js';

describe('first start: the administrator account', function () {
  it('creates the admin once, prints a one-time set-password link, and the admin passes requirePermission', async () => {
    // An empty database of its own: this is the first start.
    const url = await freshTestDatabaseUrl();
    const storage = createSequelizeStorage({ url });
    const email = uniqueEmail('admin');
    const lines: string[] = [];
    const logger = { info: (t: string) => lines.push(t), warn() {}, error() {} };
    const start = () => {
      const app = express();
      const auth = identity({ database: storage, baseUrl: 'http://127.0.0.1', secret: 'x'.repeat(40), bootstrapAdmin: { email }, logger, mail: { transport: 'console' } });
      app.use(auth);
      app.get('/admin', requirePermission('read:users', 'delete:users'), (_req, res) => res.send('admin area'));
      return { app, auth };
    };
    try {
      const { app, auth } = start();
      await auth.ready;
      const printed = lines.join('\n');
      assert.match(printed, new RegExp(`Administrator ${email.replace(/[.]/gu, '\\.')} created`, 'u'));
      const match = /http:\/\/127\.0\.0\.1\/auth\/password\/reset\?token=([A-Za-z0-9_-]+)/u.exec(printed);
      assert.ok(match, printed);

      // A second start prints nothing more.
      const second = start();
      await second.auth.ready;
      assert.equal(lines.filter((l) => l.includes('password/reset')).length, 1);
      await second.auth.close();

      const agent = browser(app);
      await agent.post('/auth/password/reset').type('form').send({ _csrf: await agent.csrf(), token: match[1], password: 'the admin passphrase' }).expect(200);
      const admin = await storage.findUserByEmail('Username-Password-Authentication', email);
      assert.equal(admin?.email_verified, true, 'following the emailed link proves the address');
      await agent.post('/auth/login').type('form').send({ _csrf: await agent.csrf(), username: email, password: 'the admin passphrase' }).expect(303);
      assert.equal((await agent.get('/admin').expect(200)).text, 'admin area');

      // An ordinary user is refused with 403; an anonymous API call with 401.
      await auth.gatehouse.users.createUser({ email: uniqueEmail('plain'), password: 'plain user password', email_verified: true }).then(async (u) => {
        const plain = browser(app);
        await plain.post('/auth/login').type('form').send({ _csrf: await plain.csrf(), username: u.email, password: 'plain user password' }).expect(303);
        const res = await plain.get('/admin').set('Accept', 'application/json').expect(403);
        assert.equal(res.body.errorCode, 'insufficient_scope');
      });
      const anon = await supertest(app).get('/admin').set('Accept', 'application/json').expect(401);
      assert.equal(anon.body.errorCode, 'login_required');
      await auth.close();
    } finally {
      await storage.close();
      await removeTestDatabase(url);
    }
  });
});
