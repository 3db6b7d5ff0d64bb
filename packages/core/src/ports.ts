import type { ImportStore, JobStore } from './job-ports.js';
import type { ApiTokenStore, ConsentStore, LogStore, PasswordHistoryStore } from './ports/audit-ports.js';
import type { CredentialStore, TokenStore } from './ports/credential-ports.js';
import type { AccountLinkStore, IdentityStore, IdpTokenStore } from './ports/identity-ports.js';
import type { RoleStore } from './ports/role-ports.js';
import type { CacheStore, LoginBlockStore, PasswordlessCodeStore } from './ports/security-ports.js';
import type { SessionStore } from './ports/session-ports.js';
import type { UserStore } from './ports/user-ports.js';
import type { ApplicationStore, OidcPayloadStore, SigningKeyStore } from './applications/application-ports.js';

export type * from './job-ports.js';

/*
 * The storage ports: narrow interfaces shaped by the use cases of the user service and the
 * middleware. Every method below is REQUIRED unless marked "optional". Adapters return plain
 * domain objects (never ORM models), and throw GatehouseError for the conditions named here:
 * `user_exists` for a uniqueness violation, `storage_unavailable` when the database cannot be
 * reached. Every write is atomic: a failed call leaves nothing behind.
 *
 * `core/testing` has a reference in-memory implementation and a conformance suite that every
 * adapter must pass.
 */

export type * from './ports/user-ports.js';
export type * from './ports/credential-ports.js';
export type * from './ports/session-ports.js';
export type * from './ports/role-ports.js';
export type * from './ports/audit-ports.js';
export type * from './ports/identity-ports.js';
export type * from './ports/security-ports.js';

/** Everything Gatehouse stores, behind one object. */
export interface Storage
  extends UserStore, CredentialStore, TokenStore, SessionStore, RoleStore, LogStore, ApiTokenStore, IdentityStore, ImportStore, JobStore, PasswordHistoryStore, ConsentStore, CacheStore, LoginBlockStore,
    AccountLinkStore, IdpTokenStore, ApplicationStore, OidcPayloadStore, SigningKeyStore, PasswordlessCodeStore {
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>;
  /** Optional: is the database reachable (for health checks)? */
  ping?(): Promise<boolean>;
  close(): Promise<void>;
}
