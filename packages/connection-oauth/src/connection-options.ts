import type { ConnectionKind } from '@gatehouse/core';

/** Options every connection of this package takes. */
export interface SocialConnectionOptions {
  /** The connection's name: its URL segment (`/auth/<name>`, `/auth/callback/<name>`) and `identities[].connection`. */
  name?: string;
  /** Shown on the login page ("Continue with <displayName>"). */
  displayName?: string;
  /** Scopes to ask for; the defaults ask for the profile and email. */
  scope?: string | string[];
  /** Refresh the user's name, picture... from the provider at each login. @default true */
  syncUserProfile?: boolean;
  /**
   * Link a first login to the existing account with the same email when both the provider and the
   * account have it verified (see the README's account linking). @default true
   */
  linkVerifiedEmail?: boolean;
}

/** A TypeError naming the factory and option: configuration mistakes fail at start-up. */
export function optionError(factory: string, option: string, expected: string): TypeError {
  return new TypeError(`${factory}(): ${option} must be ${expected}`);
}

export function requireText(factory: string, options: object, key: string): string {
  const value = (options as Record<string, unknown>)[key];
  if (typeof value !== 'string' || value.trim() === '') throw optionError(factory, key, 'a non-empty string');
  return value;
}

export function optionalText(factory: string, options: object, key: string): string | undefined {
  const value = (options as Record<string, unknown>)[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw optionError(factory, key, 'a non-empty string');
  return value;
}

/** An absolute http(s) URL; http only when `allowHttp`. */
export function optionalUrl(factory: string, options: object, key: string, allowHttp = true): string | undefined {
  const value = optionalText(factory, options, key);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw optionError(factory, key, 'an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) throw optionError(factory, key, allowHttp ? 'an http(s) URL' : 'an https URL');
  return value;
}

export function optionalBoolean(factory: string, options: object, key: string): boolean | undefined {
  const value = (options as Record<string, unknown>)[key];
  if (value !== undefined && typeof value !== 'boolean') throw optionError(factory, key, 'true or false');
  return value as boolean | undefined;
}

/** Scopes as a list (a string is split on spaces). */
export function scopeList(factory: string, value: unknown, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  const list = typeof value === 'string' ? value.split(/\s+/u).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s === '' || /\s/u.test(s))) {
    throw optionError(factory, 'scope', 'a non-empty list of scopes (or a space-separated string)');
  }
  return list as string[];
}

/** The parts of a Connection that every factory here fills from SocialConnectionOptions. */
export function connectionBasics(factory: string, options: SocialConnectionOptions, defaults: { name: string; displayName: string }) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${factory}() needs an options object`);
  return {
    name: optionalText(factory, options, 'name') ?? defaults.name,
    kind: 'social' as ConnectionKind,
    displayName: optionalText(factory, options, 'displayName') ?? defaults.displayName,
    loginMode: 'redirect' as const,
    syncUserProfile: optionalBoolean(factory, options, 'syncUserProfile') ?? true,
    linkVerifiedEmail: optionalBoolean(factory, options, 'linkVerifiedEmail') ?? true,
  };
}
