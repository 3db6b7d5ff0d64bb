import { systemClock, type Clock } from '../clock.js';
import { GatehouseError } from '../gatehouse-error.js';
import type { Storage } from '../ports.js';
import {
  applicationDefaults,
  checkApplication,
  hashClientSecret,
  newClientId,
  newClientSecret,
  type Application,
  type ApplicationInput,
  type ApplicationRecord,
} from './application.js';

/** An application as shown: everything but the secret's hash. */
export function publicApplication({ client_secret_hash: _hash, ...app }: ApplicationRecord): Application {
  return app;
}

/** A created or re-keyed application, with its secret shown this once (absent for a public client). */
export type ApplicationWithSecret = Application & { client_secret?: string };

/**
 * Applications (OAuth clients) as the management API and the CLI manage them: defaults by
 * application type, one validation, secrets stored as SHA-256 and shown only at creation and
 * rotation.
 *
 * @example
 * const apps = new Applications(storage);
 * const { client_id, client_secret } = await apps.create({ name: 'Shop', callbacks: ['https://shop.example.com/callback'] });
 */
export class Applications {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(input: ApplicationInput): Promise<ApplicationWithSecret> {
    const appType = input.app_type ?? 'regular_web';
    const now = this.clock();
    const fields: Omit<Application, 'client_id' | 'created_at' | 'updated_at'> = {
      name: input.name,
      description: input.description ?? '',
      app_type: appType,
      is_first_party: input.is_first_party ?? false,
      callbacks: input.callbacks ?? [],
      allowed_logout_urls: input.allowed_logout_urls ?? [],
      web_origins: input.web_origins ?? [],
      ...applicationDefaults(appType),
      ...(input.grant_types === undefined ? {} : { grant_types: input.grant_types }),
      ...(input.token_endpoint_auth_method === undefined ? {} : { token_endpoint_auth_method: input.token_endpoint_auth_method }),
      access_policy: input.access_policy ?? 'all_users',
      access_roles: input.access_roles ?? [],
      api_grants: input.api_grants ?? [],
    };
    checkApplication(fields);
    const secret = fields.token_endpoint_auth_method === 'none' ? undefined : newClientSecret();
    const record: ApplicationRecord = {
      client_id: newClientId(),
      ...fields,
      client_secret_hash: secret === undefined ? null : hashClientSecret(secret),
      created_at: now,
      updated_at: now,
    };
    const created = publicApplication(await this.storage.createApplication(record));
    return secret === undefined ? created : { ...created, client_secret: secret };
  }

  async get(clientId: string): Promise<Application> {
    const app = await this.storage.getApplication(clientId);
    if (!app) throw new GatehouseError('inexistent_client');
    return publicApplication(app);
  }

  async list(page: number, perPage: number): Promise<{ applications: Application[]; total: number }> {
    const { applications, total } = await this.storage.listApplications(page, perPage);
    return { applications: applications.map(publicApplication), total };
  }

  /** Applies a validated partial input; a confidential client turned public loses its secret (and the reverse gets one, shown once). */
  async update(clientId: string, changes: Partial<ApplicationInput>): Promise<ApplicationWithSecret> {
    const current = await this.storage.getApplication(clientId);
    if (!current) throw new GatehouseError('inexistent_client');
    const merged = { ...publicApplication(current), ...changes };
    checkApplication(merged);
    let secret: string | undefined;
    let client_secret_hash: string | null | undefined;
    if (merged.token_endpoint_auth_method === 'none') client_secret_hash = null;
    else if (current.client_secret_hash === null) {
      secret = newClientSecret();
      client_secret_hash = hashClientSecret(secret);
    }
    const updated = await this.storage.updateApplication(clientId, { ...changes, client_secret_hash, updated_at: this.clock() });
    if (!updated) throw new GatehouseError('inexistent_client');
    return secret === undefined ? publicApplication(updated) : { ...publicApplication(updated), client_secret: secret };
  }

  /** A new secret, shown once; the old one stops working at once (Auth0's rotate-secret). */
  async rotateSecret(clientId: string): Promise<ApplicationWithSecret> {
    const current = await this.storage.getApplication(clientId);
    if (!current) throw new GatehouseError('inexistent_client');
    if (current.token_endpoint_auth_method === 'none') {
      throw new GatehouseError('invalid_body', { message: 'A public client (token_endpoint_auth_method "none") has no secret.' });
    }
    const secret = newClientSecret();
    const updated = await this.storage.updateApplication(clientId, { client_secret_hash: hashClientSecret(secret), updated_at: this.clock() });
    if (!updated) throw new GatehouseError('inexistent_client');
    return { ...publicApplication(updated), client_secret: secret };
  }

  async delete(clientId: string): Promise<void> {
    if (!(await this.storage.deleteApplication(clientId))) throw new GatehouseError('inexistent_client');
  }
}
