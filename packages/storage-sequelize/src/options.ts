import type { Sequelize } from 'sequelize';

/** The databases the adapter speaks to. `mariadb` runs over the mysql2 driver. */
export type Dialect = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';

/** Options of {@link createSequelizeStorage}. Give `url` or `sequelize`, not both. */
export interface SequelizeStorageOptions {
  /**
   * Where the database is: `sqlite:./data/gatehouse.sqlite` (a file, its directory created),
   * `sqlite::memory:` (tests, one process), `postgres://user:pass@host:5432/db`,
   * `mysql://user:pass@host:3306/db` or `mariadb://…`.
   */
  url?: string;
  /** An existing Sequelize instance to use instead of `url`; the caller keeps owning (and closing) it. */
  sequelize?: Sequelize;
  /**
   * Log each SQL statement: `true` logs to the console, a function receives the SQL.
   * @default false
   */
  logging?: boolean | ((sql: string) => void);
  /**
   * SQLite: how long a statement waits for another process's write lock before failing with
   * `storage_unavailable`.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * PostgreSQL and MySQL: how long opening a connection may take, so an unreachable database
   * fails a request instead of hanging it.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Prepended to every table and index name, so Gatehouse can share a database with the app.
   * Letters, digits and `_`, at most 32 characters (index names must fit MySQL's 64).
   * @default 'gatehouse_'
   */
  tablePrefix?: string;
  /**
   * User search totals are exact up to this many matches; above it PostgreSQL answers the
   * planner's estimate (flagged `totalIsEstimate`), so `include_totals` stays cheap on millions of
   * users. SQLite and MySQL always count exactly.
   * @default 10000
   */
  exactCountUpTo?: number;
}

export const DEFAULTS = {
  logging: false,
  busyTimeoutMs: 5000,
  connectTimeoutMs: 10_000,
  tablePrefix: 'gatehouse_',
  exactCountUpTo: 10_000,
} as const satisfies Partial<SequelizeStorageOptions>;

/** Where the connection comes from, once the options are checked. */
export type ConnectionSource =
  | { kind: 'sqlite-file'; dialect: 'sqlite'; storage: string }
  | { kind: 'sqlite-memory'; dialect: 'sqlite' }
  | { kind: 'url'; dialect: Exclude<Dialect, 'sqlite'>; url: string }
  | { kind: 'instance'; dialect: Dialect; sequelize: Sequelize };

export interface ResolvedOptions {
  source: ConnectionSource;
  logging: false | ((sql: string) => void);
  busyTimeoutMs: number;
  connectTimeoutMs: number;
  tablePrefix: string;
  exactCountUpTo: number;
}

const NETWORK_SCHEMES: Record<string, Exclude<Dialect, 'sqlite'>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mariadb',
};

/** Checks the options and fills in the defaults; throws a TypeError naming the bad option. */
export function resolveOptions(options: SequelizeStorageOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createSequelizeStorage(options): options must be an object with `url` or `sequelize`.');
  }
  const merged = {
    logging: options.logging ?? DEFAULTS.logging,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    tablePrefix: options.tablePrefix ?? DEFAULTS.tablePrefix,
    exactCountUpTo: options.exactCountUpTo ?? DEFAULTS.exactCountUpTo,
  };
  if (!Number.isInteger(merged.exactCountUpTo) || merged.exactCountUpTo < 0) {
    throw new TypeError(`options.exactCountUpTo must be a non-negative integer, got ${String(merged.exactCountUpTo)}.`);
  }
  if (typeof merged.logging !== 'boolean' && typeof merged.logging !== 'function') {
    throw new TypeError('options.logging must be a boolean or a function.');
  }
  if (!Number.isInteger(merged.busyTimeoutMs) || merged.busyTimeoutMs < 0) {
    throw new TypeError(`options.busyTimeoutMs must be a non-negative integer (milliseconds), got ${String(merged.busyTimeoutMs)}.`);
  }
  if (!Number.isInteger(merged.connectTimeoutMs) || merged.connectTimeoutMs <= 0) {
    throw new TypeError(`options.connectTimeoutMs must be a positive integer (milliseconds), got ${String(merged.connectTimeoutMs)}.`);
  }
  if (typeof merged.tablePrefix !== 'string' || !/^[A-Za-z0-9_]{0,32}$/.test(merged.tablePrefix)) {
    throw new TypeError('options.tablePrefix must be at most 32 letters, digits or underscores.');
  }
  return {
    source: resolveSource(options),
    logging: merged.logging === true ? (sql: string) => console.log(sql) : merged.logging,
    busyTimeoutMs: merged.busyTimeoutMs,
    connectTimeoutMs: merged.connectTimeoutMs,
    tablePrefix: merged.tablePrefix,
    exactCountUpTo: merged.exactCountUpTo,
  };
}

function resolveSource(options: SequelizeStorageOptions): ConnectionSource {
  if (options.url !== undefined && options.sequelize !== undefined) {
    throw new TypeError('Give options.url or options.sequelize, not both.');
  }
  if (options.sequelize !== undefined) {
    const instance = options.sequelize as unknown as { getDialect?: () => string };
    if (typeof instance?.getDialect !== 'function') {
      throw new TypeError('options.sequelize must be a Sequelize instance.');
    }
    const dialect = instance.getDialect();
    if (!isDialect(dialect)) {
      throw new TypeError(`options.sequelize uses the "${dialect}" dialect; Gatehouse supports sqlite, postgres, mysql and mariadb.`);
    }
    return { kind: 'instance', dialect, sequelize: options.sequelize };
  }
  if (typeof options.url !== 'string' || options.url === '') {
    throw new TypeError('options.url is required (e.g. "sqlite:./data/gatehouse.sqlite" or "postgres://user@host/db"), or pass options.sequelize.');
  }
  return parseUrl(options.url);
}

function parseUrl(url: string): ConnectionSource {
  // Error messages name the scheme only: the URL may carry a password.
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite:') {
    const rest = url.slice('sqlite:'.length);
    if (rest === ':memory:' || rest === '//:memory:') return { kind: 'sqlite-memory', dialect: 'sqlite' };
    // `sqlite:./x`, `sqlite:/abs/x` and `sqlite:///abs/x` are all accepted.
    const storage = rest.startsWith('//') ? rest.slice(2) : rest;
    if (storage === '') throw new TypeError('options.url "sqlite:" needs a file path, e.g. "sqlite:./data/gatehouse.sqlite" or "sqlite::memory:".');
    return { kind: 'sqlite-file', dialect: 'sqlite', storage };
  }
  const dialect = scheme === undefined ? undefined : NETWORK_SCHEMES[scheme];
  if (dialect === undefined) {
    throw new TypeError(
      `options.url has an unknown scheme "${scheme ?? '(none)'}"; use sqlite:, postgres:, postgresql:, mysql: or mariadb:.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`options.url is not a valid ${scheme} URL.`);
  }
  if (parsed.hostname === '' || parsed.pathname.length <= 1) {
    throw new TypeError(`options.url must name a host and a database, e.g. "${scheme}//user@127.0.0.1/gatehouse".`);
  }
  // MariaDB speaks the MySQL protocol; Sequelize's own mariadb dialect would need another driver.
  return { kind: 'url', dialect, url: dialect === 'mariadb' ? `mysql:${url.slice(scheme!.length)}` : url };
}

function isDialect(value: string): value is Dialect {
  return value === 'sqlite' || value === 'postgres' || value === 'mysql' || value === 'mariadb';
}
