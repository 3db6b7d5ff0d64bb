import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's `slapd` package puts its programs, schemas and modules. */
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

/** The local directory's names: what `server.ts` connects with by default. */
export const DIRECTORY = {
  baseDN: 'dc=example,dc=org',
  peopleDN: 'ou=people,dc=example,dc=org',
  groupsDN: 'ou=groups,dc=example,dc=org',
  /** The service account Gatehouse searches with: it may read people and groups, never passwords. */
  readerDN: 'cn=gatehouse,ou=services,dc=example,dc=org',
  readerPassword: 'gatehouse-reader-secret',
  /** The directory's own administrator (for ldapmodify while you play with it). */
  adminDN: 'cn=admin,dc=example,dc=org',
  adminPassword: 'admin-secret',
} as const;

/** A person of the local directory, with the groups they are a member of. */
export interface DirectoryPerson {
  uid: string;
  password: string;
  cn: string;
  givenName: string;
  sn: string;
  mail: string;
  groups: readonly string[];
}

/** Who the local directory knows. `everyone` is mapped to no role: unmapped groups grant nothing. */
export const DIRECTORY_PEOPLE: readonly DirectoryPerson[] = [
  { uid: 'jane', password: 'jane-password', cn: 'Jane Doe', givenName: 'Jane', sn: 'Doe', mail: 'jane@example.org', groups: ['engineering', 'everyone'] },
  { uid: 'john', password: 'john-password', cn: 'John Smith', givenName: 'John', sn: 'Smith', mail: 'john@example.org', groups: ['sales', 'everyone'] },
];

/** The DN of one of the local directory's groups. */
export const groupDN = (cn: string) => `cn=${cn},${DIRECTORY.groupsDN}`;

export interface DirectoryOptions {
  /** The TCP port on 127.0.0.1. @default 3890 */
  port?: number;
  /** Where slapd keeps its configuration, database and log; seeded on first start, kept afterwards. @default './data/slapd' */
  dir?: string;
}

/** A running local directory. */
export interface Directory {
  /** `ldap://127.0.0.1:<port>` */
  url: string;
  /** slapd's log (connections, binds and searches): `tail -f` it to watch a login. */
  logFile: string;
  stop(): Promise<void>;
}

function slapdConf(dir: string): string {
  return [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'database mdb',
    'maxsize 10485760',
    `suffix "${DIRECTORY.baseDN}"`,
    `rootdn "${DIRECTORY.adminDN}"`,
    `rootpw ${DIRECTORY.adminPassword}`,
    `directory ${join(dir, 'data')}`,
    // Passwords can be bound with and read by nobody, as a directory team would set it up: the
    // service account finds people, and only a bind as the person checks the password.
    'access to attrs=userPassword',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    `  by dn.exact="${DIRECTORY.readerDN}" read`,
    '  by self read',
    '  by * none',
    '',
  ].join('\n');
}

function seedLdif(): string {
  const entries = [
    `dn: ${DIRECTORY.baseDN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ou=services,${DIRECTORY.baseDN}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${DIRECTORY.readerDN}\nobjectClass: person\ncn: gatehouse\nsn: gatehouse\nuserPassword: ${DIRECTORY.readerPassword}`,
    `dn: ${DIRECTORY.peopleDN}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${DIRECTORY.groupsDN}\nobjectClass: organizationalUnit\nou: groups`,
    ...DIRECTORY_PEOPLE.map((p) =>
      `dn: uid=${p.uid},${DIRECTORY.peopleDN}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.cn}\ngivenName: ${p.givenName}\nsn: ${p.sn}\nmail: ${p.mail}\nuserPassword: ${p.password}`),
    ...[...new Set(DIRECTORY_PEOPLE.flatMap((p) => p.groups))].map((group) => {
      const members = DIRECTORY_PEOPLE.filter((p) => p.groups.includes(group)).map((p) => `member: uid=${p.uid},${DIRECTORY.peopleDN}`);
      return `dn: ${groupDN(group)}\nobjectClass: groupOfNames\ncn: ${group}\n${members.join('\n')}`;
    }),
  ];
  return `${entries.join('\n\n')}\n`;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Starts OpenLDAP's slapd (Debian package `slapd`) with its own slapd.conf in `dir`, listening on
 * 127.0.0.1 only. The first start seeds the database from DIRECTORY_PEOPLE; later starts keep it,
 * so each person keeps their entryUUID, which is the id Gatehouse knows them by.
 */
export async function startDirectory(options: DirectoryOptions = {}): Promise<Directory> {
  const port = options.port ?? 3890;
  const dir = resolve(options.dir ?? './data/slapd');
  if (!existsSync(SLAPD)) throw new Error(`${SLAPD} not found: install the Debian package "slapd" (apt-get install slapd ldap-utils).`);
  if (await listening(port)) throw new Error(`port ${port} is taken: is the directory already running? (set LDAP_PORT to use another port)`);

  const conf = join(dir, 'slapd.conf');
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });
  await writeFile(conf, slapdConf(dir));
  if (!existsSync(join(dir, 'data', 'data.mdb'))) {
    await writeFile(join(dir, 'seed.ldif'), seedLdif());
    await run(SLAPADD, ['-f', conf, '-l', join(dir, 'seed.ldif')]);
  }

  const logFile = join(dir, 'slapd.log');
  const log = await open(logFile, 'a');
  // -d 256 ("stats"): stay in the foreground, so the directory stops with this process, and log
  // each connection, bind and search.
  const child = spawn(SLAPD, ['-f', conf, '-h', `ldap://127.0.0.1:${port}/`, '-d', '256'], { stdio: ['ignore', 'ignore', log.fd] });
  await log.close();
  let spawnError: Error | null = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const tail = async () => (await readFile(logFile, 'utf8')).split('\n').slice(-15).join('\n');
  for (let attempt = 0; !(await listening(port)); attempt++) {
    if (spawnError !== null) throw spawnError;
    if (child.exitCode !== null || attempt === 200) {
      child.kill('SIGKILL');
      throw new Error(`slapd did not start on port ${port}; the end of ${logFile}:\n${await tail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url: `ldap://127.0.0.1:${port}`,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// `npm run directory`: start it, print the logins, stop on Ctrl-C.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const directory = await startDirectory({ port: Number(process.env.LDAP_PORT ?? 3890), dir: process.env.LDAP_DATA_DIR ?? './data/slapd' });
  const logins = DIRECTORY_PEOPLE.map((p) => `    ${p.uid.padEnd(6)} / ${p.password.padEnd(14)} ${p.mail}, groups: ${p.groups.join(', ')}`);
  console.log(`\nLocal LDAP directory on ${directory.url} (base ${DIRECTORY.baseDN})
  sign in to the example with (username or email):
${logins.join('\n')}
  service account: ${DIRECTORY.readerDN} / ${DIRECTORY.readerPassword}
  log: ${directory.logFile}
Ctrl-C stops it; delete ./data/slapd to start over.\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void directory.stop());
  }
}
