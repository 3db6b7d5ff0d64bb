import assert from 'node:assert/strict';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { createApp } from '../../examples/quickstart/app.js';
import { MailCatcher } from '../support/mail-catcher.js';
import { browser, STRONG_PASSWORD, uniqueEmail } from '../support/test-app.js';
import { testDatabaseUrl } from '../support/test-database.js';

describe('examples/quickstart', function () {
  it('lets a visitor sign up, verify, sign in, see the profile page and sign out', async () => {
    const mail = await new MailCatcher().start();
    const storage = createSequelizeStorage({ url: await testDatabaseUrl() });
    const { app, auth } = createApp({
      database: storage,
      baseUrl: 'http://127.0.0.1',
      secret: 'quickstart-test-secret-0123456789abcdef',
      mail: { transport: mail.url },
      logger: { info() {}, warn() {}, error() {} },
    });
    try {
      await auth.ready;
      const agent = browser(app);
      const email = uniqueEmail('quick');
      assert.match((await agent.get('/').expect(200)).text, /Sign in/u);
      const profile = await agent.get('/profile').set('Accept', 'text/html').expect(303);
      assert.equal(profile.headers.location, '/auth/login?returnTo=%2Fprofile');

      await agent.post('/auth/signup').type('form').send({ _csrf: await agent.csrf(), email, password: STRONG_PASSWORD }).expect(201);
      const link = MailCatcher.link(await mail.waitFor(email, /Verify/u));
      await agent.post('/auth/verify-email').type('form').send({ _csrf: await agent.csrf(), token: link.searchParams.get('token') }).expect(200);
      const login = await agent.post('/auth/login').type('form')
        .send({ _csrf: await agent.csrf(), username: email, password: STRONG_PASSWORD, returnTo: '/profile' }).expect(303);
      assert.equal(login.headers.location, '/profile');
      const page = await agent.get('/profile').expect(200);
      assert.match(page.text, new RegExp(email.replace(/[.]/gu, '\\.'), 'u'));
      assert.match(page.text, /&quot;logins_count&quot;: 1/u);
      await agent.post('/auth/logout').type('form').send({ _csrf: await agent.csrf() }).expect(303);
      await agent.get('/profile').set('Accept', 'text/html').expect(303);
    } finally {
      await auth.close();
      await storage.close();
      await mail.stop();
    }
  });
});
