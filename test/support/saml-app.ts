import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Connection, Storage } from '@gatehouse/core';
import { saml, type SamlConnectionOptions } from '@gatehouse/connection-saml';
import { identity, type IdentityRouter } from '@gatehouse/express';
import express from 'express';
import type * as samlify from 'samlify';
import supertest from 'supertest';
import type { ParsedAuthnRequest, ResponseSpec, TestIdp } from './saml-idp.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A host app listening on a loopback port, with one SAML connection. */
export interface SamlApp {
  server: Server;
  /** `http://127.0.0.1:<port>` of this server. */
  url: string;
  /** The baseUrl identity() was given (another instance's, when several stand behind one address). */
  baseUrl: string;
  auth: IdentityRouter;
  connection: Connection;
  /** The connection's name (random per app, so runs never share users on the shared databases). */
  name: string;
  acsUrl: string;
  spEntityID: string;
  close(): Promise<void>;
}

export interface SamlAppOptions {
  storage: Storage;
  /** The connection's options besides name (a random one) and the IdP defaults the test passes. */
  connection: Omit<SamlConnectionOptions, 'name'> & { name?: string };
  /** Another instance's baseUrl: both then act as one app behind one address. */
  baseUrl?: string;
}

/** A name no other run uses. */
export const connectionName = () => `corp${randomBytes(4).toString('hex')}`;

/**
 * Starts the server first, so that identity()'s baseUrl (from which the ACS URL, the SP entity
 * ID and the Destination/Recipient checks derive) carries the real port.
 */
export async function startSamlApp(options: SamlAppOptions): Promise<SamlApp> {
  const app = express();
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = options.baseUrl ?? url;
  const name = options.connection.name ?? connectionName();
  const connection = saml({ ...options.connection, name });
  const auth = identity({
    database: options.storage,
    baseUrl,
    secret: 'test-secret-that-is-long-enough-0123456789',
    mail: { transport: 'console' },
    logger: quiet,
    connections: [connection],
  });
  app.use(auth);
  app.get('/private', (req, res) => {
    if (!req.user) return res.status(401).json({ anonymous: true });
    res.json({ user_id: req.user.user_id });
  });
  await auth.ready;
  return {
    server,
    url,
    baseUrl,
    auth,
    connection,
    name,
    acsUrl: `${baseUrl}/auth/callback/${name}`,
    spEntityID: options.connection.spIssuer ?? `${baseUrl}/auth/${name}/metadata`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
    },
  };
}


/** The browser's part of a SAML login against one app and one IdP. */
export class SamlBrowser {
  constructor(
    readonly app: SamlApp,
    readonly idp: TestIdp,
    readonly sp: samlify.ServiceProviderInstance,
  ) {}

  /** `GET /auth/<name>`: the app must redirect to the IdP with an AuthnRequest, which the IdP reads. */
  async begin(returnTo = '/private'): Promise<ParsedAuthnRequest> {
    const res = await supertest(this.app.url).get(`/auth/${this.app.name}`).query({ returnTo }).expect(302);
    return this.idp.parseAuthnRequest(this.sp, res.headers.location as string);
  }

  /** A response spec answering `request` for `nameID`, valid until a test changes it. */
  spec(request: ParsedAuthnRequest | null, nameID: string, attributes: Record<string, string | string[]> = {}): ResponseSpec {
    return this.idp.spec({ acsUrl: this.app.acsUrl, entityID: this.app.spEntityID }, request?.id ?? null, nameID, attributes);
  }

  /**
   * Posts a response to the ACS as the IdP's auto-submitted form does: cross-site, so without the
   * session cookie. Returns the answer (a 303 to returnTo, or the login page with the error's
   * status) and an agent holding whatever session it set.
   */
  async post(samlResponse: string, relayState?: string, options: { to?: SamlApp } = {}) {
    const agent = supertest.agent((options.to ?? this.app).url);
    const form: Record<string, string> = { SAMLResponse: samlResponse };
    if (relayState !== undefined) form.RelayState = relayState;
    const res = await agent.post(`/auth/callback/${this.app.name}`).type('form').send(form);
    return { res, agent };
  }

  /** A whole SP-initiated login of `nameID`; resolves to the ACS answer and the agent. */
  async login(nameID: string, attributes: Record<string, string | string[]> = {}, returnTo = '/private') {
    const request = await this.begin(returnTo);
    const response = await this.idp.signedResponse(this.sp, this.spec(request, nameID, attributes));
    return this.post(response, request.relayState);
  }
}

/** The user the agent's session belongs to, or null when it has none. */
export async function sessionUser(agent: supertest.Agent): Promise<string | null> {
  const res = await agent.get('/private');
  return res.status === 200 ? (res.body as { user_id: string }).user_id : null;
}

/** The connection's recent failed-login audit events, newest first (the reason a response was refused). */
export async function failureReasons(storage: Storage, connection: string): Promise<string[]> {
  const { logs } = await storage.listLogs({ types: ['f'], sort: -1, page: 0, perPage: 50, includeTotals: false });
  return logs.filter((l) => (l.details as Record<string, unknown>).connection === connection).map((l) => l.description);
}
