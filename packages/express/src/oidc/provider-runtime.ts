import { timingSafeEqual } from 'node:crypto';
import { hashClientSecret, LOG_TYPES } from '@gatehouse/core';
import type { Request } from 'express';
import { loadOidcProvider, type KoaContextLike, type Provider } from './oidc-provider-types.js';
import type { GatehouseContext } from '../context.js';
import type { ResolvedApplicationsOptions } from './applications-options.js';
import { patchClientModel, providerConfiguration } from './provider-configuration.js';
import { loadKeySet, newSigningKey, type KeySet } from './signing-keys.js';

const constantEquals = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Ends the Gatehouse session when the user confirms an RP-initiated logout: oidc-provider ends
 * its own session, this ends the one the hosted pages and the host app share.
 */
async function endGatehouseSession(gh: GatehouseContext, ctx: KoaContextLike): Promise<void> {
  const req = ctx.req as Request;
  const userId = req.user?.user_id ?? null;
  if (!req.session) return;
  await new Promise<void>((resolve, reject) => req.logOut((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
  if (userId) {
    await gh.users.log(LOG_TYPES.successLogout, 'Successful logout (application)', userId, { ip: gh.clientIp(req) }, { client_id: ctx.oidc.client?.clientId ?? null });
  }
}

/**
 * The OpenID Connect provider of one identity(): an oidc-provider instance built over the current
 * signing keys, rebuilt when they change (a rotation here, or one seen in storage within
 * `keyRefreshMs`). Everything else it keeps lives in storage, so a rebuild loses nothing.
 */
export class ProviderRuntime {
  readonly issuer: string;
  private provider: Provider | undefined;
  private keys: KeySet | undefined;
  private loadedAt = 0;
  private loading: Promise<Provider> | undefined;

  constructor(
    private readonly gh: GatehouseContext,
    readonly options: ResolvedApplicationsOptions,
  ) {
    this.issuer = `${gh.options.baseUrl!.origin}${options.path}`;
  }

  /** The provider over the keys in force, re-reading them when they may have changed. */
  async current(): Promise<Provider> {
    const now = Date.now();
    if (this.provider && now - this.loadedAt < this.options.keyRefreshMs) return this.provider;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Makes a new signing key current; the old one stays published for the overlap. */
  async rotateKeys(): Promise<void> {
    const now = this.gh.users.clock();
    await this.gh.storage.rotateSigningKey(newSigningKey(this.gh.options.secrets[0]!, now), now);
    this.invalidate();
  }

  /** The next request re-reads the keys (after a rotation or revocation through the API). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private async load(): Promise<Provider> {
    const keys = await loadKeySet(this.gh.storage, this.gh.options.secrets, this.options.keyOverlapMs, this.gh.users.clock());
    this.loadedAt = Date.now();
    if (this.provider && this.keys?.version === keys.version) return this.provider;
    this.keys = keys;
    this.provider = await this.build(keys);
    return this.provider;
  }

  private async build(keys: KeySet): Promise<Provider> {
    const { default: OidcProvider, errors } = await loadOidcProvider();
    const provider = new OidcProvider(this.issuer, providerConfiguration(this.gh, this.options, keys, errors));
    provider.proxy = this.gh.options.trustProxy !== false;
    patchClientModel(provider.Client, hashClientSecret, constantEquals);
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'end_session_confirm' && ctx.oidc.params?.logout) await endGatehouseSession(this.gh, ctx);
    });
    return provider;
  }
}
