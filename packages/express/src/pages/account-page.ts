import type { PasswordRuleFailure, User } from '@gatehouse/core';
import { html } from './html.js';
import { csrfField, layout, notice, type PageContext } from './layout.js';
import { formError } from './password-rules-notice.js';

/** The signed-in user's own page: profile, password change, sign out. */
export function accountPage(ctx: PageContext, user: User, data: { error?: string; rules?: PasswordRuleFailure[]; info?: string }): string {
  const p = ctx.prefix;
  return layout(ctx, 'Your account', html`
<h1>Your account</h1>
${notice('ok', data.info)}
${formError(data.error, data.rules)}
<dl>
  <dt>Email</dt><dd>${user.email ?? '—'} ${user.email_verified ? '(verified)' : '(not verified)'}</dd>
  <dt>Name</dt><dd>${user.name ?? '—'}</dd>
  <dt>Signed in</dt><dd>${user.logins_count} times</dd>
</dl>
<h2>Change password</h2>
<form method="post" action="${p}/account/password" novalidate>
  ${csrfField(ctx)}
  <label for="current_password">Current password</label>
  <input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
  <label for="new_password">New password</label>
  <input id="new_password" name="new_password" type="password" autocomplete="new-password" required>
  <button type="submit">Change password</button>
</form>
<h2>Your data</h2>
<p><a href="${p}/me/export" download>Download everything we store about you</a> (JSON).</p>
<form method="post" action="${p}/logout">${csrfField(ctx)}<button type="submit" class="secondary">Sign out</button></form>`);
}
