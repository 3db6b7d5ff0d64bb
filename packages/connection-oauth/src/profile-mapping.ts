import type { Clock, IdpTokens, JsonValue } from '@gatehouse/core';

/** Raw profileData larger than this (as JSON) is not kept: it is informational, not worth a large row. */
const MAX_PROFILE_DATA_JSON = 16 * 1024;

/** A non-empty string, or undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Only what the provider vouches for: `email_verified` true (some providers send the string
 * "true"). Anything else, absent included, is unverified.
 */
export function vouched(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The provider's claims, JSON-safe and without `omit`, as an identity's profileData; undefined when empty or too large. */
export function profileDataOf(claims: Record<string, unknown>, omit: readonly string[] = []): Record<string, JsonValue> | undefined {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (omit.includes(key) || key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    kept[key] = value;
  }
  const json = JSON.stringify(kept);
  if (json === '{}' || json.length > MAX_PROFILE_DATA_JSON) return undefined;
  return JSON.parse(json) as Record<string, JsonValue>;
}

/** The tokens of a token endpoint response, with the access token's expiry as a date. */
export function tokensOf(response: { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown }, clock: Clock): IdpTokens {
  const expiresIn = Number(response.expires_in);
  const tokens: IdpTokens = {};
  const access = text(response.access_token);
  const refresh = text(response.refresh_token);
  if (access !== undefined) tokens.access_token = access;
  if (refresh !== undefined) tokens.refresh_token = refresh;
  if (Number.isFinite(expiresIn) && expiresIn > 0) tokens.expires_at = new Date(clock().getTime() + expiresIn * 1000);
  return tokens;
}

/** The provider answered its profile endpoint with something other than a JSON object (an outage, for the user). */
export class ProfileFetchError extends Error {
  override readonly name = 'ProfileFetchError';
}

/** How long a profile request may take before the login answers 503. */
export const PROFILE_TIMEOUT_MS = 10_000;

/** GETs a provider's JSON API with the user's access token. */
export async function fetchJson(url: string, accessToken: string, headers: Record<string, string> = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', 'user-agent': 'gatehouse', ...headers, authorization: `Bearer ${accessToken}` },
      redirect: 'error',
      signal: AbortSignal.timeout(PROFILE_TIMEOUT_MS),
    });
  } catch (err) {
    throw new ProfileFetchError(`GET ${url} failed`, { cause: err });
  }
  if (!response.ok) throw new ProfileFetchError(`GET ${url} answered ${response.status}`);
  try {
    return await response.json();
  } catch (err) {
    throw new ProfileFetchError(`GET ${url} did not answer JSON`, { cause: err });
  }
}
