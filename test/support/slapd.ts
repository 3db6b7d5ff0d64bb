import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's slapd package puts its programs, schemas and modules. */
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export const BASE_DN = 'dc=example,dc=org';
/** The directory's administrator: may read everything, including password hashes. */
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = 'admin-secret';
/** A service account as a directory team would hand out: may search people and groups, never read passwords. */
export const READER_DN = `cn=reader,ou=services,${BASE_DN}`;
export const READER_PASSWORD = 'reader-secret';

export interface SlapdOptions {
  /** Entries below BASE_DN (the base entry and the service account are added first). */
  ldif: string;
  /** PEM certificate and key: enables StartTLS (and `ldaps://` on `tlsPort`). */
  tls?: { cert: string; key: string };
}

/** A running OpenLDAP server of its own, in a temp directory, on a free loopback port. */
export interface Slapd {
  url: string;
  port: number;
  /** The `ldaps://` URL, when started with tls. */
  secureUrl: string | null;
  /** DNs of every simple bind the server has logged so far, in order (the service account's too). */
  binds(): string[];
  /** Number of TCP connections the server has accepted so far. */
  connections(): number;
  /** Search filters the server has logged so far, as slapd prints them (upper-case hex escapes). */
  searches(): string[];
  /** Number of STARTTLS requests the server has logged so far. */
  startTlsCount(): number;
  /** The server's log so far. */
  log(): string;
  /** Waits until the server has logged `count` binds in all (its log is written asynchronously). */
  waitForBinds(count: number): Promise<void>;
  /** Applies an LDIF change (ldapmodify) as the administrator. */
  modify(ldif: string): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket: Socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`slapd did not listen on ${port}:\n${output()}`);
}

function config(dir: string, tls: boolean): string {
  return [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    ...(tls ? [`TLSCertificateFile ${join(dir, 'cert.pem')}`, `TLSCertificateKeyFile ${join(dir, 'key.pem')}`] : []),
    'database mdb',
    'maxsize 10485760',
    `suffix "${BASE_DN}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${ADMIN_PASSWORD}`,
    `directory ${join(dir, 'data')}`,
    // Passwords: usable to bind, readable by nobody (the rootdn is above ACLs).
    'access to attrs=userPassword',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    `  by dn.exact="${READER_DN}" read`,
    '  by self read',
    '  by * none',
    '',
  ].join('\n');
}

const BASE_LDIF = `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=services,${BASE_DN}
objectClass: organizationalUnit
ou: services

dn: ${READER_DN}
objectClass: person
cn: reader
sn: reader
userPassword: ${READER_PASSWORD}
`;

/**
 * Starts slapd (Debian's `slapd` package) with its own slapd.conf and an mdb database seeded by
 * slapadd, listening on a free 127.0.0.1 port, logging connections and operations ("stats") so
 * tests can count binds. Stop it with `stop()`.
 */
export async function startSlapd(options: SlapdOptions): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-slapd-'));
  await mkdir(join(dir, 'data'));
  if (options.tls) {
    await writeFile(join(dir, 'cert.pem'), options.tls.cert);
    await writeFile(join(dir, 'key.pem'), options.tls.key, { mode: 0o600 });
  }
  const conf = join(dir, 'slapd.conf');
  await writeFile(conf, config(dir, options.tls !== undefined));
  await writeFile(join(dir, 'seed.ldif'), `${BASE_LDIF}\n${options.ldif}`);
  await run(SLAPADD, ['-f', conf, '-l', join(dir, 'seed.ldif')]);

  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : null;
  const url = `ldap://127.0.0.1:${port}`;
  const secureUrl = tlsPort === null ? null : `ldaps://127.0.0.1:${tlsPort}`;
  const listen = [url, ...(secureUrl ? [secureUrl] : [])].map((u) => `${u}/`).join(' ');
  // -d 256 (stats): stay in the foreground and log each connection and operation to stderr.
  const child = spawn(SLAPD, ['-f', conf, '-h', listen, '-d', '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, () => log);
    if (tlsPort !== null) await waitForPort(tlsPort, child, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const binds = () => [...log.matchAll(/ BIND dn="([^"]*)" method=128/gu)].map((m) => m[1]!);
  return {
    url,
    port,
    secureUrl,
    binds,
    connections: () => [...log.matchAll(/ ACCEPT from IP=/gu)].length,
    searches: () => [...log.matchAll(/ SRCH base="[^"]*" scope=\d deref=\d filter="(.*)"$/gmu)].map((m) => m[1]!),
    startTlsCount: () => [...log.matchAll(/ EXT oid=1\.3\.6\.1\.4\.1\.1466\.20037/gu)].length,
    log: () => log,
    async waitForBinds(count) {
      for (let i = 0; i < 200 && binds().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      if (binds().length < count) throw new Error(`slapd logged ${binds().length} binds, expected ${count}`);
    },
    async modify(ldif) {
      await new Promise<void>((resolve, reject) => {
        const p = execFile('ldapmodify', ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD], (err) => (err ? reject(err) : resolve()));
        p.stdin!.end(ldif);
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP server that accepts connections and never answers: a directory that hangs. It counts
 * connections, so a test can prove that nothing was even attempted.
 */
export async function startSilentServer(): Promise<{ url: string; connections(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    connections: () => count,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A TCP proxy in front of a port that records what the client sends, to check that a secret
 * never crosses the network in clear text.
 */
export async function startTapProxy(targetPort: number): Promise<{ port: number; sent(): Buffer; stop(): Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sent: () => Buffer.concat(chunks),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
