import { GatehouseError, type Connection, type ExternalProfile } from '@gatehouse/core';
import { oauth2Preset, type OAuth2PresetOptions } from './oauth2-preset.js';
import { fetchJson, profileDataOf, text } from './profile-mapping.js';

/**
 * X's `GET /2/users/me` as an ExternalProfile: `twitter|<id>` (Auth0's provider name). X does not
 * share the email by default, so users from X have none unless the app is approved for it.
 */
export function xProfile(body: Record<string, unknown>): ExternalProfile {
  const data = (body.data ?? {}) as Record<string, unknown>;
  const id = text(data.id);
  if (id === undefined) throw new GatehouseError('invalid_profile', { message: 'X sent a profile without id.' });
  const profile: ExternalProfile = {
    provider: 'twitter',
    user_id: id,
    name: text(data.name) ?? null,
    nickname: text(data.username) ?? null,
    picture: text(data.profile_image_url) ?? null,
  };
  const profileData = profileDataOf(data, ['id', 'name', 'profile_image_url']);
  if (profileData) profile.profileData = profileData;
  return profile;
}

/**
 * Sign in with X (formerly Twitter), OAuth 2.0 with PKCE. Asks for `users.read tweet.read`
 * (X's minimum to read the user) and `offline.access` for a refresh token; the client
 * authenticates to the token endpoint with HTTP Basic, as X requires.
 *
 * @example
 * x({ clientID: process.env.X_CLIENT_ID!, clientSecret: process.env.X_CLIENT_SECRET! })
 */
export function x(options: OAuth2PresetOptions): Connection {
  return oauth2Preset(
    {
      factory: 'x',
      name: 'x',
      displayName: 'X',
      authorizationURL: 'https://x.com/i/oauth2/authorize',
      tokenURL: 'https://api.x.com/2/oauth2/token',
      apiURL: 'https://api.x.com/2',
      scope: ['users.read', 'tweet.read', 'offline.access'],
      basicAuth: true,
      async profile(accessToken, { apiURL }) {
        const body = await fetchJson(`${apiURL}/users/me?user.fields=profile_image_url,username,name`, accessToken);
        if (body === null || typeof body !== 'object') throw new GatehouseError('invalid_profile', { message: 'X sent no profile.' });
        return xProfile(body as Record<string, unknown>);
      },
    },
    options,
  );
}
