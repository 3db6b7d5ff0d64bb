import { ADMIN_ROLE, ApiTokens, MANAGEMENT_SCOPES, type User } from '@gatehouse/core';
import supertest from 'supertest';
import { signedInBrowser } from './accounts.js';
import type { TestApp } from './test-app.js';

/** Every management scope (what the admin role holds). */
export const ALL_SCOPES: readonly string[] = MANAGEMENT_SCOPES;

/** Mints a management API token with these scopes (valid for an hour), as `gatehouse tokens create` does. */
export async function mintToken(t: TestApp, scopes: readonly string[] = ALL_SCOPES): Promise<string> {
  const minted = await new ApiTokens(t.storage).mint({ scopes, name: 'test', ttlMs: 3_600_000 });
  return minted.token;
}

/** A client of the management API that sends `token` as a Bearer token. */
export function api(t: TestApp, token: string) {
  const agent = supertest(t.app);
  const auth = <T extends { set(name: string, value: string): T }>(req: T): T => req.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => auth(agent.get(`/api/v2${url}`)),
    post: (url: string) => auth(agent.post(`/api/v2${url}`)),
    patch: (url: string) => auth(agent.patch(`/api/v2${url}`)),
    delete: (url: string) => auth(agent.delete(`/api/v2${url}`)),
  };
}

/** A browser signed in as a new user holding the admin role. */
export async function adminBrowser(t: TestApp): Promise<Awaited<ReturnType<typeof signedInBrowser>>> {
  const signedIn = await signedInBrowser(t);
  await t.storage.assignUserRoles(signedIn.user.user_id, [ADMIN_ROLE.id]);
  return signedIn;
}

/** `/users/<id>` with the id escaped (user ids contain `|`). */
export const userPath = (user: User | string, rest = ''): string => `/users/${encodeURIComponent(typeof user === 'string' ? user : user.user_id)}${rest}`;

/** A user as stored, with the fields a read or a login may move left out, for "unchanged" checks. */
export async function snapshot(t: TestApp, userId: string): Promise<unknown> {
  const [user, roles, direct] = await Promise.all([
    t.storage.getUser(userId),
    t.storage.getUserRoles(userId),
    t.storage.getUserDirectPermissions(userId),
  ]);
  return { user, roles, direct, hash: await t.storage.getPasswordHash(userId) };
}
