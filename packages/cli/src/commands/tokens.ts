import { parseArgs } from 'node:util';
import { ApiTokens, MANAGEMENT_SCOPES, type ApiTokenInfo } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Output } from '../main.js';
import { DATABASE_HELP, databaseUrl } from './database-option.js';

const HELP = `Usage: gatehouse tokens <create|list|revoke> [options]

Management API tokens (Authorization: Bearer gh_…). Only a token's SHA-256 is stored: the token
is printed once, at creation.

  gatehouse tokens create --scopes "read:users update:users" [--name N] [--expires-in 30d]
  gatehouse tokens list
  gatehouse tokens revoke ID

Run 'gatehouse tokens <subcommand> --help' for its options.`;

const CREATE_HELP = `Usage: gatehouse tokens create --scopes "SCOPE ..." [options]

Mints a management API token and prints it once.

Options:
  --scopes S        Space- or comma-separated scopes (required). Known scopes:
                    ${MANAGEMENT_SCOPES.join(' ')}
  --name N          A name to recognize the token by (default "api token")
  --expires-in D    Lifetime: 30d, 12h, 45m, 90s, or 0 for never (default 30d)
${DATABASE_HELP}
  -h, --help        Show this help`;

const LIST_HELP = `Usage: gatehouse tokens list [--database URL]

Lists every token with its id, name, scopes, creation, expiry and status (never the token).

Options:
${DATABASE_HELP}
  -h, --help       Show this help`;

const REVOKE_HELP = `Usage: gatehouse tokens revoke ID [--database URL]

Revokes a token at once; calls with it get 401 from then on.

Options:
${DATABASE_HELP}
  -h, --help       Show this help`;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `45m`, `90s` in milliseconds; `0` for never (null). */
export function parseDuration(value: string): number | null {
  if (value === '0') return null;
  const match = /^([1-9]\d{0,5})([smhd])$/u.exec(value);
  if (!match) throw new TypeError(`--expires-in must look like 30d, 12h, 45m, 90s, or 0 for never; got "${value}"`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

function status(token: ApiTokenInfo, now: Date): string {
  if (token.revoked_at) return `revoked ${token.revoked_at.toISOString()}`;
  if (token.expires_at && token.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

async function withTokens<T>(database: string | undefined, work: (tokens: ApiTokens) => Promise<T>): Promise<T> {
  const storage = createSequelizeStorage({ url: databaseUrl(database) });
  try {
    await storage.migrate();
    return await work(new ApiTokens(storage));
  } finally {
    await storage.close();
  }
}

export async function tokensCommand(argv: string[], io: Output): Promise<number> {
  const [sub, ...rest] = argv;
  const common = { database: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { ...common, scopes: { type: 'string' }, name: { type: 'string' }, 'expires-in': { type: 'string' } },
      });
      if (values.help) {
        io.out(CREATE_HELP);
        return 0;
      }
      if (values.scopes === undefined) throw new TypeError('--scopes is required, e.g. --scopes "read:users update:users"');
      const scopes = values.scopes.split(/[\s,]+/u).filter((s) => s !== '');
      const ttlMs = parseDuration(values['expires-in'] ?? '30d');
      const minted = await withTokens(values.database, (tokens) => tokens.mint({ scopes, name: values.name, ttlMs }));
      io.out(
        `Created token ${minted.id} ("${minted.name}")\n` +
          `  scopes:  ${minted.scopes.join(' ')}\n` +
          `  expires: ${minted.expires_at ? minted.expires_at.toISOString() : 'never'}\n` +
          `Copy the token now; it is not shown again:\n${minted.token}`,
      );
      return 0;
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: common });
      if (values.help) {
        io.out(LIST_HELP);
        return 0;
      }
      const list = await withTokens(values.database, (tokens) => tokens.list());
      if (list.length === 0) {
        io.out('No tokens.');
        return 0;
      }
      const now = new Date();
      for (const t of list) {
        io.out(
          `${t.id}  ${JSON.stringify(t.name)}  ${status(t, now)}  created ${t.created_at.toISOString()}  ` +
            `expires ${t.expires_at ? t.expires_at.toISOString() : 'never'}  scopes: ${t.scopes.join(' ')}`,
        );
      }
      return 0;
    }
    case 'revoke': {
      const { values, positionals } = parseArgs({ args: rest, options: common, allowPositionals: true });
      if (values.help) {
        io.out(REVOKE_HELP);
        return 0;
      }
      if (positionals.length !== 1) throw new TypeError('give exactly one token id, e.g. gatehouse tokens revoke tok_…');
      const id = positionals[0]!;
      if (!(await withTokens(values.database, (tokens) => tokens.revoke(id)))) {
        io.err(`gatehouse tokens revoke: no active token ${id}`);
        return 1;
      }
      io.out(`Revoked ${id}.`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
      io.out(HELP);
      return sub === undefined ? 1 : 0;
    default:
      io.err(`gatehouse tokens: unknown subcommand "${sub}"\n\n${HELP}`);
      return 1;
  }
}
