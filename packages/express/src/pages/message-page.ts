import { html, type SafeHtml } from './html.js';
import { layout, type PageContext } from './layout.js';

/** A page that only tells something (check your inbox, link expired, ...), with one link onwards. */
export function messagePage(
  ctx: PageContext,
  title: string,
  message: string,
  link?: { href: string; text: string },
  kind: 'ok' | 'error' = 'ok',
): string {
  const role = kind === 'error' ? 'alert' : 'status';
  const next: SafeHtml | string = link ? html`<p class="links"><a href="${link.href}">${link.text}</a></p>` : '';
  return layout(ctx, title, html`<h1>${title}</h1><p class="${kind}" role="${role}">${message}</p>${next}`);
}
