/**
 * Login throughput vs raw Argon2id hashing, at the same parameters and concurrency, in one run.
 *
 * A login costs one Argon2id verification plus a few queries and a session write; the goal is
 * that everything around the hash costs little: logins/s >= 0.9 x raw hashes/s. Rounds alternate
 * (raw, login, raw, login, ...) and the median ratio is reported, since the machine is shared.
 * The event loop's p99 delay during the login rounds shows that hashing stays off the loop.
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
import { httpClient } from './http-client.js';

export interface LoginBenchOptions {
  concurrency?: number;
  loginsPerRound?: number;
  rounds?: number;
  databaseUrl?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await task(next++);
  }));
  return (total / (performance.now() - start)) * 1000;
}

export async function benchLogin(options: LoginBenchOptions = {}) {
  const concurrency = options.concurrency ?? 4;
  const perRound = options.loginsPerRound ?? 120;
  const rounds = options.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const storage = createSequelizeStorage({ url: options.databaseUrl ?? `sqlite:${join(dir, 'bench.sqlite')}` });
  const app = express();
  const auth = identity({
    database: storage,
    secret: 'bench-secret-bench-secret-bench-secret',
    baseUrl: 'http://127.0.0.1',
    logger: { info() {}, warn() {}, error() {} },
  });
  app.use(auth);
  await auth.ready;
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const password = 'benchmark passphrase 2026';
  const users = await Promise.all(Array.from({ length: 16 }, (_, i) =>
    auth.gatehouse.users.createUser({ email: `bench-${i}-${Date.now()}@example.com`, password, email_verified: true })));

  /** A fresh anonymous session with its CSRF token, made before the clock starts. */
  async function session(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${base}/auth/csrf-token`);
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }

  // A second reference point: a bare Express route that only parses JSON and verifies the hash.
  // What separates it from a login is Gatehouse's own work (session, CSRF, queries, audit).
  const bareHash = await hash(password, OWASP_ARGON2ID);
  const bare = express();
  bare.use(express.json());
  bare.post('/verify', async (req, res) => {
    res.json({ ok: await verify(bareHash, (req.body as { password: string }).password) });
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await new Promise((r) => bareServer.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/verify`;

  const client = httpClient(concurrency);
  const raw: number[] = [];
  const login: number[] = [];
  const bareRates: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 5 });
  for (let r = 0; r < rounds; r++) {
    raw.push(await pool(perRound, concurrency, async (i) => {
      await hash(`${password}${i}`, OWASP_ARGON2ID);
    }));
    bareRates.push(await pool(perRound, concurrency, async () => {
      await client.post(bareUrl, { 'content-type': 'application/json' }, JSON.stringify({ password }));
    }));
    const sessions = await Promise.all(Array.from({ length: perRound }, session));
    delay.enable();
    login.push(await pool(perRound, concurrency, async (i) => {
      const s = sessions[i]!;
      const res = await client.post(
        `${base}/auth/login`,
        { 'content-type': 'application/json', accept: 'application/json', cookie: s.cookie },
        JSON.stringify({ _csrf: s.csrf, username: users[i % users.length]!.email, password }),
      );
      if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.body}`);
    }));
    delay.disable();
  }

  // A response can reach the client before express-session's last write ends: let those finish.
  client.close();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => bareServer.close(resolve));
  await auth.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
  const ratios = raw.map((r, i) => login[i]! / r);
  return {
    concurrency,
    rawHashesPerSec: median(raw),
    loginsPerSec: median(login),
    ratio: median(ratios),
    bareVerifyPerSec: median(bareRates),
    bareRatio: median(bareRates.map((b, i) => b / raw[i]!)),
    eventLoopP99Ms: delay.percentile(99) / 1e6,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLogin();
  console.log(result);
}
