export { saml } from './saml-connection.js';
export type { SamlConnectionOptions } from './saml-options.js';
export { DEFAULT_ATTRIBUTE_MAP, type ProfileField } from './attribute-map.js';
