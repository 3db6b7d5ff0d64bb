import { parseArgs } from 'node:util';
import { identity } from '@gatehouse/express';
import express from 'express';
import type { Output } from '../main.js';
import { DATABASE_HELP, databaseUrl } from './database-option.js';

const HELP = `Usage: gatehouse serve [options]

Runs Gatehouse's hosted pages (login, signup, password reset, account) on a small app, with
data under ./data of the current folder. On first start it creates an administrator and prints
a one-time link to set its password.

Options:
  --port N         Port to listen on (default 3000, or $PORT)
  --base-url URL   Public URL of the app, for links in emails (default http://localhost:PORT)
${DATABASE_HELP}
  --admin-email E  Administrator created on first start (default admin@example.com)
  -h, --help       Show this help`;

export async function serveCommand(argv: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'base-url': { type: 'string' },
      database: { type: 'string' },
      'admin-email': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be a port number, got ${values.port}`);
  const baseUrl = values['base-url'] ?? `http://localhost:${port}`;

  const app = express();
  const auth = identity({
    baseUrl,
    database: databaseUrl(values.database),
    bootstrapAdmin: { email: values['admin-email'] ?? 'admin@example.com' },
  });
  app.use(auth);
  app.get('/', (req, res) => res.redirect(req.user ? '/auth/account' : '/auth/login'));
  await auth.ready;

  await new Promise<void>((resolve, reject) => {
    const server = app.listen(port, () => resolve()).once('error', reject);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        server.close();
        void auth.close();
      });
    }
  });
  io.out(`Gatehouse is running on ${baseUrl}\n  sign in: ${baseUrl}/auth/login\n  sign up: ${baseUrl}/auth/signup`);
  return 0;
}
