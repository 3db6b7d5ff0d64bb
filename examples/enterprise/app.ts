import { randomBytes } from 'node:crypto';
import { ldap, type LdapOptions } from '@gatehouse/connection-ldap';
import { saml, type SamlConnectionOptions } from '@gatehouse/connection-saml';
import { identity, requireAuth, type IdentityOptions, type IdentityRouter } from '@gatehouse/express';
import escapeHtml from 'escape-html';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** The roles this app hands out from enterprise groups, created at start-up when missing. */
export const EXAMPLE_ROLES: Readonly<Record<string, string>> = {
  engineering: 'Engineers (from the IdP or directory group "engineering"): may open /engineering.',
  sales: 'Sales (from the IdP or directory group "sales").',
};

/** The SAML connection's settings: `saml()`'s options, with the name and role mapping defaulted. */
export type SamlSettings = Omit<SamlConnectionOptions, 'name'> & { name?: string };
/** The LDAP connection's settings: `ldap()`'s options, with the name and role mapping defaulted. */
export type LdapSettings = Omit<LdapOptions, 'name'> & { name?: string };

export interface EnterpriseConfig {
  /** Where browsers reach the app; the SAML ACS URL and SP entity ID derive from it. */
  baseUrl: string;
  /** A database URL or a Storage. @default 'sqlite:./data/gatehouse.sqlite' */
  database?: IdentityOptions['database'];
  /** The IdP: `entryPoint`, `idpCert`, `idpIssuer`. Groups come from the `groups` attribute unless `rolesAttribute` says otherwise. */
  saml: SamlSettings;
  /** The directory: `url`, `bindDN`, `bindCredentials`, `searchBase`, and `groupSearchBase` for roles. */
  ldap: LdapSettings;
  /** Any other identity() option (secret, mail, logger...). */
  identity?: Omit<IdentityOptions, 'baseUrl' | 'database' | 'connections'>;
}

export interface EnterpriseApp {
  app: Express;
  auth: IdentityRouter;
  /** Resolves when the database is migrated and the example's roles exist. */
  ready: Promise<void>;
}

/**
 * The enterprise example: Gatehouse with a SAML connection (your customer's IdP) and an LDAP
 * connection (their directory), each mapping groups to the same roles; a home page that shows
 * who is signed in, a protected profile page, and a page only the engineering role may open.
 */
export function createEnterpriseApp(config: EnterpriseConfig): EnterpriseApp {
  const { name: samlName = 'corp-sso', ...samlOptions } = config.saml;
  const { name: ldapName = 'corp-ldap', ...ldapOptions } = config.ldap;
  const groupSearchBase = ldapOptions.groupSearchBase;
  const samlConnection = saml({
    ...samlOptions,
    name: samlName,
    displayName: samlOptions.displayName ?? 'Corp SSO (SAML)',
    // A group named like one of our roles grants it; other groups grant nothing.
    rolesAttribute: samlOptions.rolesAttribute ?? 'groups',
    roleMap: samlOptions.roleMap ?? Object.fromEntries(Object.keys(EXAMPLE_ROLES).map((role) => [role, role])),
  });
  const ldapConnection = ldap({
    ...ldapOptions,
    name: ldapName,
    displayName: ldapOptions.displayName ?? 'Corp directory (LDAP)',
    // The directory's groups named like our roles: cn=engineering,<groupSearchBase>...
    groupRoleMap: ldapOptions.groupRoleMap
      ?? (groupSearchBase ? Object.fromEntries(Object.keys(EXAMPLE_ROLES).map((role) => [`cn=${role},${groupSearchBase}`, role])) : {}),
  });
  const connections = [samlConnection, ldapConnection];
  const roleNames = new Set(Object.keys(EXAMPLE_ROLES));
  for (const connection of connections) for (const role of connection.managedRoles ?? []) roleNames.add(role);

  const app = express();
  const auth = identity({
    appName: 'Gatehouse enterprise example',
    // People come from the IdP and the directory; nobody signs up with a password here.
    signup: false,
    ...config.identity,
    baseUrl: config.baseUrl,
    // Left undefined, identity() uses its SQLite file and refuses it under NODE_ENV=production.
    database: config.database,
    connections,
  });
  app.use(auth);
  const storage = () => auth.gatehouse.storage;
  const prefix = auth.gatehouse.options.prefix;
  const rolesOf = async (userId: string) => (await storage().getUserRoles(userId)).map((r) => r.name).sort();

  app.get('/', async (req, res) => {
    if (!req.user) {
      res.send(page('Gatehouse enterprise example', `<h1>Gatehouse enterprise example</h1>
<p><a href="${prefix}/login">Sign in</a> with your directory account (choose "${escapeHtml(ldapConnection.displayName)}" in the form),
or <a href="${prefix}/${escapeHtml(samlName)}?returnTo=%2F">continue with ${escapeHtml(samlConnection.displayName)}</a>.</p>`));
      return;
    }
    const user = req.user;
    const roles = await rolesOf(user.user_id);
    const connection = user.identities.map((i) => i.connection).join(', ');
    res.send(page('Gatehouse enterprise example', `<h1>Gatehouse enterprise example</h1>
<dl>
  <dt>Name</dt><dd id="name">${escapeHtml(user.name ?? '')}</dd>
  <dt>Email</dt><dd id="email">${escapeHtml(user.email ?? '')}</dd>
  <dt>Connection</dt><dd id="connection">${escapeHtml(connection)}</dd>
  <dt>Roles</dt><dd id="roles">${roles.length ? escapeHtml(roles.join(', ')) : '(none)'}</dd>
  <dt>User id</dt><dd id="user-id">${escapeHtml(user.user_id)}</dd>
</dl>
<p><a href="/profile">Your profile</a> · <a href="/engineering">Engineering</a> · <a href="${prefix}/logout">Sign out</a></p>`));
  });

  app.get('/profile', requireAuth(), (req, res) => {
    const profile = escapeHtml(JSON.stringify(req.user, null, 2));
    res.send(page('Your profile', `<h1>Hello ${escapeHtml(req.user!.name ?? '')}</h1><pre>${profile}</pre><p><a href="/">Home</a></p>`));
  });

  app.get('/engineering', requireAuth(), requireRole(rolesOf, 'engineering'), (req, res) => {
    res.send(page('Engineering', `<h1>Engineering</h1><p>Only the engineering role sees this page, ${escapeHtml(req.user!.name ?? '')}.</p><p><a href="/">Home</a></p>`));
  });

  const ready = auth.ready.then(() => ensureRoles(auth, roleNames));
  return { app, auth, ready };
}

/** Lets through signed-in users holding `role` (after requireAuth()); others get a 403 page. */
function requireRole(rolesOf: (userId: string) => Promise<string[]>, role: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    rolesOf(req.user!.user_id).then((roles) => {
      if (roles.includes(role)) return next();
      res.status(403).send(page('Forbidden', `<h1>Forbidden</h1><p>This page needs the ${escapeHtml(role)} role.</p><p><a href="/">Home</a></p>`));
    }, next);
  };
}

/**
 * Creates the roles the connections map groups to. Connections skip roles that do not exist, so
 * without this the first logins would grant nothing.
 */
async function ensureRoles(auth: IdentityRouter, names: Iterable<string>): Promise<void> {
  const storage = auth.gatehouse.storage;
  for (const name of names) {
    if (await storage.getRoleByName(name)) continue;
    const description = EXAMPLE_ROLES[name] ?? 'Mapped from an enterprise group.';
    try {
      await storage.createRole({ id: `rol_${randomBytes(8).toString('hex')}`, name, description, permissions: [] });
    } catch (err) {
      // Another instance starting at the same time may have created it first.
      if (!(await storage.getRoleByName(name))) throw err;
    }
  }
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{background:#f3f4f8;padding:1rem;overflow:auto}dt{font-weight:600}</style></head>
<body><main>${body}</main></body></html>`;
}
