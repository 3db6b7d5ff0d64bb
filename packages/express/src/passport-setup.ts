import { isGatehouseError, type User } from '@gatehouse/core';
import type { Request } from 'express';
import { Passport, type PassportStatic } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { GatehouseContext } from './context.js';
import { SessionUsers } from './session-user.js';

/** The Passport strategy name of the database (email + password) connection. */
export const DATABASE_STRATEGY = 'gatehouse-database';

/**
 * A Passport instance of this identity() alone (no global state shared with the host app), with
 * the database connection as a local strategy. The strategy only reads credentials and asks the
 * user service; sessions keep the user_id, the process a copy of the user that is re-read whenever
 * the user changed (session-user.ts), and a blocked or deleted user is out at their next request.
 */
export function createPassport(gh: GatehouseContext): PassportStatic {
  const passport = new Passport() as unknown as PassportStatic;

  passport.use(
    DATABASE_STRATEGY,
    new LocalStrategy({ usernameField: 'username', passwordField: 'password', passReqToCallback: true }, (req: Request, username, password, done) => {
      gh.users.authenticate(username, password, { ip: gh.clientIp(req), origin: gh.origin(req) }).then(
        (user) => done(null, user),
        (err: unknown) => (isGatehouseError(err) && err.status < 500 ? done(null, false, err) : done(err)),
      );
    }),
  );

  // Passport calls this right after regenerating the session and before saving it, so the
  // authentication time goes into that same write instead of a second one.
  passport.serializeUser((req: Request, user: Express.User, done: (err: unknown, id?: string) => void) => {
    req.session.authTime = Date.now();
    req.session.loginIp = gh.clientIp(req);
    done(null, (user as User).user_id);
  });
  // The process's copy of the user while the store's stamp says it is unchanged (session-user.ts).
  const users = new SessionUsers();
  passport.deserializeUser((req: Request, id: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
    if (typeof id !== 'string') return done(null, false);
    users.user(req, id, (userId) => gh.storage.getUser(userId)).then((user) => done(null, user), done);
  });
  return passport;
}
