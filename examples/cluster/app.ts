/**
 * One instance of the cluster example: the same app start.sh runs three times, on PORT 3001-3003.
 * Everything an instance shares with the others lives in PostgreSQL (users, tokens, blocks) and
 * Redis (sessions, counters, caches): any instance can answer any request.
 */
import express from 'express';
import { identity, requireAuth } from '@gatehouse/express';

const port = Number(process.env.PORT ?? 3001);
const app = express();
// nginx is the one proxy in front: the client IP (rate limits, brute-force blocks) comes from its X-Forwarded-For.
app.set('trust proxy', 'loopback');
const auth = identity({
  database: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  baseUrl: process.env.BASE_URL ?? 'http://127.0.0.1:8080',
  // Every instance must sign and check cookies with the same secret.
  secret: process.env.SESSION_SECRET ?? 'cluster-example-secret-change-me-0123456789',
  trustProxy: 'loopback',
});
app.use(auth);
app.get('/', requireAuth(), (req, res) => {
  res.type('html').send(`<p>Hello ${req.user!.email}, instance ${port} answered.</p><form method="post" action="/auth/logout"><button>Sign out</button></form>`);
});
app.get('/instance', (_req, res) => res.json({ port }));
await auth.ready;
app.listen(port, '127.0.0.1', () => console.log(`instance on http://127.0.0.1:${port}`));
