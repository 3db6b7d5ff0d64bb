import { html } from './html.js';
import { csrfField, layout, type PageContext } from './layout.js';

/**
 * A page whose one button POSTs a token. Links in emails land here: a GET only shows the button,
 * so a mail scanner that fetches the link cannot use it up.
 */
export function confirmPage(ctx: PageContext, title: string, text: string, action: string, token: string, button: string): string {
  return layout(ctx, title, html`
<h1>${title}</h1>
<p>${text}</p>
<form method="post" action="${action}">
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${token}">
  <button type="submit">${button}</button>
</form>`);
}
