/// <reference types="passport" preserve="true" />
import type { User as GatehouseUser } from '@gatehouse/core';
import type { GatehouseContext } from './context.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** `req.user` is the Gatehouse user, in Auth0's profile shape. */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends GatehouseUser {}
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
    /** A user who signed in correctly but has not verified their email yet, for "resend". */
    pendingVerification?: string;
  }
}

export {};
