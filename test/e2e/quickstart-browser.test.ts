import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../examples/quickstart/app.js';
import { launchChromium } from '../support/chromium.js';
import { MailCatcher } from '../support/mail-catcher.js';
import { uniqueEmail } from '../support/test-app.js';
import { testDatabaseUrl } from '../support/test-database.js';

const SHOTS = new URL('../../test-output/', import.meta.url);

describe('quickstart in a real browser (Chromium)', function () {
  this.timeout(60000);
  let browser: Browser;
  let server: Server;
  let base: string;
  let mail: MailCatcher;
  let close: () => Promise<void>;

  before(async function () {
    browser = await launchChromium(this);
    mail = await new MailCatcher().start();
    const storage = createSequelizeStorage({ url: await testDatabaseUrl() });
    const { app, auth } = createApp({
      database: storage,
      secret: 'browser-test-secret-0123456789abcdefghij',
      mail: { transport: mail.url },
      logger: { info() {}, warn() {}, error() {} },
    });
    await auth.ready;
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.close();
      await auth.close();
      await storage.close();
    };
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await close?.();
    await mail?.stop();
  });

  async function signIn(page: Page, email: string, password: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs up, verifies the email, signs in, shows the profile, resets the password and signs out', async () => {
    const page = await browser.newPage();
    const email = uniqueEmail('browser');

    await page.goto(base);
    await page.getByRole('link', { name: 'create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long and happy passphrase');
    await page.screenshot({ path: new URL('signup.png', SHOTS).pathname });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

    const verify = MailCatcher.link(await mail.waitFor(email, /Verify/u));
    await page.goto(base + verify.pathname + verify.search);
    await page.getByRole('button', { name: 'Verify my email' }).click();
    await page.getByRole('heading', { name: 'Email verified' }).waitFor();

    await page.goto(`${base}/profile`);
    assert.match(page.url(), /\/auth\/login\?returnTo=%2Fprofile$/u);
    await page.screenshot({ path: new URL('login.png', SHOTS).pathname });
    await signIn(page, email, 'a long and happy passphrase');
    await page.waitForURL(`${base}/profile`);
    assert.match(await page.locator('pre').innerText(), new RegExp(`"email": "${email.replace(/[.]/gu, '\\.')}"`, 'u'));

    await page.goto(`${base}/auth/password/forgot`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const reset = MailCatcher.link(await mail.waitFor(email, /Reset/u));
    await page.goto(base + reset.pathname + reset.search);
    await page.getByLabel('New password').fill('an even longer new passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    // The reset ended the session: the profile asks for a sign-in again, and the new password works.
    await page.goto(`${base}/profile`);
    await signIn(page, email, 'an even longer new passphrase');
    await page.waitForURL(`${base}/profile`);

    await page.goto(`${base}/auth/account`);
    await page.screenshot({ path: new URL('account.png', SHOTS).pathname });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/`);
    assert.match(await page.locator('main').innerText(), /Sign in or create an account/u);
    await page.close();
  });

  it('shows a wrong password as an accessible alert without losing the typed email', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/auth/login`);
    await signIn(page, 'nobody@example.com', 'not the password at all');
    const alert = page.getByRole('alert');
    assert.equal(await alert.innerText(), 'Wrong email or password.');
    assert.equal(await page.getByLabel('Email').inputValue(), 'nobody@example.com');
    await page.close();
  });
});
