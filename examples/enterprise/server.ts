import { existsSync, readFileSync } from 'node:fs';
import { createEnterpriseApp } from './app.js';
import { DIRECTORY } from './directory.js';

/** An environment variable, or undefined when unset or empty. */
const env = (name: string): string | undefined => process.env[name] || undefined;

/** A JSON object from an environment variable (role maps), or undefined. */
function jsonEnv<T>(name: string): T | undefined {
  const raw = env(name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new TypeError(`${name} must be JSON, e.g. {"Engineers":"engineering"}`);
  }
}

/** The IdP's signing certificate: SAML_IDP_CERT (PEM), else the file the local test IdP wrote. */
function idpCert(): string {
  const pem = env('SAML_IDP_CERT');
  if (pem) return pem;
  const file = env('SAML_IDP_CERT_FILE') ?? './data/test-idp/idp-cert.pem';
  if (!existsSync(file)) {
    console.error(`No IdP certificate at ${file}. Start the test IdP first (npm run idp), or set SAML_IDP_CERT / SAML_IDP_CERT_FILE.`);
    process.exit(1);
  }
  return readFileSync(file, 'utf8');
}

const port = Number(env('PORT') ?? 3001);
const baseUrl = env('BASE_URL') ?? `http://localhost:${port}`;
const ldapCa = env('LDAP_CA_FILE');

const { app, auth, ready } = createEnterpriseApp({
  baseUrl,
  // Unset: identity()'s development defaults (SQLite under ./data, a generated secret, mail printed
  // to the console), which it refuses under NODE_ENV=production.
  database: env('DATABASE_URL'),
  saml: {
    entryPoint: env('SAML_ENTRY_POINT') ?? 'http://localhost:7000/sso',
    idpIssuer: env('SAML_IDP_ISSUER') ?? 'http://localhost:7000/metadata',
    idpCert: idpCert(),
    rolesAttribute: env('SAML_ROLES_ATTRIBUTE'),
    roleMap: jsonEnv('SAML_ROLE_MAP'),
  },
  ldap: {
    url: env('LDAP_URL') ?? 'ldap://127.0.0.1:3890',
    bindDN: env('LDAP_BIND_DN') ?? DIRECTORY.readerDN,
    bindCredentials: env('LDAP_BIND_PASSWORD') ?? DIRECTORY.readerPassword,
    searchBase: env('LDAP_SEARCH_BASE') ?? DIRECTORY.peopleDN,
    searchFilter: env('LDAP_SEARCH_FILTER'),
    groupSearchBase: env('LDAP_GROUP_SEARCH_BASE') ?? DIRECTORY.groupsDN,
    groupRoleMap: jsonEnv('LDAP_GROUP_ROLE_MAP'),
    // A private CA for ldaps:// (certificates are always verified).
    tls: ldapCa ? { ca: readFileSync(ldapCa, 'utf8') } : undefined,
  },
  identity: {
    secret: env('GATEHOUSE_SECRET'),
    mail: { transport: env('SMTP_URL') ?? 'console' },
  },
});

await ready;
const server = app.listen(port, () => {
  console.log(`\nGatehouse enterprise example on ${baseUrl}
  home:          ${baseUrl}/ (who is signed in, and their roles)
  sign in:       ${baseUrl}/auth/login (LDAP: pick "Corp directory" in the form)
  SAML login:    ${baseUrl}/auth/corp-sso
  SP metadata:   ${baseUrl}/auth/corp-sso/metadata (give this to the IdP)
  protected:     ${baseUrl}/profile, ${baseUrl}/engineering (engineering role)
`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void auth.close();
  });
}
