import type { User } from '@gatehouse/core';
import { browser, STRONG_PASSWORD, uniqueEmail, type TestApp } from './test-app.js';

/** Creates a verified database user through the user service (as an admin would). */
export async function createVerifiedUser(t: TestApp, password = STRONG_PASSWORD, email = uniqueEmail()): Promise<User> {
  return t.auth.gatehouse.users.createUser({ email, password, email_verified: true });
}

/** A browser signed in as a new verified user. */
export async function signedInBrowser(t: TestApp, password = STRONG_PASSWORD) {
  const user = await createVerifiedUser(t, password);
  const agent = browser(t.app);
  const csrf = await agent.csrf();
  await agent.post('/auth/login').type('form').send({ _csrf: csrf, username: user.email, password }).expect(303);
  return { agent, user };
}
