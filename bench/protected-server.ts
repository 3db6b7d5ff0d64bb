/**
 * One server process of the protected-request benchmarks (bench/protected.ts forks it, so the load
 * generator and the server do not share an event loop). `BENCH_SERVER` (JSON) says which:
 * - `gatehouse`: identity() with requireAuth() on `/private` (database sessions, or Redis);
 * - `baseline`: the usual hand-rolled stack: passport-local + express-session +
 *   connect-session-sequelize, the user re-read by primary key on every request;
 * - `session`: express-session (its MemoryStore) + Passport's session, the user kept in memory: no
 *   store round trip and no query at all, the least any app built on those two can cost;
 * - `bare`: Express alone, no auth.
 * It answers the parent with `{ port, cookie }`: a signed-in session's cookie (made with one real
 * login) for the parent's load, and on `{ measure: true }` its heap and RSS after a full GC.
 */
import { hash, verify } from '@node-rs/argon2';
import { OWASP_ARGON2ID } from '@gatehouse/core';
import { identity, requireAuth } from '@gatehouse/express';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import connectSessionSequelize from 'connect-session-sequelize';
import express from 'express';
import session from 'express-session';
import type { AddressInfo } from 'node:net';
import passport, { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { DataTypes, Sequelize } from 'sequelize';

process.setSourceMapsEnabled(false);

interface Config {
  kind: 'gatehouse' | 'baseline' | 'session' | 'bare';
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix?: string;
  /** Make a user and sign in (the first instance of a cluster); others reuse its cookie. */
  login?: boolean;
  tablePrefix?: string;
}

const config = JSON.parse(process.env.BENCH_SERVER ?? '{}') as Config;
const password = 'benchmark passphrase 2026';
const secret = 'bench-secret-bench-secret-bench-secret';
const app = express();
let loginUser: string | undefined;
let close: () => Promise<void> = async () => undefined;
let loginPath = '/login';

if (config.kind === 'gatehouse') {
  const storage = createSequelizeStorage({ url: config.databaseUrl!, tablePrefix: config.tablePrefix ?? '' });
  const auth = identity({
    database: storage,
    secret,
    baseUrl: 'http://127.0.0.1',
    logger: { info() {}, warn() {}, error() {} },
    session: { sweepIntervalMs: 0 },
    ...(config.redisUrl ? { redis: { url: config.redisUrl, prefix: config.redisPrefix } } : {}),
  });
  app.use(auth);
  app.get('/private', requireAuth(), (req, res) => res.json({ user_id: req.user!.user_id }));
  await auth.ready;
  if (config.login) await auth.gatehouse.users.createUser({ email: `bench-${process.pid}-${Date.now()}@example.com`, password, email_verified: true }).then((u) => (loginUser = u.email!));
  loginPath = '/auth/login';
  close = async () => {
    await auth.close();
    await storage.close();
  };
} else if (config.kind === 'baseline') {
  // The usual way, as tutorials write it.
  const sequelize = new Sequelize(config.databaseUrl!, { logging: false });
  const prefix = config.tablePrefix ?? 'benchbase_';
  const User = sequelize.define(`${prefix}users`, {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    email: { type: DataTypes.STRING, unique: true },
    password_hash: DataTypes.STRING,
    name: DataTypes.STRING,
  });
  const SequelizeStore = connectSessionSequelize(session.Store);
  const store = new SequelizeStore({ db: sequelize, tableName: `${prefix}sessions`, checkExpirationInterval: 0 });
  await sequelize.sync();
  await store.sync();
  passport.use(new LocalStrategy({ usernameField: 'username' }, (username, pw, done) => {
    User.findOne({ where: { email: username } }).then(async (user) => {
      if (!user || !(await verify(user.get('password_hash') as string, pw))) return done(null, false);
      done(null, user.get({ plain: true }));
    }, done);
  }));
  passport.serializeUser((user, done) => done(null, (user as unknown as { id: number }).id));
  passport.deserializeUser((id: number, done) => {
    User.findByPk(id).then((user) => done(null, user ? user.get({ plain: true }) : false), done);
  });
  app.use(express.json());
  app.use(session({ store, secret, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax', maxAge: 7 * 86_400_000 } }));
  app.use(passport.session());
  app.post('/login', passport.authenticate('local'), (_req, res) => res.json({ ok: true }));
  app.get('/private', (req, res) => (req.user ? res.json({ id: (req.user as unknown as { id: number }).id }) : res.status(401).end()));
  if (config.login) {
    const email = `bench-${process.pid}-${Date.now()}@example.com`;
    await User.create({ email, password_hash: await hash(password, OWASP_ARGON2ID), name: 'Bench' });
    loginUser = email;
  }
  close = async () => {
    await sequelize.close();
  };
} else if (config.kind === 'session') {
  const sessions = new Passport();
  const users = new Map([['u1', { id: 'u1', name: 'Bench' }]]);
  sessions.serializeUser((user, done) => done(null, (user as unknown as { id: string }).id));
  sessions.deserializeUser((id: string, done) => done(null, (users.get(id) as unknown as Express.User | undefined) ?? false));
  app.use(session({ secret, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax', maxAge: 7 * 86_400_000 } }));
  app.use(sessions.session());
  app.post('/login', (req, res, next) => req.logIn(users.get('u1') as unknown as Express.User, (err) => (err ? next(err) : res.json({ ok: true }))));
  app.get('/private', (req, res) => (req.user ? res.json({ id: (req.user as unknown as { id: string }).id }) : res.status(401).end()));
  if (config.login) loginUser = 'u1';
} else {
  app.get('/private', (_req, res) => res.json({ user_id: 'nobody' }));
}

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A signed-in session's cookie, through the app's own login. */
async function signIn(): Promise<string> {
  if (!loginUser) return '';
  let cookie = '';
  let csrf: string | undefined;
  if (config.kind === 'gatehouse') {
    const res = await fetch(`${base}/auth/csrf-token`);
    cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }
  const res = await fetch(base + loginPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ _csrf: csrf, username: loginUser, password }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  // The first signed-in request copies the user into the session (Gatehouse's fast path).
  await fetch(`${base}/private`, { headers: { cookie } });
  return cookie;
}

/** Heap and RSS after a full GC (needs --expose-gc). */
function memory(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

process.on('message', (message: { measure?: true; stop?: true }) => {
  if (message.measure) {
    process.send!({ memory: memory() });
  } else if (message.stop) {
    server.close();
    void close().then(() => process.exit(0));
  }
});

process.send!({ port: (server.address() as AddressInfo).port, cookie: await signIn() });
