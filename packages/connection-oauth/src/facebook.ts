import { createHmac } from 'node:crypto';
import { GatehouseError, type Connection, type ExternalProfile } from '@gatehouse/core';
import { oauth2Preset, type OAuth2PresetOptions } from './oauth2-preset.js';
import { fetchJson, profileDataOf, text } from './profile-mapping.js';

const GRAPH_VERSION = 'v21.0';

/**
 * Facebook's Graph `/me` as an ExternalProfile: `facebook|<app-scoped id>`. Facebook does not say
 * whether it confirmed the address it returns, so the email is never treated as verified (and
 * never links accounts automatically).
 */
export function facebookProfile(me: Record<string, unknown>): ExternalProfile {
  const id = text(me.id);
  if (id === undefined) throw new GatehouseError('invalid_profile', { message: 'Facebook sent a profile without id.' });
  const picture = (me.picture as { data?: { url?: unknown; is_silhouette?: unknown } } | undefined)?.data;
  const profile: ExternalProfile = {
    provider: 'facebook',
    user_id: id,
    email: text(me.email) ?? null,
    email_verified: false,
    name: text(me.name) ?? null,
    given_name: text(me.first_name) ?? null,
    family_name: text(me.last_name) ?? null,
    picture: picture && picture.is_silhouette !== true ? (text(picture.url) ?? null) : null,
  };
  const profileData = profileDataOf(me, ['id', 'email', 'name', 'first_name', 'last_name', 'picture']);
  if (profileData) profile.profileData = profileData;
  return profile;
}

/**
 * Sign in with Facebook (Meta). Asks for `public_profile email`; every Graph call carries
 * `appsecret_proof`, so a leaked user token is useless without the app secret.
 *
 * @example
 * facebook({ clientID: process.env.FACEBOOK_APP_ID!, clientSecret: process.env.FACEBOOK_APP_SECRET! })
 */
export function facebook(options: OAuth2PresetOptions): Connection {
  return oauth2Preset(
    {
      factory: 'facebook',
      name: 'facebook',
      displayName: 'Facebook',
      authorizationURL: `https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`,
      tokenURL: `https://graph.facebook.com/${GRAPH_VERSION}/oauth/access_token`,
      apiURL: `https://graph.facebook.com/${GRAPH_VERSION}`,
      scope: ['public_profile', 'email'],
      scopeSeparator: ',',
      async profile(accessToken, { apiURL, clientSecret }) {
        const proof = createHmac('sha256', clientSecret).update(accessToken).digest('hex');
        const fields = 'id,name,first_name,last_name,email,picture.type(large)';
        const me = await fetchJson(`${apiURL}/me?fields=${encodeURIComponent(fields)}&appsecret_proof=${proof}`, accessToken);
        if (me === null || typeof me !== 'object') throw new GatehouseError('invalid_profile', { message: 'Facebook sent no profile.' });
        return facebookProfile(me as Record<string, unknown>);
      },
    },
    options,
  );
}
