export { google, googleProfile, type GoogleOptions } from './google.js';
export { oidc, oidcProfile, type OidcOptions, type OidcMapping } from './oidc.js';
export { github, githubProfile } from './github.js';
export { microsoft, type MicrosoftOptions } from './microsoft.js';
export { facebook, facebookProfile } from './facebook.js';
export { x, xProfile } from './x.js';
export type { OAuth2PresetOptions } from './oauth2-preset.js';
export type { SocialConnectionOptions } from './connection-options.js';
