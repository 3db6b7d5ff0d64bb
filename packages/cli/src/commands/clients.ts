import { parseArgs } from 'node:util';
import { Applications, parseApplicationInput, type Application, type ApplicationInput, type ApplicationWithSecret } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Output } from '../main.js';
import { DATABASE_HELP, databaseUrl } from './database-option.js';

const HELP = `Usage: gatehouse clients <create|list|get|update|rotate-secret|delete|allow|disallow> [options]

Applications (OAuth 2.0 / OpenID Connect clients) of identity({ applications }). A client secret is
stored hashed: it is printed once, at creation and rotation.

  gatehouse clients create --name "Shop" --callbacks https://shop.example.com/callback [--logout-urls URL,...]
                           [--type regular_web|spa|native|non_interactive] [--web-origins ORIGIN,...]
                           [--access all_users|roles|allow_list] [--roles ROLE_ID,...] [--first-party]
                           [--api AUDIENCE=scope1+scope2 ...]
  gatehouse clients list
  gatehouse clients get CLIENT_ID
  gatehouse clients update CLIENT_ID [the create options]
  gatehouse clients rotate-secret CLIENT_ID
  gatehouse clients delete CLIENT_ID
  gatehouse clients allow CLIENT_ID USER_ID      (put the user on the application's allow-list)
  gatehouse clients disallow CLIENT_ID USER_ID

Options:
${DATABASE_HELP}
  -h, --help       Show this help`;

const OPTIONS = {
  database: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  description: { type: 'string' },
  type: { type: 'string' },
  callbacks: { type: 'string' },
  'logout-urls': { type: 'string' },
  'web-origins': { type: 'string' },
  access: { type: 'string' },
  roles: { type: 'string' },
  'first-party': { type: 'boolean' },
  api: { type: 'string', multiple: true },
} as const;

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== ''));

/** The command-line options as a `POST /clients` body, validated by the same rules. */
function inputOf(values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'], partial: boolean) {
  const body: Record<string, unknown> = {
    name: values.name,
    description: values.description,
    app_type: values.type,
    callbacks: list(values.callbacks),
    allowed_logout_urls: list(values['logout-urls']),
    web_origins: list(values['web-origins']),
    access_policy: values.access,
    access_roles: list(values.roles),
    is_first_party: values['first-party'],
    api_grants: values.api?.map((spec) => {
      const at = spec.lastIndexOf('=');
      if (at < 1) throw new TypeError(`--api must look like https://api.example.com/=read:x+write:x, got "${spec}"`);
      return { audience: spec.slice(0, at), scope: spec.slice(at + 1).split('+').filter((s) => s !== '') };
    }),
  };
  const defined = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  try {
    return partial ? parseApplicationInput(defined, true) : parseApplicationInput(defined, false);
  } catch (err) {
    throw new TypeError((err as Error).message);
  }
}

function show(app: ApplicationWithSecret): string {
  const lines = [
    `${app.client_id}  ${JSON.stringify(app.name)}  ${app.app_type}`,
    `  callbacks:    ${app.callbacks.join(' ') || '-'}`,
    `  logout urls:  ${app.allowed_logout_urls.join(' ') || '-'}`,
    `  web origins:  ${app.web_origins.join(' ') || '-'}`,
    `  grant types:  ${app.grant_types.join(' ')}  (${app.token_endpoint_auth_method})`,
    `  access:       ${app.access_policy}${app.access_policy === 'roles' ? ` ${app.access_roles.join(' ')}` : ''}${app.is_first_party ? ', first party (no consent page)' : ''}`,
  ];
  for (const g of app.api_grants) lines.push(`  api:          ${g.audience} ${g.scope.join(' ')}`);
  if (app.client_secret) lines.push('Copy the client secret now; it is not shown again:', app.client_secret);
  return lines.join('\n');
}

/** `gatehouse clients ...`: the same operations as `/api/v2/clients`, straight on the database. */
export async function clientsCommand(argv: string[], io: Output): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help') {
    io.out(HELP);
    return sub === undefined ? 1 : 0;
  }
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const storage = createSequelizeStorage({ url: databaseUrl(values.database) });
  try {
    await storage.migrate();
    const apps = new Applications(storage);
    const one = (): string => {
      if (positionals.length < 1) throw new TypeError(`give a client id, e.g. gatehouse clients ${sub} CLIENT_ID`);
      return positionals[0]!;
    };
    switch (sub) {
      case 'create':
        io.out(show(await apps.create(inputOf(values, false) as ApplicationInput)));
        return 0;
      case 'list': {
        const { applications } = await apps.list(0, 1000);
        io.out(applications.length === 0 ? 'No applications.' : applications.map((a: Application) => show(a)).join('\n'));
        return 0;
      }
      case 'get':
        io.out(show(await apps.get(one())));
        return 0;
      case 'update':
        io.out(show(await apps.update(one(), inputOf(values, true))));
        return 0;
      case 'rotate-secret':
        io.out(show(await apps.rotateSecret(one())));
        return 0;
      case 'delete':
        await apps.delete(one());
        io.out(`Deleted ${one()}.`);
        return 0;
      case 'allow':
      case 'disallow': {
        const [clientId, userId] = positionals;
        if (!clientId || !userId) throw new TypeError(`give a client id and a user id, e.g. gatehouse clients ${sub} CLIENT_ID 'auth0|…'`);
        if (sub === 'allow') await storage.addUserApplications(userId, [clientId]);
        else await storage.removeUserApplications(userId, [clientId]);
        io.out(`${sub === 'allow' ? 'Allowed' : 'Took off the allow-list:'} ${userId} ${sub === 'allow' ? 'to use' : 'for'} ${clientId}.`);
        return 0;
      }
      default:
        io.err(`gatehouse clients: unknown subcommand "${sub}"\n\n${HELP}`);
        return 1;
    }
  } finally {
    await storage.close();
  }
}
