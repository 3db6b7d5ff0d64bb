import { html, SafeHtml } from '../pages/html.js';
import { csrfField, layout, type PageContext } from '../pages/layout.js';

/** What people read for each standard scope on the consent page. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are (your user id)',
  profile: 'Your name, nickname and picture',
  email: 'Your email address',
  phone: 'Your phone number',
  offline_access: 'Stay signed in (access your data while you are away)',
};

export interface ConsentPageData {
  appName: string;
  /** The form posts here (confirm) and to `${action}/abort` (deny). */
  action: string;
  scopes: string[];
  claims: string[];
  /** API name -> the scopes asked of it. */
  apis: Array<{ name: string; scopes: string[] }>;
}

/** The hosted consent page: what the application asks for, allow or deny. Works without JavaScript. */
export function consentPage(ctx: PageContext, data: ConsentPageData): string {
  return layout(ctx, 'Authorize', html`
<h1>${data.appName} wants to access your account</h1>
<p>Signed in as ${ctx.user?.email ?? ctx.user?.name ?? ''}. ${data.appName} asks for:</p>
<ul>
  ${data.scopes.map((s) => html`<li>${SCOPE_TEXT[s] ?? s}</li>`)}
  ${data.claims.map((c) => html`<li>The claim <code>${c}</code></li>`)}
  ${data.apis.map((api) => html`<li>${api.name}: ${api.scopes.length > 0 ? api.scopes.join(', ') : 'access'}</li>`)}
</ul>
<p class="hint">Your choice is remembered; you can withdraw it at any time.</p>
<form method="post" action="${data.action}/confirm">
  ${csrfField(ctx)}
  <button type="submit">Allow</button>
</form>
<form method="post" action="${data.action}/abort">
  ${csrfField(ctx)}
  <button type="submit" class="secondary">Deny</button>
</form>`);
}

/** The page a user without access to an application gets instead of a token. */
export function accessDeniedPage(ctx: PageContext, appName: string, abortAction: string): string {
  return layout(ctx, 'Access denied', html`
<h1>Access denied</h1>
<p class="error" role="alert">Your account (${ctx.user?.email ?? ctx.user?.name ?? ''}) does not have access to ${appName}. Ask an administrator for access.</p>
<form method="post" action="${abortAction}">
  ${csrfField(ctx)}
  <button type="submit" class="secondary">Back to ${appName}</button>
</form>`);
}

/** RP-initiated logout: confirm signing out (`form` is oidc-provider's hidden form with its xsrf token). */
export function logoutPage(ctx: PageContext, form: string, appName: string | undefined): string {
  return layout(ctx, 'Sign out', html`
<h1>Sign out${appName ? html` of ${appName}` : ''}?</h1>
<p>This ends your session with ${ctx.appName} too.</p>
${new SafeHtml(form)}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`);
}

/** An OAuth error shown to a person (an unknown client, a callback not on the allow-list...). */
export function oauthErrorPage(ctx: PageContext, error: string, description: string | undefined): string {
  return layout(ctx, 'Sign-in error', html`
<h1>This sign-in cannot continue</h1>
<p class="error" role="alert">${description ?? error}</p>
<p class="hint">Error code: <code>${error}</code></p>`);
}
