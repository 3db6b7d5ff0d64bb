/**
 * Login throughput vs raw Argon2id hashing, at the same parameters and concurrency, in one run.
 *
 * A login costs one Argon2id verification plus a few queries and a session write; the goal is
 * that everything around the hash costs little: logins/s >= 0.9 x raw hashes/s. Rounds alternate
 * (raw, bare verify, login, ...) and the median ratio is reported, since the machine is shared.
 * The servers are child processes (bench/login-server.ts): the load generator (a kept-alive
 * node:http client, see http-client.ts) runs here, so the event loop's p99 delay during the login
 * rounds, measured in the server, is the server's own and shows that hashing stays off its loop.
 */
import { hash } from '@node-rs/argon2';
import { OWASP_ARGON2ID } from '@gatehouse/core';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { httpClient } from './http-client.js';

export interface LoginBenchOptions {
  concurrency?: number;
  loginsPerRound?: number;
  rounds?: number;
}

const SERVER = fileURLToPath(new URL('./login-server.ts', import.meta.url));
const PASSWORD = 'benchmark passphrase 2026';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await task(next++);
  }));
  return (total / (performance.now() - start)) * 1000;
}

interface Server {
  child: ChildProcess;
  base: string;
  users: string[];
  ask<T>(message: object): Promise<T>;
}

async function start(kind: 'gatehouse' | 'verify'): Promise<Server> {
  const child = fork(SERVER, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_LOGIN: JSON.stringify({ kind, password: PASSWORD }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; users: string[] }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; users: string[] }));
    child.once('exit', (code) => reject(new Error(`login bench server (${kind}) exited with ${code}`)));
  });
  const ask = <T>(message: object) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(message);
    });
  return { child, base: `http://127.0.0.1:${ready.port}`, users: ready.users, ask };
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ stop: true });
  await exited;
}

export async function benchLogin(options: LoginBenchOptions = {}) {
  const concurrency = options.concurrency ?? 4;
  const perRound = options.loginsPerRound ?? 120;
  const rounds = options.rounds ?? 3;
  const [gatehouse, bare] = await Promise.all([start('gatehouse'), start('verify')]);
  const client = httpClient(concurrency);

  /** A fresh anonymous session with its CSRF token, made before the clock starts. */
  async function session(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${gatehouse.base}/auth/csrf-token`);
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }

  const raw: number[] = [];
  const login: number[] = [];
  const bareRates: number[] = [];
  let p99Ms = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      raw.push(await pool(perRound, concurrency, async (i) => {
        await hash(`${PASSWORD}${i}`, OWASP_ARGON2ID);
      }));
      bareRates.push(await pool(perRound, concurrency, async () => {
        const res = await client.post(`${bare.base}/verify`, { 'content-type': 'application/json' }, JSON.stringify({ password: PASSWORD }));
        if (res.status !== 200) throw new Error(`verify answered ${res.status}`);
      }));
      const sessions = await Promise.all(Array.from({ length: perRound }, session));
      await gatehouse.ask({ delay: 'start' });
      login.push(await pool(perRound, concurrency, async (i) => {
        const s = sessions[i]!;
        const res = await client.post(
          `${gatehouse.base}/auth/login`,
          { 'content-type': 'application/json', accept: 'application/json', cookie: s.cookie },
          JSON.stringify({ _csrf: s.csrf, username: gatehouse.users[i % gatehouse.users.length]!, password: PASSWORD }),
        );
        if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.body}`);
      }));
      p99Ms = (await gatehouse.ask<{ p99Ms: number }>({ delay: 'stop' })).p99Ms;
    }
  } finally {
    client.close();
    await Promise.all([stop(gatehouse), stop(bare)]);
  }
  return {
    concurrency,
    rawHashesPerSec: median(raw),
    loginsPerSec: median(login),
    ratio: median(raw.map((r, i) => login[i]! / r)),
    bareVerifyPerSec: median(bareRates),
    bareRatio: median(bareRates.map((b, i) => b / raw[i]!)),
    eventLoopP99Ms: p99Ms,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.setSourceMapsEnabled(false);
  console.log(await benchLogin());
}
