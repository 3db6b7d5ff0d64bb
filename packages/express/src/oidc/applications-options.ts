import { DEFAULTS } from '../defaults.js';

/** An API that applications may get access tokens for (Auth0's "API", a resource server). */
export interface ApiResource {
  /** The API's identifier: the `audience` / `resource` applications ask for, and the tokens' `aud`. An absolute URI. */
  identifier: string;
  /** Shown on the consent page. @default the identifier */
  name?: string;
  /** The scopes it defines (what consent and client credentials may grant). @default [] */
  scopes?: string[];
  /** Lifetime of its access tokens, in seconds. @default 3600 */
  accessTokenTtlSec?: number;
}

/**
 * `identity({ applications: { ... } })`: Gatehouse as an OpenID Connect provider for the host's
 * other applications (web apps, SPAs, mobile apps, APIs). Applications themselves are managed
 * with `/api/v2/clients` and `gatehouse clients`.
 */
export interface ApplicationsOptions {
  /** Where the provider is mounted (outside the auth prefix); the issuer is baseUrl + path. @default '/oidc' */
  path?: string;
  /** The APIs applications may ask JWT access tokens for. @default [] */
  apis?: ApiResource[];
  /** Lifetimes, in seconds. */
  ttl?: {
    /** Opaque access tokens for /userinfo. @default 3600 */
    accessToken?: number;
    /** @default 3600 */
    idToken?: number;
    /** Each refresh token (every use rotates it). @default 14 days */
    refreshToken?: number;
    /** A sign-in's grant: the absolute lifetime of its refresh tokens. @default 30 days */
    grant?: number;
    /** The provider's own login session. @default 14 days */
    session?: number;
  };
  /** How long a signing key rotated out stays in the JWKS, so tokens it signed keep verifying. @default 24 hours */
  keyOverlapMs?: number;
  /** How often each instance re-reads the signing keys (a rotation elsewhere shows up within it). @default 60 seconds */
  keyRefreshMs?: number;
}

export interface ResolvedApplicationsOptions {
  path: string;
  apis: Map<string, Required<ApiResource>>;
  ttl: { accessToken: number; idToken: number; refreshToken: number; grant: number; session: number };
  keyOverlapMs: number;
  keyRefreshMs: number;
}

function invalid(name: string, expected: string, got: unknown): never {
  throw new TypeError(`identity(): option "applications.${name}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

function positive(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) invalid(name, 'a positive integer', v);
  return v;
}

/** Validates `applications` once, at construction (false or absent: no provider). */
export function resolveApplicationsOptions(input: boolean | ApplicationsOptions | undefined, baseUrl: URL | null, prefix: string): ResolvedApplicationsOptions | false {
  if (input === undefined || input === false) return false;
  if (input !== true && (input === null || typeof input !== 'object')) invalid('', 'true, false or an object', input);
  const options: ApplicationsOptions = input === true ? {} : input;
  if (baseUrl === null) {
    // The issuer is in every token and registered at every application: it cannot follow whatever Host header a request brings.
    throw new TypeError('identity(): option "baseUrl" must be set when applications are enabled (the issuer is baseUrl + applications.path)');
  }
  const path = options.path ?? DEFAULTS.applicationsPath;
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~\-/]*[^/]$/u.test(path)) invalid('path', 'a path like "/oidc"', path);
  if (path === prefix || path.startsWith(`${prefix}/`) || path === '/api' || path.startsWith('/api/')) {
    invalid('path', `a path outside the auth prefix (${prefix}) and /api`, path);
  }
  const apis = new Map<string, Required<ApiResource>>();
  if (options.apis !== undefined && !Array.isArray(options.apis)) invalid('apis', 'an array of { identifier, scopes }', '[object]');
  for (const api of options.apis ?? []) {
    if (api === null || typeof api !== 'object' || typeof api.identifier !== 'string' || !URL.canParse(api.identifier)) {
      invalid('apis', 'APIs with an absolute URI as identifier', api);
    }
    const scopes = api.scopes ?? [];
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]{1,191}$/u.test(s))) {
      invalid('apis.scopes', 'an array of scope names (no spaces)', scopes);
    }
    apis.set(api.identifier, {
      identifier: api.identifier,
      name: api.name ?? api.identifier,
      scopes,
      accessTokenTtlSec: positive('apis.accessTokenTtlSec', api.accessTokenTtlSec, DEFAULTS.applicationsAccessTokenTtlSec),
    });
  }
  const ttl = options.ttl ?? {};
  return {
    path,
    apis,
    ttl: {
      accessToken: positive('ttl.accessToken', ttl.accessToken, DEFAULTS.applicationsAccessTokenTtlSec),
      idToken: positive('ttl.idToken', ttl.idToken, DEFAULTS.applicationsIdTokenTtlSec),
      refreshToken: positive('ttl.refreshToken', ttl.refreshToken, DEFAULTS.applicationsRefreshTokenTtlSec),
      grant: positive('ttl.grant', ttl.grant, DEFAULTS.applicationsGrantTtlSec),
      session: positive('ttl.session', ttl.session, DEFAULTS.applicationsSessionTtlSec),
    },
    keyOverlapMs: positive('keyOverlapMs', options.keyOverlapMs, DEFAULTS.applicationsKeyOverlapMs),
    keyRefreshMs: positive('keyRefreshMs', options.keyRefreshMs, DEFAULTS.applicationsKeyRefreshMs),
  };
}
