import { createHash, randomBytes } from 'node:crypto';
import { GatehouseError } from '../gatehouse-error.js';
import { validateAllowedUrl } from './callback-urls.js';

/** Auth0's application types: what the application is decides its defaults. */
export const APP_TYPES = ['regular_web', 'spa', 'native', 'non_interactive'] as const;
export type AppType = (typeof APP_TYPES)[number];

/** The OAuth grants an application may use. */
export const APPLICATION_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type ApplicationGrantType = (typeof APPLICATION_GRANT_TYPES)[number];

/** How an application authenticates at the token endpoint (`none`: a public client with PKCE). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/**
 * Who may sign in to an application: everyone, the holders of one of `access_roles`, or the
 * users put on its allow-list (`POST /api/v2/users/{id}/clients`).
 */
export const ACCESS_POLICIES = ['all_users', 'roles', 'allow_list'] as const;
export type AccessPolicy = (typeof ACCESS_POLICIES)[number];

/** What a machine-to-machine application may ask of an API with client credentials. */
export interface ApiGrant {
  /** The API's identifier (the `audience` / `resource` of the token request). */
  audience: string;
  scope: string[];
}

/**
 * An application (an OAuth 2.0 / OpenID Connect client of Gatehouse), in Auth0's client shape.
 * The secret is stored as its SHA-256 only: it is shown once, at creation and rotation.
 */
export interface Application {
  client_id: string;
  name: string;
  description: string;
  app_type: AppType;
  /** Skips the consent page, as Auth0 does for the tenant's own applications. */
  is_first_party: boolean;
  /** Allowed redirect_uri values (Auth0's rules, `*` as a subdomain). */
  callbacks: string[];
  /** Allowed post_logout_redirect_uri values. */
  allowed_logout_urls: string[];
  /** Origins that may call `/userinfo` (and the token endpoint) from a browser, with CORS. */
  web_origins: string[];
  grant_types: ApplicationGrantType[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  access_policy: AccessPolicy;
  /** Role ids whose holders may sign in, with access_policy `roles`. */
  access_roles: string[];
  /** APIs and scopes for client credentials. */
  api_grants: ApiGrant[];
  created_at: Date;
  updated_at: Date;
}

/** An application as stored: with the SHA-256 (hex) of its secret, null for a public client. */
export interface ApplicationRecord extends Application {
  client_secret_hash: string | null;
}

/** What an update may change; the secret changes only by rotation. */
export type ApplicationChanges = Partial<Omit<Application, 'client_id' | 'created_at'>> & { updated_at: Date; client_secret_hash?: string | null };

/** What `POST /clients` takes. */
export type ApplicationInput = Partial<Omit<Application, 'client_id' | 'created_at' | 'updated_at'>> & { name: string };

/** The SHA-256 (hex) of a client secret: secrets have 256 random bits, so no slow hash is needed. */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new random client id (32 characters, as Auth0's). */
export function newClientId(): string {
  return randomBytes(24).toString('base64url');
}

/** A new random client secret (64 characters). */
export function newClientSecret(): string {
  return randomBytes(48).toString('base64url');
}

const FIELDS = [
  'name', 'description', 'app_type', 'is_first_party', 'callbacks', 'allowed_logout_urls', 'web_origins',
  'grant_types', 'token_endpoint_auth_method', 'access_policy', 'access_roles', 'api_grants',
] as const;

function bad(field: string, message: string): never {
  throw new GatehouseError('invalid_body', { field, message });
}

function text(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string' || value.length < min || value.length > max || /[\u0000-\u001f\u007f]/u.test(value)) {
    bad(field, `${field} must be ${min} to ${max} characters without control characters.`);
  }
  return value;
}

function list<T>(value: unknown, field: string, max: number, item: (v: unknown) => T): T[] {
  if (!Array.isArray(value) || value.length > max) bad(field, `${field} must be an array of at most ${max} items.`);
  return [...new Set(value.map(item))];
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) bad(field, `${field} must be one of: ${allowed.join(', ')}.`);
  return value as T;
}

function origin(value: unknown, field: string): string {
  if (typeof value !== 'string') bad(field, `${field} must be a list of origins (https://app.example.com).`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    bad(field, `${field}: ${JSON.stringify(value)} is not an origin (https://app.example.com).`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.replace(/\/$/u, '')) {
    bad(field, `${field}: ${JSON.stringify(value)} is not an origin (scheme://host[:port], no path).`);
  }
  return url.origin;
}

function apiGrant(value: unknown): ApiGrant {
  const field = 'api_grants';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(field, 'api_grants items must be {audience, scope: [...]}.');
  const { audience, scope, ...extra } = value as Record<string, unknown>;
  if (Object.keys(extra).length > 0) bad(field, 'api_grants items must be {audience, scope: [...]}.');
  return {
    audience: text(audience, field, 1, 255),
    scope: list(scope ?? [], field, 100, (s) => text(s, field, 1, 191)).filter((s) => !/\s/u.test(s)),
  };
}

/** The grant types and auth method an application type gets when the body leaves them out. */
export function applicationDefaults(appType: AppType): { grant_types: ApplicationGrantType[]; token_endpoint_auth_method: TokenEndpointAuthMethod } {
  switch (appType) {
    case 'non_interactive':
      return { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };
    case 'spa':
    case 'native':
      return { grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };
    case 'regular_web':
      return { grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_basic' };
  }
}

/**
 * Validates a `POST /clients` body (or, with `partial`, a `PATCH`): known fields only, URLs by
 * Auth0's rules, origins as origins. 400 `invalid_body` naming the field for anything else.
 */
export function parseApplicationInput(body: unknown, partial: false): ApplicationInput;
export function parseApplicationInput(body: unknown, partial: true): Partial<ApplicationInput>;
export function parseApplicationInput(body: unknown, partial: boolean): Partial<ApplicationInput> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) bad('body', 'The request body must be a JSON object.');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) bad(unknown, `Unknown field: ${unknown}.`);
  const out: Partial<ApplicationInput> = {};
  if (input.name !== undefined || !partial) out.name = text(input.name, 'name', 1, 100);
  if (input.description !== undefined) out.description = text(input.description, 'description', 0, 140);
  if (input.app_type !== undefined) out.app_type = oneOf(input.app_type, 'app_type', APP_TYPES);
  if (input.is_first_party !== undefined) {
    if (typeof input.is_first_party !== 'boolean') bad('is_first_party', 'is_first_party must be true or false.');
    out.is_first_party = input.is_first_party;
  }
  if (input.callbacks !== undefined) out.callbacks = list(input.callbacks, 'callbacks', 100, (u) => validateAllowedUrl(u, 'callbacks'));
  if (input.allowed_logout_urls !== undefined) {
    out.allowed_logout_urls = list(input.allowed_logout_urls, 'allowed_logout_urls', 100, (u) => validateAllowedUrl(u, 'allowed_logout_urls'));
  }
  if (input.web_origins !== undefined) out.web_origins = list(input.web_origins, 'web_origins', 100, (o) => origin(o, 'web_origins'));
  if (input.grant_types !== undefined) {
    out.grant_types = list(input.grant_types, 'grant_types', 3, (g) => oneOf(g, 'grant_types', APPLICATION_GRANT_TYPES));
  }
  if (input.token_endpoint_auth_method !== undefined) {
    out.token_endpoint_auth_method = oneOf(input.token_endpoint_auth_method, 'token_endpoint_auth_method', TOKEN_ENDPOINT_AUTH_METHODS);
  }
  if (input.access_policy !== undefined) out.access_policy = oneOf(input.access_policy, 'access_policy', ACCESS_POLICIES);
  if (input.access_roles !== undefined) out.access_roles = list(input.access_roles, 'access_roles', 50, (r) => text(r, 'access_roles', 1, 255));
  if (input.api_grants !== undefined) out.api_grants = list(input.api_grants, 'api_grants', 20, apiGrant);
  return out;
}

/**
 * Checks the combination an application ends up with (after defaults or a merge): a public client
 * cannot use client credentials, code flow needs a callback.
 */
export function checkApplication(app: Omit<Application, 'client_id' | 'created_at' | 'updated_at'>): void {
  if (app.token_endpoint_auth_method === 'none' && app.grant_types.includes('client_credentials')) {
    bad('grant_types', 'A public client (token_endpoint_auth_method "none") cannot use client_credentials.');
  }
  if (app.grant_types.includes('refresh_token') && !app.grant_types.includes('authorization_code')) {
    bad('grant_types', 'refresh_token needs authorization_code.');
  }
}
