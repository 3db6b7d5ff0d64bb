import { html } from './html.js';
import { csrfField, layout, notice, type PageContext } from './layout.js';

export interface TermsPageData {
  returnTo: string;
  url: string;
  version: string;
  error?: string;
}

/** Asks a signed-in user to accept the current terms of service before going on. */
export function termsPage(ctx: PageContext, data: TermsPageData): string {
  const p = ctx.prefix;
  return layout(ctx, 'Terms of service', html`
<h1>Terms of service</h1>
${notice('error', data.error)}
<p>Please read the <a href="${data.url}" target="_blank" rel="noopener">terms of service</a> (version ${data.version}) and accept them to continue.</p>
<form method="post" action="${p}/terms">
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${data.returnTo}">
  <label><input type="checkbox" name="accept" value="yes" required ${data.error ? html`aria-invalid="true" aria-describedby="form-error"` : ''}> I accept the terms of service</label>
  <button type="submit">Continue</button>
</form>
<form method="post" action="${p}/logout">
  ${csrfField(ctx)}
  <button type="submit" class="secondary">Sign out instead</button>
</form>`);
}
