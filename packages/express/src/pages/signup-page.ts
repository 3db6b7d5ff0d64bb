import type { PasswordRuleFailure } from '@gatehouse/core';
import { html } from './html.js';
import { csrfField, layout, type PageContext } from './layout.js';
import { formError } from './password-rules-notice.js';

export interface SignupPageData {
  returnTo: string;
  email?: string;
  error?: string;
  field?: string;
  /** The password rules a refused password broke. */
  rules?: PasswordRuleFailure[];
  minLength: number;
  maxLength: number;
  /** The terms of service to accept (the `terms` option). */
  terms?: { url: string; version: string } | null;
}

/** The hosted signup page. */
export function signupPage(ctx: PageContext, data: SignupPageData): string {
  const p = ctx.prefix;
  const invalid = (field: string) => (data.error && data.field === field ? html`aria-invalid="true" aria-describedby="form-error"` : '');
  return layout(ctx, 'Create an account', html`
<h1>Create an account</h1>
${formError(data.error, data.rules)}
<form method="post" action="${p}/signup" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${data.returnTo}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${data.email ?? ''}" ${invalid('email')}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${data.minLength}" maxlength="${data.maxLength * 2}" aria-describedby="password-hint" ${invalid('password')}>
  <p class="hint" id="password-hint">At least ${data.minLength} characters. A few unrelated words make a strong password.</p>
  ${data.terms
    ? html`<label><input type="checkbox" name="acceptTerms" value="yes" required ${invalid('acceptTerms')}> I accept the <a href="${data.terms.url}" target="_blank" rel="noopener">terms of service</a></label>`
    : ''}
  <button type="submit">Create account</button>
</form>
<p class="links"><a href="${p}/login?returnTo=${encodeURIComponent(data.returnTo)}">Already have an account? Sign in</a></p>`);
}
