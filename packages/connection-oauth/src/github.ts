import { GatehouseError, type Connection, type ExternalProfile } from '@gatehouse/core';
import { oauth2Preset, type OAuth2PresetOptions } from './oauth2-preset.js';
import { fetchJson, profileDataOf, text } from './profile-mapping.js';

/** GitHub's `/user/emails` entries. */
interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

const GITHUB_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

/**
 * GitHub's `/user` and `/user/emails` as an ExternalProfile: `github|<numeric id>`, the primary
 * email with GitHub's own `verified` flag (the public profile email alone is never trusted).
 */
export function githubProfile(user: Record<string, unknown>, emails: unknown): ExternalProfile {
  const id = typeof user.id === 'number' || typeof user.id === 'string' ? String(user.id) : undefined;
  if (id === undefined || id === '') throw new GatehouseError('invalid_profile', { message: 'GitHub sent a profile without id.' });
  const list = Array.isArray(emails) ? (emails as GitHubEmail[]) : [];
  const primary = list.find((e) => e?.primary === true && typeof e.email === 'string');
  const email = text(primary?.email) ?? text(user.email);
  const entry = list.find((e) => e?.email === email);
  const login = text(user.login);
  const profile: ExternalProfile = {
    provider: 'github',
    user_id: id,
    email: email ?? null,
    email_verified: email !== undefined && entry?.verified === true,
    name: text(user.name) ?? login ?? null,
    nickname: login ?? null,
    picture: text(user.avatar_url) ?? null,
  };
  // GitHub's profile is mostly API links; keep what describes the person.
  const described = Object.fromEntries(Object.entries(user).filter(([key]) => !key.endsWith('_url') || key === 'html_url'));
  const profileData = profileDataOf(described, ['id', 'email', 'name']);
  if (profileData) profile.profileData = profileData;
  return profile;
}

/**
 * Sign in with GitHub (OAuth 2.0 app or GitHub App user tokens). Asks for `read:user user:email`;
 * `apiURL` (with authorizationURL/tokenURL) points it at GitHub Enterprise Server.
 *
 * @example
 * github({ clientID: process.env.GITHUB_ID!, clientSecret: process.env.GITHUB_SECRET! })
 */
export function github(options: OAuth2PresetOptions): Connection {
  return oauth2Preset(
    {
      factory: 'github',
      name: 'github',
      displayName: 'GitHub',
      authorizationURL: 'https://github.com/login/oauth/authorize',
      tokenURL: 'https://github.com/login/oauth/access_token',
      apiURL: 'https://api.github.com',
      scope: ['read:user', 'user:email'],
      async profile(accessToken, { apiURL }) {
        const user = await fetchJson(`${apiURL}/user`, accessToken, GITHUB_HEADERS);
        if (user === null || typeof user !== 'object') throw new GatehouseError('invalid_profile', { message: 'GitHub sent no profile.' });
        const emails = await fetchJson(`${apiURL}/user/emails`, accessToken, GITHUB_HEADERS);
        return githubProfile(user as Record<string, unknown>, emails);
      },
    },
    options,
  );
}
