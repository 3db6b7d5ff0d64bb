import type { PasswordRuleFailure } from '@gatehouse/core';
import { html, type SafeHtml } from './html.js';
import { notice } from './layout.js';

/**
 * A form's error: for a refused password, every broken rule as a list (so the user fixes them
 * all at once); otherwise the plain message. Announced to screen readers either way.
 */
export function formError(message: string | undefined, rules?: PasswordRuleFailure[]): SafeHtml {
  if (!rules || rules.length === 0) return notice('error', message);
  return html`<div class="error" role="alert" id="form-error">
  <p>This password cannot be used:</p>
  <ul class="password-rules">${rules.map((r) => html`<li data-rule="${r.code}">${r.message}</li>`)}</ul>
</div>`;
}
