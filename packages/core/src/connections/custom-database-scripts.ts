import { GatehouseError, isGatehouseError } from '../gatehouse-error.js';
import type { CustomDatabaseScriptContext } from './custom-database-options.js';

/**
 * What a `login` script throws for an unknown user or a wrong password (Auth0's error of the same
 * name; resolving to null means the same). Scripts ported from Auth0 may keep their own class:
 * an error named `WrongUsernameOrPasswordError` is recognised too.
 *
 * @example
 * if (!(await bcrypt.verify(password, row.hash))) throw new WrongUsernameOrPasswordError(email);
 */
export class WrongUsernameOrPasswordError extends Error {
  constructor(usernameOrEmail?: string, message = 'Wrong email or password.') {
    super(message);
    this.name = 'WrongUsernameOrPasswordError';
    // The identifier stays out of the message: messages end up in logs.
    void usernameOrEmail;
  }
}

/** Where a script's real failure is reported: the server log, never the caller. */
export type ScriptLogger = Pick<Console, 'error'>;

/** One script call of one connection. */
export interface ScriptCall {
  connection: string;
  script: string;
  timeoutMs: number;
  logger: ScriptLogger;
}

function isWrongCredentials(err: unknown): boolean {
  return err instanceof WrongUsernameOrPasswordError || (err instanceof Error && err.name === 'WrongUsernameOrPasswordError');
}

/**
 * Runs one of the host's scripts within the connection's time limit and turns its failures into
 * Gatehouse's codes: a wrong password is `invalid_credentials` (the generic 401 an unknown user
 * gets too); a GatehouseError the script throws on purpose stays as it is; anything else, and a
 * script that does not answer in time, is `connection_unavailable` (503), with the real reason in
 * the server log only. The script's signal is aborted at the time limit; whatever it resolves to
 * afterwards is ignored.
 */
export async function runScript<T>(call: ScriptCall, run: (context: CustomDatabaseScriptContext) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`the ${call.script} script did not answer within ${call.timeoutMs} ms`);
      controller.abort(err);
      reject(err);
    }, call.timeoutMs);
  });
  try {
    // Promise.resolve().then: a script that throws synchronously is handled like one that rejects.
    const result = Promise.resolve().then(() => run({ connection: call.connection, signal: controller.signal }));
    return await Promise.race([result, timeout]);
  } catch (err) {
    if (isWrongCredentials(err)) throw new GatehouseError('invalid_credentials');
    if (isGatehouseError(err)) throw err;
    call.logger.error(`[gatehouse] custom database ${call.connection}: the ${call.script} script failed:`, err);
    throw new GatehouseError('connection_unavailable', { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
