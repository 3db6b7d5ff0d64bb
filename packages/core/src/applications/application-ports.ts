import type { ApplicationChanges, ApplicationRecord } from './application.js';

/*
 * The storage ports of Gatehouse as an OpenID Connect provider: applications and who may use
 * them, remembered consents, the provider's own artifacts (oidc-provider's adapter: sessions,
 * codes, tokens, grants...) and its signing keys. Every method is required.
 */

/**
 * A user's remembered consent to an application: the scopes and claims agreed to, per user and
 * application (one row each), and the provider grant that carries them.
 */
export interface ApplicationGrant {
  /** `cgr_<random>`. */
  id: string;
  user_id: string;
  client_id: string;
  /** OpenID scopes agreed to (`openid profile email offline_access`). */
  scope: string[];
  /** Individual claims agreed to (the `claims` request parameter). */
  claims: string[];
  /** API scopes agreed to, by API identifier. */
  resource_scopes: Record<string, string[]>;
  /** The oidc-provider Grant id the tokens hang on; null once it has expired. */
  oidc_grant_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ApplicationStore {
  /** Stores a new application; `user_exists` (a uniqueness violation) when its client_id is taken. */
  createApplication(app: ApplicationRecord): Promise<ApplicationRecord>;
  getApplication(clientId: string): Promise<ApplicationRecord | null>;
  /** Applications by name then client_id, a page at a time, with the total. */
  listApplications(page: number, perPage: number): Promise<{ applications: ApplicationRecord[]; total: number }>;
  /** Changes the listed fields; null when absent. */
  updateApplication(clientId: string, changes: ApplicationChanges): Promise<ApplicationRecord | null>;
  /** Deletes the application with its allow-list and grants; false when absent. */
  deleteApplication(clientId: string): Promise<boolean>;

  /** Puts the user on the applications' allow-lists (idempotent). `inexistent_user` / `inexistent_client` (nothing added). */
  addUserApplications(userId: string, clientIds: string[]): Promise<void>;
  /** Takes the user off those allow-lists (absent entries are ignored). */
  removeUserApplications(userId: string, clientIds: string[]): Promise<void>;
  /** The client ids whose allow-list has the user, sorted. */
  listUserApplications(userId: string): Promise<string[]>;

  /** Creates or replaces the user's consent to the application (one per pair; the id of an existing one is kept). */
  saveApplicationGrant(grant: ApplicationGrant): Promise<ApplicationGrant>;
  getApplicationGrant(userId: string, clientId: string): Promise<ApplicationGrant | null>;
  /** Grants of a user, or of an application, or both; oldest first (ties by id). */
  listApplicationGrants(filter: { userId?: string; clientId?: string }): Promise<ApplicationGrant[]>;
  /** Deletes the grant and resolves to it (so its tokens can be revoked), or null when absent. */
  deleteApplicationGrant(id: string): Promise<ApplicationGrant | null>;
}

/** One artifact of the provider (oidc-provider's adapter payload), by model and id. */
export interface OidcPayloadRecord {
  /** oidc-provider's model name: `Session`, `AccessToken`, `RefreshToken`, `Grant`, `Interaction`... */
  model: string;
  id: string;
  /** The payload as JSON text. */
  payload: string;
  /** For revocation of everything issued under one grant. */
  grant_id: string | null;
  /** Device flow lookups. */
  user_code: string | null;
  /** Session lookups by uid. */
  uid: string | null;
  /** null: does not expire. */
  expires_at: Date | null;
}

/** A found artifact: its payload and when it was consumed (codes, rotated refresh tokens). */
export interface OidcPayloadFound {
  payload: string;
  consumed_at: Date | null;
}

export interface OidcPayloadStore {
  /** Creates or replaces the artifact (a replaced one is no longer consumed). */
  upsertOidcPayload(record: OidcPayloadRecord): Promise<void>;
  /** The artifact, unless absent or expired at `now` (expiry is exclusive). */
  findOidcPayload(model: string, id: string, now: Date): Promise<OidcPayloadFound | null>;
  findOidcPayloadByUid(model: string, uid: string, now: Date): Promise<OidcPayloadFound | null>;
  findOidcPayloadByUserCode(model: string, userCode: string, now: Date): Promise<OidcPayloadFound | null>;
  /** Marks the artifact consumed at `at`; of concurrent calls exactly one resolves true. */
  consumeOidcPayload(model: string, id: string, at: Date): Promise<boolean>;
  deleteOidcPayload(model: string, id: string): Promise<void>;
  /** Deletes every artifact issued under the grant, and the grant; resolves to how many. */
  revokeOidcGrant(grantId: string): Promise<number>;
  /** Deletes artifacts expired at `now`; resolves to how many. */
  sweepOidcPayloads(now: Date): Promise<number>;
}

/**
 * A signing key of the provider. The private key is stored encrypted (by the middleware, with a
 * key derived from its secret); the storage never sees it in the clear.
 */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** The public JWK, JSON text (for the JWKS). */
  public_jwk: string;
  /** The private JWK, encrypted, opaque to the storage. */
  encrypted_jwk: string;
  created_at: Date;
  /** When a newer key took over signing; the key is still published for the overlap after it. */
  rotated_at: Date | null;
  /** When it was withdrawn from the JWKS. */
  revoked_at: Date | null;
}

export interface SigningKeyStore {
  /**
   * Makes `key` the current signing key: in one transaction, every unrotated key gets
   * `rotated_at = at` and the new key is added.
   */
  rotateSigningKey(key: SigningKeyRecord, at: Date): Promise<void>;
  /** Adds the key only when no key exists at all (first start on several instances at once); resolves true when added. */
  addFirstSigningKey(key: SigningKeyRecord): Promise<boolean>;
  /** Every key, newest first (ties by kid). */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Sets revoked_at on a key not revoked yet; false when there is no such key or it is already revoked. */
  revokeSigningKey(kid: string, at: Date): Promise<boolean>;
}
