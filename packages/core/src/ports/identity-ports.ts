import type { Identity, User } from '../user.js';
import type { UserChanges } from './user-ports.js';

/* Identities: account linking and the tokens of identity providers. See ../ports.ts for the rules every port follows. */

/** Options of IdentityStore.linkUser. */
export interface LinkUserOptions {
  /** The time of the change (the primary's updated_at). @default now */
  at?: Date;
  /** Atomically refuses with `last_admin` (nothing changed) when the secondary is the only holder of this role. */
  keepHolderOf?: string;
}

/** Account linking, as Auth0's `POST/DELETE /users/{id}/identities`. */
export interface IdentityStore {
  /**
   * Atomically moves every identity of the secondary user onto the primary (after the primary's
   * own, the secondary's main identity carrying the secondary's root profile as `profileData`,
   * see linkedIdentities) and deletes the secondary with its password, tokens, sessions, role
   * grants and metadata, as deleteUser does. The primary keeps its own profile, password and
   * metadata: the secondary's user_metadata is not merged (Auth0 keeps the primary's).
   * `inexistent_user` when either is missing (so of concurrent calls on one pair exactly one
   * succeeds), `invalid_body` when both are the same user. Resolves to the primary after the link.
   */
  linkUser(primaryUserId: string, secondaryUserId: string, options?: LinkUserOptions): Promise<User>;
  /**
   * Atomically takes the identity (provider, providerUserId) off the user and makes it a user of
   * its own (unlinkedUserRecord: user_id `provider|id`, profile from its profileData, no password,
   * empty metadata, created at `at`). `inexistent_user` for an unknown user, `inexistent_identity`
   * when the user has no such identity, `invalid_body` for the user's main identity, `user_exists`
   * when the new user's id, email or username is taken. Resolves to the user's remaining
   * identities and the new user.
   */
  unlinkIdentity(
    userId: string,
    provider: string,
    providerUserId: string,
    options?: { at?: Date },
  ): Promise<{ identities: Identity[]; unlinked: User }>;
}

/** Options of AccountLinkStore.attachIdentity. */
export interface AttachIdentityOptions {
  /** Root profile changes written with the link (e.g. `email_verified`); `updated_at` is the time of the link. */
  changes?: UserChanges;
  /**
   * The pre-account-hijacking defence: in the same transaction, delete the user's password hash
   * and one-time tokens and end every session of the user, so whoever registered the unverified
   * account cannot use it once the verified owner's identity is attached.
   */
  revokeCredentials?: boolean;
}

/** Automatic account linking at login (an external identity joining an existing user). */
export interface AccountLinkStore {
  /**
   * Atomically adds `identity` to the user (after its other identities), with `changes` and, when
   * asked, `revokeCredentials`. `inexistent_user` for an unknown user; `user_exists` when the
   * identity (provider, user_id) already belongs to a user, or `changes` take another user's email
   * or username on the user's connection (nothing written). Resolves to the user after the change.
   */
  attachIdentity(userId: string, identity: Identity, options?: AttachIdentityOptions): Promise<User>;
}

/** An identity's tokens from its provider, sealed by core (AES-256-GCM) before they reach a store. */
export interface IdpTokenRecord {
  /** The user holding the identity now. */
  user_id: string;
  provider: string;
  provider_user_id: string;
  /** Ciphertext: stores never see provider tokens in the clear. */
  sealed: string;
  updated_at: Date;
}

/** Provider tokens of identities (Auth0's `identities[].access_token`), one record per identity. */
export interface IdpTokenStore {
  /**
   * Stores the record, replacing the one of the same identity (provider, provider_user_id) even
   * if another user held it. `inexistent_user` for an unknown user. Records go with their user
   * (deleteUser, and linkUser's secondary).
   */
  setIdpTokens(record: IdpTokenRecord): Promise<void>;
  /** The records held by the user, ordered by provider then provider_user_id. */
  listIdpTokens(userId: string): Promise<IdpTokenRecord[]>;
}
