import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApiTokens, type Storage } from '@gatehouse/core';
import type { IdentityRouter } from '@gatehouse/express';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Browser } from 'playwright-core';
import { startEmbedServer } from '../../examples/embed/serve.mjs';
import { createApp } from '../../examples/quickstart/app.js';
import { launchChromium } from '../support/chromium.js';
import { STRONG_PASSWORD, uniqueEmail } from '../support/test-app.js';
import { testDatabaseUrl } from '../support/test-database.js';

/*
 * examples/embed in Chromium: the static page on one origin loads the elements from the quickstart
 * on another and manages users with a Bearer token (CORS preflights included), no session at all.
 */
describe('examples/embed: the elements on another origin with a Bearer token (Chromium)', function () {
  this.timeout(60000);
  let browser: Browser;
  let app: Server;
  let embed: Server;
  let storage: Storage & { close(): Promise<void> };
  let auth: IdentityRouter;

  before(async function () {
    browser = await launchChromium(this);
    embed = await startEmbedServer(0, '127.0.0.1');
    const embedOrigin = `http://127.0.0.1:${(embed.address() as AddressInfo).port}`;
    storage = createSequelizeStorage({ url: await testDatabaseUrl() });
    const created = createApp({
      database: storage,
      secret: 'embed-test-secret-0123456789abcdefghijkl',
      mail: { transport: 'console' },
      logger: { info() {}, warn() {}, error() {} },
      allowedOrigins: [embedOrigin],
    });
    auth = created.auth;
    await auth.ready;
    app = created.app.listen(0, '127.0.0.1');
    await new Promise((r) => app.once('listening', r));
  });

  after(async () => {
    await browser?.close();
    embed?.close();
    app?.close();
    await auth?.close();
    await storage?.close();
  });

  it('lists, opens and blocks a user from the other origin', async () => {
    const email = uniqueEmail('embedded');
    const user = await auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: true, name: 'Embedded Person' });
    const { token } = await new ApiTokens(storage).mint({ scopes: ['read:users', 'update:users', 'delete:users', 'read:logs'], name: 'embed test', ttlMs: 600_000 });
    const apiBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    const page = await browser.newPage();
    const failures: string[] = [];
    // A refused preflight or CORS answer shows as a failed request to the app (an aborted one is a superseded search).
    page.on('requestfailed', (r) => {
      if (r.url().startsWith(apiBase) && r.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
    });
    await page.goto(`http://127.0.0.1:${(embed.address() as AddressInfo).port}/`);
    await page.getByLabel('Gatehouse app').fill(apiBase);
    await page.getByLabel('Management API token').fill(token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText(`Connected to ${apiBase}.`).waitFor();

    const table = page.locator('gatehouse-user-table');
    await table.getByLabel('Search users').fill(email);
    await table.getByLabel('Search users').press('Enter');
    const row = table.locator('tbody tr[data-id]').filter({ hasText: email });
    await row.getByRole('button', { name: 'Open' }).click();
    const editor = page.locator('gatehouse-profile-editor');
    await editor.getByRole('heading', { name: 'Embedded Person' }).waitFor();
    await editor.getByRole('button', { name: 'Block' }).click();
    await editor.getByText('This user is blocked and cannot sign in.').waitFor();
    assert.equal((await storage.getUser(user.user_id))?.blocked, true);
    assert.deepEqual(failures, []);
    const cookies = await page.context().cookies(apiBase);
    assert.deepEqual(cookies, [], 'no session was ever started on the app');
  });
});
