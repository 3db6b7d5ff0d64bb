import type { Connection } from '@gatehouse/core';
import { google } from '@gatehouse/connection-oauth';
import { emailLink } from '@gatehouse/connection-passwordless';
import { createApp } from './app.js';
import { profilingRules } from './profiling.js';

const port = Number(process.env.PORT ?? 3000);
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;

// Sign in by emailed link (in development the link is printed in this terminal), and with Google
// when a Google OAuth client is configured (its redirect URI: <BASE_URL>/auth/callback/google).
const connections: Connection[] = [emailLink({ name: 'email-link', displayName: 'an email link', appName: 'Gatehouse quickstart' })];
if (process.env.GOOGLE_CLIENT_ID && process.env.GOOGLE_CLIENT_SECRET) {
  connections.push(google({ clientID: process.env.GOOGLE_CLIENT_ID, clientSecret: process.env.GOOGLE_CLIENT_SECRET }));
}

const { app, auth } = createApp({
  connections,
  baseUrl,
  database: process.env.DATABASE_URL ?? 'sqlite:./data/gatehouse.sqlite',
  bootstrapAdmin: { email: process.env.ADMIN_EMAIL ?? 'admin@example.com' },
  progressiveProfiling: profilingRules,
  // Pages on these origins may call the management API with a Bearer token (examples/embed runs on :4000).
  allowedOrigins: (process.env.ALLOWED_ORIGINS ?? 'http://localhost:4000').split(',').filter((o) => o !== ''),
});

await auth.ready;
const server = app.listen(port, () => {
  console.log(`\nGatehouse quickstart on ${baseUrl}\n  sign in:  ${baseUrl}/auth/login\n  sign up:  ${baseUrl}/auth/signup\n  profile:  ${baseUrl}/profile (signed in)\n  admin:    ${baseUrl}/admin (administrators)\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void auth.close();
  });
}
