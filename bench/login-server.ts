/**
 * One server process of the login benchmark (bench/login.ts forks it, so the load generator's
 * work never runs on the server's event loop and the loop's delay is the server's own).
 * `BENCH_LOGIN` (JSON) says which:
 * - `gatehouse`: identity() on SQLite, with 16 users to sign in as;
 * - `verify`: bare Express, one route that parses JSON and verifies an Argon2id hash (the least a
 *   login over HTTP can cost).
 * It answers `{ port, users }`; `{ delay: 'start' | 'stop' }` turns its event-loop delay monitor on
 * and off (answering `{ p99Ms }` over every monitored stretch so far) and `{ stop: true }` ends it.
 */
import { hash, verify } from '@node-rs/argon2';
import { OWASP_ARGON2ID } from '@gatehouse/core';
import { identity } from '@gatehouse/express';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

process.setSourceMapsEnabled(false);

const config = JSON.parse(process.env.BENCH_LOGIN ?? '{}') as { kind: 'gatehouse' | 'verify'; password: string };
const app = express();
let users: string[] = [];
let close = async () => undefined as void;

if (config.kind === 'gatehouse') {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-login-'));
  const storage = createSequelizeStorage({ url: `sqlite:${join(dir, 'bench.sqlite')}` });
  const auth = identity({
    database: storage,
    secret: 'bench-secret-bench-secret-bench-secret',
    baseUrl: 'http://127.0.0.1',
    logger: { info() {}, warn() {}, error() {} },
  });
  app.use(auth);
  await auth.ready;
  users = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      auth.gatehouse.users.createUser({ email: `bench-${i}-${Date.now()}@example.com`, password: config.password, email_verified: true }).then((u) => u.email!),
    ),
  );
  close = async () => {
    await auth.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  };
} else {
  const stored = await hash(config.password, OWASP_ARGON2ID);
  app.use(express.json());
  app.post('/verify', async (req, res) => {
    res.json({ ok: await verify(stored, (req.body as { password: string }).password) });
  });
}

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const delay = monitorEventLoopDelay({ resolution: 5 });

process.on('message', (message: { delay?: 'start' | 'stop'; stop?: true }) => {
  if (message.delay === 'start') {
    delay.enable();
    process.send!({ ok: true });
  } else if (message.delay === 'stop') {
    delay.disable();
    process.send!({ p99Ms: delay.percentile(99) / 1e6 });
  } else if (message.stop) {
    // A response can reach the client before express-session's last write ends: let those finish.
    server.close(() => void close().then(() => process.exit(0)));
  }
});

process.send!({ port: (server.address() as AddressInfo).port, users });
