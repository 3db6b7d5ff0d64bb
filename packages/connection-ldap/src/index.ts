export { ldap } from './ldap-connection.js';
export { LDAP_DEFAULTS, type LdapOptions, type LdapProfileField } from './ldap-options.js';
export { escapeFilterValue } from './ldap-filter.js';
export { LDAP_PROVIDER } from './ldap-profile.js';
