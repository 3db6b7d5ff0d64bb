import type { IncomingMessage, ServerResponse } from 'node:http';

/*
 * The few parts of oidc-provider 9 (which ships no types) that Gatehouse uses, typed from its
 * documentation. Configuration stays loose (`UnknownObject`): oidc-provider validates it at
 * construction itself.
 */
export type UnknownObject = Record<string, unknown>;

export interface AdapterPayload extends UnknownObject {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
  accountId?: string;
  clientId?: string;
  kind?: string;
}

export interface Adapter {
  upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export interface Interaction {
  uid: string;
  jti: string;
  iat: number;
  exp: number;
  returnTo: string;
  params: UnknownObject & { client_id?: string; scope?: string; prompt?: string; redirect_uri?: string };
  prompt: { name: string; reasons: string[]; details: UnknownObject & { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
  session?: { accountId: string; uid: string; cookie?: string };
  grantId?: string;
  lastSubmission?: UnknownObject;
  result?: UnknownObject;
}

export interface Grant {
  jti: string;
  accountId: string;
  clientId: string;
  openid?: { scope?: string; claims?: string[] };
  resources?: Record<string, string>;
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  getOIDCScope(): string;
  getOIDCClaims(): string[];
  getResourceScope(resource: string): string;
  save(ttl?: number): Promise<string>;
  destroy(): Promise<void>;
}

export interface ClientLike {
  clientId: string;
  clientName?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  status: number;
  body: unknown;
  type: string;
  append(name: string, value: string): void;
  oidc: {
    route?: string;
    client?: ClientLike;
    body?: UnknownObject;
    params?: UnknownObject;
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: UnknownObject & { consent?: { grantId?: string } };
    account?: { accountId: string };
    entities: UnknownObject;
  };
}

/** oidc-provider's `errors` export (the part used here). */
export interface ProviderErrors {
  InvalidTarget: new (description?: string) => Error;
}

export interface Provider {
  issuer: string;
  proxy: boolean;
  Grant: { new (properties: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
  Client: { prototype: { redirectUriAllowed(value: string): boolean; postLogoutRedirectUriAllowed(value: string): boolean; compareClientSecret(actual: string): boolean | Promise<boolean> } & ClientLike; find(id: string): Promise<ClientLike | undefined> };
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: UnknownObject, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  interactionResult(req: IncomingMessage, res: ServerResponse, result: UnknownObject, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
  use(middleware: (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>): this;
  on(event: string, listener: (...args: unknown[]) => void): this;
}

/** The module as loaded: the Provider class and its errors. */
export interface OidcProviderModule {
  default: new (issuer: string, configuration: UnknownObject) => Provider;
  errors: ProviderErrors;
}

/** Loads oidc-provider on first use (hosts without applications never load it, nor see its Node 20 warning). */
export async function loadOidcProvider(): Promise<OidcProviderModule> {
  // The ambient typing (oidc-provider-module.d.ts) is loose; OidcProviderModule is what Gatehouse relies on.
  return (await import('oidc-provider')) as unknown as OidcProviderModule;
}
