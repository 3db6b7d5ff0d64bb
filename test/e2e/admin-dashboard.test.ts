import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ADMIN_ROLE, type Storage, type User } from '@gatehouse/core';
import type { IdentityRouter } from '@gatehouse/express';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp } from '../../examples/quickstart/app.js';
import { profilingRules } from '../../examples/quickstart/profiling.js';
import { launchChromium } from '../support/chromium.js';
import { MailCatcher } from '../support/mail-catcher.js';
import { STRONG_PASSWORD, uniqueEmail } from '../support/test-app.js';
import { testDatabaseUrl } from '../support/test-database.js';

const SHOTS = new URL('../../test-output/', import.meta.url);
const shot = (name: string) => ({ path: new URL(name, SHOTS).pathname, fullPage: true });

/*
 * The quickstart's /admin dashboard (user table + profile editor + create form, from the web
 * components) and its progressive-profiling step, in Debian's Chromium against the real app on the
 * test database. Screenshots go to test-output/.
 */
describe('quickstart /admin dashboard and progressive profiling in a real browser (Chromium)', function () {
  this.timeout(120000);
  let browser: Browser;
  let server: Server;
  let base: string;
  let mail: MailCatcher;
  let storage: Storage & { close(): Promise<void> };
  let auth: IdentityRouter;
  let admin: User;
  const run = randomBytes(3).toString('hex');
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchChromium(this);
    mail = await new MailCatcher().start();
    storage = createSequelizeStorage({ url: await testDatabaseUrl() });
    const created = createApp({
      database: storage,
      secret: 'dashboard-test-secret-0123456789abcdefghij',
      mail: { transport: mail.url },
      logger: { info() {}, warn() {}, error() {} },
      progressiveProfiling: profilingRules,
      managementApi: { rateLimit: false },
    });
    auth = created.auth;
    await auth.ready;
    const users = auth.gatehouse.users;
    admin = await users.createUser({ email: uniqueEmail('admin'), password: STRONG_PASSWORD, email_verified: true, name: 'Ada Admin' });
    await storage.assignUserRoles(admin.user_id, [ADMIN_ROLE.id]);
    // Users to search through: one run's names share a prefix no other test uses.
    for (let i = 1; i <= 12; i += 1) {
      await users.createUser({ email: `zed${run}-${String(i).padStart(2, '0')}@example.com`, password: STRONG_PASSWORD, email_verified: true, name: `Zed ${run} Number ${i}` });
    }
    server = created.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    server?.close();
    await auth?.close();
    await storage?.close();
    await mail?.stop();
  });

  async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  /** Opens `path`, which sends a signed-out browser to the login page, and signs in. */
  async function signInAt(page: Page, path: string, email: string) {
    await page.goto(base + path);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const userByEmail = async (email: string) => (await storage.listUsersByEmail(email))[0]!;

  it('lets an admin search, open a user, edit metadata, block and unblock, and create a user', async () => {
    const page = await newPage();
    await signInAt(page, '/admin', admin.email!);
    await page.waitForURL(`${base}/admin`);
    const table = page.locator('gatehouse-user-table');
    const rows = table.locator('tbody tr[data-id]');
    await rows.first().waitFor();
    await page.screenshot(shot('admin-dashboard.png'));

    await table.getByLabel('Search users').fill(`zed${run}`);
    await table.getByLabel('Search users').press('Enter');
    await page.waitForFunction(
      (prefix) => {
        const list = document.querySelector('gatehouse-user-table')?.shadowRoot?.querySelectorAll('tbody tr[data-id]') ?? [];
        return list.length === 12 && [...list].every((r) => r.textContent?.includes(prefix));
      },
      `zed${run}-`,
    );

    const target = await userByEmail(`zed${run}-07@example.com`);
    await rows.filter({ hasText: `zed${run}-07@example.com` }).getByRole('button', { name: 'Open' }).click();
    const editor = page.locator('gatehouse-profile-editor');
    await editor.getByRole('heading', { name: `Zed ${run} Number 7` }).waitFor();

    await editor.getByLabel('user_metadata (JSON)').fill('{\n  "plan": "gold",\n  "seats": 5\n}');
    await editor.locator('section[part~="metadata"]').getByRole('button', { name: 'Save' }).click();
    await editor.locator('section[part~="metadata"]').getByText('Saved.').waitFor();
    assert.deepEqual((await storage.getUser(target.user_id))?.user_metadata, { plan: 'gold', seats: 5 });

    await editor.getByRole('button', { name: 'Block' }).click();
    await editor.getByText('This user is blocked and cannot sign in.').waitFor();
    assert.equal((await storage.getUser(target.user_id))?.blocked, true);
    // The editor's save reloads the table, which shows the new status.
    await rows.filter({ hasText: `zed${run}-07@example.com` }).getByText('Blocked', { exact: true }).waitFor();
    await page.screenshot(shot('admin-editor.png'));

    await editor.getByRole('button', { name: 'Unblock' }).click();
    await editor.getByText('This user can sign in.').waitFor();
    assert.equal((await storage.getUser(target.user_id))?.blocked, false);

    const newEmail = `new${run}@example.com`;
    const create = page.locator('#create-user');
    await create.getByLabel('Email', { exact: true }).fill(newEmail);
    await create.getByLabel('Name', { exact: true }).fill('Newly Created');
    await create.getByLabel('Password', { exact: true }).fill('short');
    await create.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#new-password-error').waitFor();
    assert.equal((await storage.listUsersByEmail(newEmail)).length, 0, 'a refused password creates nobody');
    await create.getByLabel('Password', { exact: true }).fill('a perfectly long passphrase here');
    await create.getByRole('button', { name: 'Create user' }).click();
    await page.getByText(`Created ${newEmail}.`).waitFor();
    const createdUser = await userByEmail(newEmail);
    assert.equal(createdUser.name, 'Newly Created');
    await editor.getByRole('heading', { name: 'Newly Created' }).waitFor();
  });

  it('refuses the dashboard to a signed-in user who is not an admin', async () => {
    const user = await auth.gatehouse.users.createUser({ email: uniqueEmail('plain'), password: STRONG_PASSWORD, email_verified: true });
    const page = await newPage();
    await signInAt(page, '/profile', user.email!);
    await page.waitForURL(`${base}/profile`);
    const res = await page.goto(`${base}/admin`);
    assert.equal(res?.status(), 403);
    assert.equal(await page.locator('gatehouse-user-table').count(), 0);
  });

  it('walks a user through a progressive-profiling step, a skip, and the step without JavaScript', async () => {
    const email = uniqueEmail('progressive');
    await auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: true });

    // First sign-in: nothing asked.
    let page = await newPage();
    await signInAt(page, '/profile', email);
    await page.waitForURL(`${base}/profile`);

    // Second: the names, in <gatehouse-progressive-profile>.
    page = await newPage();
    await signInAt(page, '/profile', email);
    await page.waitForURL(`${base}/auth/profile/complete?returnTo=%2Fprofile`);
    const step = page.locator('gatehouse-progressive-profile');
    await step.getByRole('heading', { name: 'What should we call you?' }).waitFor();
    assert.equal(await page.locator('#gatehouse-profile-form').isHidden(), true, 'the plain form gives way to the element');
    await step.getByRole('button', { name: 'Continue' }).click();
    await step.getByText('This field is required.').first().waitFor();
    await step.getByLabel('First name').fill('Grace');
    await step.getByLabel('Last name').fill('Hopper');
    await page.screenshot(shot('progressive-profile.png'));
    await step.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/profile`);
    let saved = await userByEmail(email);
    assert.equal(saved.given_name, 'Grace');
    assert.equal(saved.family_name, 'Hopper');

    // Third: the work details, skipped.
    page = await newPage();
    await signInAt(page, '/profile', email);
    await page.waitForURL(`${base}/auth/profile/complete?returnTo=%2Fprofile`);
    await page.locator('gatehouse-progressive-profile').getByRole('heading', { name: 'About your work' }).waitFor();
    await page.locator('gatehouse-progressive-profile').getByRole('button', { name: 'Skip for now' }).click();
    await page.waitForURL(`${base}/profile`);
    assert.deepEqual((await userByEmail(email)).user_metadata, {});

    // Fourth: the skip is remembered.
    page = await newPage();
    await signInAt(page, '/profile', email);
    await page.waitForURL(`${base}/profile`);

    // Fifth, without JavaScript: the plain form asks again, and saves.
    page = await newPage({ javaScriptEnabled: false });
    await signInAt(page, '/profile', email);
    await page.waitForURL(`${base}/auth/profile/complete?returnTo=%2Fprofile`);
    await page.getByLabel('Company').fill('Remington Rand');
    await page.getByLabel('Role').selectOption('Developer');
    await page.getByLabel('Send me the monthly newsletter').check();
    await page.screenshot(shot('progressive-profile-no-js.png'));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/profile`);
    saved = await userByEmail(email);
    assert.deepEqual(saved.user_metadata, { company: 'Remington Rand', role: 'Developer', newsletter: true });
  });
});
