import type { Connection } from '@gatehouse/core';
import { html } from './html.js';
import { csrfField, layout, notice, type PageContext } from './layout.js';

export interface LoginPageData {
  returnTo: string;
  email?: string;
  error?: string;
  info?: string;
  signup: boolean;
  /** Offer to resend the verification email (after an unverified sign-in). */
  resendVerification?: boolean;
  /** Configured connections: buttons for redirect ones, a choice in the form for credential ones. */
  connections?: readonly Connection[];
  /** The credentials connection the form was last posted to. */
  connection?: string;
}

/** The hosted login page. */
export function loginPage(ctx: PageContext, data: LoginPageData): string {
  const p = ctx.prefix;
  const described = data.error ? 'form-error' : undefined;
  const redirects = (data.connections ?? []).filter((c) => c.loginMode === 'redirect');
  const credentials = (data.connections ?? []).filter((c) => c.loginMode === 'credentials');
  const returnTo = encodeURIComponent(data.returnTo);
  return layout(ctx, 'Sign in', html`
<h1>Sign in</h1>
${notice('ok', data.info)}
${notice('error', data.error)}
${data.resendVerification
    ? html`<form method="post" action="${p}/verify-email/resend">${csrfField(ctx)}<button type="submit">Send the verification link again</button></form>`
    : ''}
<form method="post" action="${p}/login" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${data.returnTo}">
  ${credentials.length > 0
    ? html`<label for="connection">Sign in with</label>
  <select id="connection" name="connection">
    <option value="">Email and password</option>
    ${credentials.map((c) => html`<option value="${c.name}" ${c.name === data.connection ? 'selected' : ''}>${c.displayName}</option>`)}
  </select>`
    : ''}
  <label for="username">${credentials.length > 0 ? 'Email or username' : 'Email'}</label>
  <input id="username" name="username" type="${credentials.length > 0 ? 'text' : 'email'}" autocomplete="username" required value="${data.email ?? ''}" aria-describedby="${described}" ${data.error ? html`aria-invalid="true"` : ''}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="${described}">
  <button type="submit">Sign in</button>
</form>
${redirects.length > 0
    ? html`<div class="connections" role="group" aria-label="Other ways to sign in">
  ${redirects.map((c) => html`<a class="button secondary" href="${p}/${c.name}?returnTo=${returnTo}">Continue with ${c.displayName}</a>`)}
</div>`
    : ''}
<p class="links">
  <a href="${p}/password/forgot">Forgot your password?</a>
  ${data.signup ? html`<a href="${p}/signup?returnTo=${encodeURIComponent(data.returnTo)}">Create an account</a>` : ''}
</p>`);
}
