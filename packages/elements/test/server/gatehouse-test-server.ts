/**
 * The real Gatehouse the browser tests talk to: identity() on the test database (a temp SQLite
 * file by default; GATEHOUSE_TEST_DB picks PostgreSQL or MariaDB), a real SMTP catcher, a seeded
 * admin (password login, admin role) and a management API token holding every scope.
 *
 * Run as a child process by the web-test-runner plugin (node --conditions=source --import tsx);
 * prints one JSON line `{port, token, admin}` when ready and shuts down on SIGTERM or when stdin
 * closes (the runner went away).
 */
import type { AddressInfo } from 'node:net';
import { ADMIN_ROLE, ApiTokens, MANAGEMENT_SCOPES } from '@gatehouse/core';
import { identity } from '@gatehouse/express';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import express from 'express';
import { MailCatcher } from '../../../../test/support/mail-catcher.js';
import { STRONG_PASSWORD, uniqueEmail } from '../../../../test/support/test-app.js';
import { removeTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../../test/support/test-database.js';

const logged: string[] = [];
const logger = {
  info: () => undefined,
  warn: (...args: unknown[]) => logged.push(args.map(String).join(' ')),
  error: (...args: unknown[]) => process.stderr.write(`[test server] ${args.map(String).join(' ')}\n`),
};

const mail = await new MailCatcher().start();
const url = await testDatabaseUrl();
process.stderr.write(`[test server] Gatehouse on ${testDatabaseKind()}\n`);
const storage = createSequelizeStorage({ url });
const auth = identity({
  database: storage,
  secret: 'elements-test-secret-0123456789abcdefghij',
  mail: { transport: mail.url },
  logger,
  // Every component test hits the API many times from one token: no 429s mid-run.
  managementApi: { rateLimit: false },
});
const app = express();
app.use(auth);
await auth.ready;

const admin = await auth.gatehouse.users.createUser({ email: uniqueEmail('admin'), password: STRONG_PASSWORD, email_verified: true, name: 'Ada Admin' });
await storage.assignUserRoles(admin.user_id, [ADMIN_ROLE.id]);
const { token } = await new ApiTokens(storage).mint({ scopes: MANAGEMENT_SCOPES, name: 'elements tests', ttlMs: 3_600_000 });

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ port, token, admin: { user_id: admin.user_id, email: admin.email, password: STRONG_PASSWORD } })}\n`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await auth.close();
  await storage.close();
  await mail.stop();
  await removeTestDatabase(url);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
