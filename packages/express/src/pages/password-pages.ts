import { html } from './html.js';
import type { PasswordRuleFailure } from '@gatehouse/core';
import { csrfField, layout, notice, type PageContext } from './layout.js';
import { formError } from './password-rules-notice.js';

/** Asks for the address to send a reset link to. */
export function forgotPasswordPage(ctx: PageContext, data: { email?: string; error?: string }): string {
  return layout(ctx, 'Reset your password', html`
<h1>Reset your password</h1>
<p>Enter your email address and we will send you a link to choose a new password.</p>
${notice('error', data.error)}
<form method="post" action="${ctx.prefix}/password/forgot" novalidate>
  ${csrfField(ctx)}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${data.email ?? ''}">
  <button type="submit">Send the link</button>
</form>
<p class="links"><a href="${ctx.prefix}/login">Back to sign in</a></p>`);
}

/** The form behind a reset link: the token rides in a hidden field and is used up by the POST only. */
export function resetPasswordPage(
  ctx: PageContext,
  data: { token: string; error?: string; rules?: PasswordRuleFailure[]; minLength: number; maxLength: number },
): string {
  return layout(ctx, 'Choose a new password', html`
<h1>Choose a new password</h1>
${formError(data.error, data.rules)}
<form method="post" action="${ctx.prefix}/password/reset" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${data.token}">
  <label for="password">New password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${data.minLength}" aria-describedby="password-hint">
  <p class="hint" id="password-hint">At least ${data.minLength} characters.</p>
  <button type="submit">Set password</button>
</form>`);
}
