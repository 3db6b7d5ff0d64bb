import express from 'express';
import { identity, requireAuth } from '@gatehouse/express';

/**
 * The identity app: Gatehouse with `applications` on, at http://localhost:3000. Its OpenID
 * Connect provider is at /oidc (discovery: /oidc/.well-known/openid-configuration).
 */
export async function startGatehouse(port = 3000) {
  const app = express();
  const auth = identity({
    baseUrl: `http://localhost:${port}`,
    applications: { apis: [{ identifier: 'https://api.example.com/', name: 'Orders API', scopes: ['read:orders'] }] },
  });
  app.use(auth);
  app.get('/', requireAuth(), (req, res) => res.send(`Signed in to Gatehouse as ${req.user!.email}`));
  await auth.ready;
  return { app, auth, server: app.listen(port) };
}
