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
}

/** The hosted login page. */
export function loginPage(ctx: PageContext, data: LoginPageData): string {
  const p = ctx.prefix;
  const described = data.error ? 'form-error' : undefined;
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
  <label for="username">Email</label>
  <input id="username" name="username" type="email" autocomplete="username" required value="${data.email ?? ''}" aria-describedby="${described}" ${data.error ? html`aria-invalid="true"` : ''}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="${described}">
  <button type="submit">Sign in</button>
</form>
<p class="links">
  <a href="${p}/password/forgot">Forgot your password?</a>
  ${data.signup ? html`<a href="${p}/signup?returnTo=${encodeURIComponent(data.returnTo)}">Create an account</a>` : ''}
</p>`);
}
