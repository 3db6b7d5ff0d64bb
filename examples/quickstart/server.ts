import { createApp } from './app.js';
import { profilingRules } from './profiling.js';

const port = Number(process.env.PORT ?? 3000);
const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;

const { app, auth } = createApp({
  baseUrl,
  database: process.env.DATABASE_URL ?? 'sqlite:./data/gatehouse.sqlite',
  bootstrapAdmin: { email: process.env.ADMIN_EMAIL ?? 'admin@example.com' },
  progressiveProfiling: profilingRules,
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
