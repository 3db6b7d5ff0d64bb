import express from 'express';
import session from 'express-session';
import * as oidc from 'openid-client';

declare module 'express-session' {
  interface SessionData {
    pkce?: { verifier: string; state: string; nonce: string };
    user?: { sub: string; email?: string; name?: string };
    idToken?: string;
  }
}

/**
 * The second app, at http://localhost:4000: signs in through Gatehouse with openid-client
 * (code + PKCE), shows the user, signs out through Gatehouse (RP-initiated logout).
 */
export async function startSecondApp(options: { issuer: string; clientId: string; clientSecret: string; port?: number }) {
  const port = options.port ?? 4000;
  const here = `http://localhost:${port}`;
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
    // Development only: Gatehouse runs on plain http://localhost here.
    execute: [oidc.allowInsecureRequests],
  });
  const app = express();
  app.use(session({ secret: 'second-app-development-secret-0123456789', resave: false, saveUninitialized: false }));

  app.get('/', (req, res) => {
    const user = req.session.user;
    res.type('html').send(user
      ? `<p>Hello ${user.name ?? user.email ?? user.sub}</p><p><a href="/logout">Sign out</a></p>`
      : '<p><a href="/login">Sign in with Gatehouse</a></p>');
  });

  app.get('/login', async (req, res) => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    req.session.pkce = { verifier, state, nonce };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${here}/callback`,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.redirect(url.href);
  });

  app.get('/callback', async (req, res) => {
    const pkce = req.session.pkce;
    if (!pkce) return res.redirect('/');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, here), {
      pkceCodeVerifier: pkce.verifier,
      expectedState: pkce.state,
      expectedNonce: pkce.nonce,
    });
    const claims = tokens.claims()!;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    req.session.pkce = undefined;
    req.session.user = { sub: claims.sub, email: info.email, name: info.name };
    req.session.idToken = tokens.id_token;
    res.redirect('/');
  });

  app.get('/logout', (req, res) => {
    const idToken = req.session.idToken;
    req.session.destroy(() => {
      const url = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: `${here}/`, ...(idToken ? { id_token_hint: idToken } : {}) });
      res.redirect(url.href);
    });
  });

  return { app, server: app.listen(port) };
}
