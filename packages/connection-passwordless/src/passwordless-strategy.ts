import { GatehouseError, type ExternalProfile, type PasswordlessCodes, type PasswordlessVerifyOptions, type StrategyLike } from '@gatehouse/core';

/** What Passport adds to a strategy for the time of one request. */
interface Outcomes {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(err: unknown): void;
}

/** What the strategy needs from its connection. */
export interface PasswordlessStrategySettings {
  connection: string;
  delivery: 'code' | 'link';
  maxAttempts: number;
  codes: PasswordlessCodes;
  /** The verified profile of an address. */
  profileOf(address: string): ExternalProfile;
}

function fieldOf(req: unknown, field: string): unknown {
  const body = (req as { body?: unknown }).body;
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
}

/**
 * The Passport strategy of a passwordless connection: it only checks what comes back. A code
 * (`code` in the body) is checked against the address and session binding identity() passes in
 * the authenticate options (PasswordlessVerifyOptions); a link token (`token` in the body) names
 * its address itself. Either way the secret is used up by that check: one success at most.
 */
export class PasswordlessStrategy implements StrategyLike {
  readonly name: string;

  constructor(private readonly settings: PasswordlessStrategySettings) {
    this.name = `gatehouse-passwordless:${settings.connection}`;
  }

  authenticate(req: unknown, options?: unknown): void {
    const self = this as unknown as this & Outcomes;
    const { settings } = this;
    if (settings.delivery === 'link') {
      const token = fieldOf(req, 'token');
      if (typeof token !== 'string' || token.length > 128) return self.fail(new GatehouseError('invalid_token'), 400);
      settings.codes.redeemLink(token).then(
        (found) => {
          if (!found || found.connection !== settings.connection) return self.fail(new GatehouseError('invalid_token'), 400);
          self.success(settings.profileOf(found.address));
        },
        (err: unknown) => self.error(err),
      );
      return;
    }
    const code = fieldOf(req, 'code');
    if (typeof code !== 'string' || code.trim() === '' || code.length > 32) {
      return self.fail(new GatehouseError('invalid_body', { field: 'code', message: 'Enter the code we sent you.' }), 400);
    }
    const { address, sessionBinding } = (options as Partial<PasswordlessVerifyOptions> | undefined)?.passwordless ?? {};
    // No address or binding: this browser never asked for a code, so no code can be its.
    if (!address || !sessionBinding) return self.fail(new GatehouseError('invalid_code'), 401);
    settings.codes.redeemCode({ connection: settings.connection, address, code, sessionBinding, maxAttempts: settings.maxAttempts }).then(
      (ok) => (ok ? self.success(settings.profileOf(address)) : self.fail(new GatehouseError('invalid_code'), 401)),
      (err: unknown) => self.error(err),
    );
  }
}
