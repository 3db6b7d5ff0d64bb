/// <reference types="passport" preserve="true" />
import type { User as GatehouseUser } from '@gatehouse/core';
import type { GatehouseContext } from './context.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** `req.user` is the Gatehouse user, in Auth0's profile shape. */
    interface User extends GatehouseUser {
      /** Set while an admin impersonates this user: who is really at the keyboard (see impersonation). */
      impersonator?: import('./impersonation-session.js').Impersonator;
    }
    interface Request {
      /** Set by identity() on every request it sees. */
      gatehouse?: GatehouseContext;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** When the user last proved who they are (ms since epoch), for sensitive changes. */
    authTime?: number;
    /** The client IP at that sign-in (shown in the user's data export). */
    loginIp?: string;
    /** A user who signed in correctly but has not verified their email yet, for "resend". */
    pendingVerification?: string;
    /** Where a connection login started from goes back to (the provider's round trip in between). */
    loginReturnTo?: string;
    /** The connection the user signed in with and what it needs at logout. */
    connection?: { name: string; providerUserId: string; data: Record<string, import('@gatehouse/core').JsonValue> };
    /** The passwordless code this browser asked for: which connection and address, the binding the code is tied to, where to go after. */
    passwordless?: { connection: string; address: string; binding: string; returnTo: string };
    /** The terms-of-service version the signed-in user still has to accept (see `terms`). */
    termsPending?: string;
    /** An impersonated session: who impersonates, where their own session is parked, until when. */
    impersonation?: import('./impersonation-session.js').ImpersonationState;
    /** An admin's session parked during an impersonation: never a live session (see impersonation-session.ts). */
    parked?: true;
  }
}

export {};
