import express from 'express';
import escapeHtml from 'escape-html';
import { identity, requireAuth, type IdentityOptions } from '@gatehouse/express';
import { adminRoutes } from './admin.js';

/**
 * The quickstart: a home page, a protected profile page, an /admin dashboard built from the web
 * components, and Gatehouse's hosted pages under /auth.
 * Everything here is what a host app writes; all the rest comes from identity().
 */
export function createApp(options: IdentityOptions = {}) {
  const app = express();
  const auth = identity({ appName: 'Gatehouse quickstart', ...options });
  app.use(auth);

  app.get('/', (req, res) => {
    const who = req.user
      ? `Signed in as ${escapeHtml(req.user.email ?? req.user.user_id)}. <a href="/profile">Your profile</a> · <a href="/auth/account">Account</a> · <a href="/admin">Admin</a> · <a href="/auth/logout">Sign out</a>`
      : '<a href="/auth/login">Sign in</a> or <a href="/auth/signup">create an account</a>.';
    res.send(page('Gatehouse quickstart', `<h1>Gatehouse quickstart</h1><p>${who}</p>`));
  });

  app.get('/profile', requireAuth(), (req, res) => {
    const profile = escapeHtml(JSON.stringify(req.user, null, 2));
    res.send(page('Your profile', `<h1>Hello ${escapeHtml(req.user!.name ?? '')}</h1><pre>${profile}</pre><p><a href="/">Home</a></p>`));
  });

  app.use(adminRoutes());

  return { app, auth };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{background:#f3f4f8;padding:1rem;overflow:auto}</style></head>
<body><main>${body}</main></body></html>`;
}
