import { html, SafeHtml } from './html.js';

/** What every hosted page needs from the request. */
export interface PageContext {
  appName: string;
  prefix: string;
  csrfToken: string;
  themeCss: string;
  user?: { email: string | null; name: string | null } | null;
  /** Set in an impersonated session: the banner with the stop button shows on every page. */
  impersonation?: { impersonator: string; target: string | null; active: boolean } | null;
}

const BASE_CSS = `
:root {
  --gh-accent: #3b4fd8; --gh-accent-text: #fff; --gh-bg: #f5f6fa; --gh-card: #fff; --gh-text: #1c1e26;
  --gh-muted: #555b6e; --gh-error: #b3261e; --gh-ok: #1b6e37; --gh-radius: 10px;
  --gh-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --gh-bg: #14161c; --gh-card: #1f222b; --gh-text: #eceef4; --gh-muted: #aab0c0; --gh-accent: #8d9bff; --gh-accent-text: #10121a; --gh-error: #ffb4ab; --gh-ok: #8fd6a0; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 var(--gh-font); background: var(--gh-bg); color: var(--gh-text); }
main { max-width: 26rem; margin: 8vh auto; padding: 2rem; background: var(--gh-card); border-radius: var(--gh-radius); box-shadow: 0 1px 4px rgb(0 0 0 / .12); }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
input { width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid var(--gh-muted); border-radius: 6px; background: var(--gh-card); color: var(--gh-text); }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--gh-accent); outline-offset: 2px; }
button { margin-top: 1.25rem; width: 100%; padding: .7rem; font: inherit; font-weight: 600; border: 0; border-radius: 6px; background: var(--gh-accent); color: var(--gh-accent-text); cursor: pointer; }
button.secondary { background: transparent; color: var(--gh-accent); border: 1px solid var(--gh-accent); }
a { color: var(--gh-accent); }
.hint { color: var(--gh-muted); font-size: .9rem; }
.error { color: var(--gh-error); font-weight: 600; }
.ok { color: var(--gh-ok); font-weight: 600; }
.links { margin-top: 1.5rem; display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
.impersonation { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: center; justify-content: center; gap: .5rem 1rem; margin: 0; padding: .6rem 1rem; background: #8a1c1c; color: #fff; }
.impersonation p { margin: 0; } .impersonation form { margin: 0; }
.impersonation button { width: auto; margin: 0; padding: .35rem .9rem; background: #fff; color: #8a1c1c; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
`;

/** The page shell: accessible landmarks, the theme, no scripts (every page works without JavaScript). */
export function layout(ctx: PageContext, title: string, body: SafeHtml): string {
  // Theme CSS comes from the app's own configuration; "<" is escaped so it can never close the style element.
  const theme = ctx.themeCss.replace(/</gu, '\\3c ');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrfToken}">
<title>${title} · ${ctx.appName}</title>
<style>${new SafeHtml(BASE_CSS)}${new SafeHtml(theme)}</style>
</head>
<body>
${impersonationBanner(ctx)}
<main>
${body}
</main>
</body>
</html>`.value;
}

/**
 * The impersonation banner: who is really here, as whom, and the way back. A form posting to
 * stop (with the CSRF token), so it works without JavaScript.
 */
function impersonationBanner(ctx: PageContext): SafeHtml {
  const imp = ctx.impersonation;
  if (!imp) return html``;
  const text = imp.active
    ? html`<p><strong>Impersonating ${imp.target ?? 'a user'}</strong> (you are ${imp.impersonator}). Account changes are disabled.</p>`
    : html`<p><strong>Your impersonation has ended.</strong> Return to your own session (${imp.impersonator}).</p>`;
  return html`<div class="impersonation" role="status" aria-live="polite">
${text}
<form method="post" action="${ctx.prefix}/impersonation/stop">${csrfField(ctx)}<button type="submit">${imp.active ? 'Stop impersonating' : 'Return to my session'}</button></form>
</div>`;
}

/** A hidden CSRF field for forms. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

/** An error or notice line, announced to screen readers. */
export function notice(kind: 'error' | 'ok', message: string | undefined): SafeHtml {
  if (!message) return html``;
  return kind === 'error'
    ? html`<p class="error" role="alert" id="form-error">${message}</p>`
    : html`<p class="ok" role="status">${message}</p>`;
}
