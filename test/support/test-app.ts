import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { identity, type IdentityOptions, type IdentityRouter } from '@gatehouse/express';
import type { Storage } from '@gatehouse/core';
import express, { type Express } from 'express';
import supertest from 'supertest';
import { MailCatcher } from './mail-catcher.js';
import { testDatabaseUrl } from './test-database.js';

export interface TestApp {
  app: Express;
  auth: IdentityRouter;
  storage: Storage;
  mail: MailCatcher;
  close(): Promise<void>;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A host app as a user would write it: identity() on a real database (the one GATEHOUSE_TEST_DB
 * selects), a real SMTP server catching mail, one protected route.
 */
export async function startTestApp(options: IdentityOptions = {}): Promise<TestApp> {
  const mail = await new MailCatcher().start();
  const storage = createSequelizeStorage({ url: await testDatabaseUrl() });
  const app = express();
  const auth = identity({
    database: storage,
    baseUrl: 'http://127.0.0.1',
    secret: 'test-secret-that-is-long-enough-0123456789',
    mail: { transport: mail.url },
    logger: quiet,
    ...options,
  });
  app.use(auth);
  app.get('/private', (req, res, next) => (req.user ? next() : res.status(401).json({ anonymous: true })), (req, res) => {
    res.json({ user_id: req.user!.user_id });
  });
  await auth.ready;
  return {
    app,
    auth,
    storage,
    mail,
    async close() {
      await auth.close();
      await storage.close();
      await mail.stop();
    },
  };
}

type Attach = { _attachCookies(req: unknown): void };

/**
 * A cookie-keeping client with helpers for the CSRF token. Like a browser, it sends the cookies it
 * holds when a request leaves, not when it is created: supertest attaches them at creation, which
 * would drop a session started by `await agent.csrf()` inside the request's own body.
 */
export function browser(app: Express) {
  const agent = supertest.agent(app);
  for (const method of ['get', 'post', 'patch', 'put', 'delete'] as const) {
    const create = agent[method].bind(agent);
    (agent as unknown as Record<string, unknown>)[method] = (url: string) => {
      const req = create(url);
      const end = req.end.bind(req);
      req.end = (fn) => {
        (agent as unknown as Attach)._attachCookies(req);
        return end(fn);
      };
      return req;
    };
  }
  return Object.assign(agent, {
    /** The CSRF token of the agent's current session. */
    async csrf(): Promise<string> {
      const res = await agent.get('/auth/csrf-token').expect(200);
      return (res.body as { csrfToken: string }).csrfToken;
    },
  });
}

/** The session cookie's value from a response, if it set one. */
export function sessionCookie(res: { headers: Record<string, unknown> }, name = 'gatehouse.sid'): string | undefined {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? (set as string[]) : typeof set === 'string' ? [set] : [];
  const cookie = list.find((c) => c.startsWith(`${name}=`));
  return cookie?.slice(name.length + 1).split(';')[0];
}

let counter = 0;
/** An email address no other test uses, even against a shared database. */
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const STRONG_PASSWORD = 'correct horse battery staple';
