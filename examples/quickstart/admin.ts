import escapeHtml from 'escape-html';
import { Router } from 'express';
import { requirePermission } from '@gatehouse/express';

/**
 * `/admin`: a user dashboard assembled from Gatehouse's web components — `<gatehouse-user-table>`
 * and `<gatehouse-profile-editor>` — plus a create-user form posting to the management API. Only
 * users whose roles grant the user-management permissions get in (the admin role does); the
 * components then call `/api/v2` with this same session and its CSRF token.
 */
export function adminRoutes(): Router {
  const router = Router();
  const admins = requirePermission('read:users', 'create:users', 'update:users', 'delete:users');

  router.get('/admin', admins, (req, res) => {
    const who = escapeHtml(req.user!.email ?? req.user!.user_id);
    res.send(ADMIN_PAGE.replace('{{who}}', who));
  });

  // The page's script is a file of its own, not inline: it keeps working under a CSP of script-src 'self'.
  router.get('/admin.js', (_req, res) => {
    res.type('text/javascript').send(ADMIN_SCRIPT);
  });

  return router;
}

const ADMIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Users · Gatehouse quickstart</title>
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #f5f6fa; color: #1c1e26; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; padding: 1rem 1.5rem; background: #fff; border-bottom: 1px solid #dfe2ea; }
  header h1 { margin: 0; font-size: 1.4rem; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(20rem, 2fr); gap: 1.5rem; padding: 1.5rem; }
  section { background: #fff; border-radius: 10px; padding: 1rem 1.25rem; box-shadow: 0 1px 3px rgb(0 0 0 / .08); margin-bottom: 1.5rem; overflow-x: auto; }
  h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
  form.create { display: grid; gap: .5rem; }
  form.create label { font-weight: 600; }
  form.create input[type=email], form.create input[type=password], form.create input[type=text] { padding: .5rem; font: inherit; border: 1px solid #8a90a2; border-radius: 6px; }
  form.create .check { display: flex; gap: .5rem; align-items: center; }
  form.create button { justify-self: start; padding: .5rem 1rem; font: inherit; font-weight: 600; border: 0; border-radius: 6px; background: #3b4fd8; color: #fff; cursor: pointer; }
  .error { color: #b3261e; font-weight: 600; margin: 0; }
  .ok { color: #1b6e37; font-weight: 600; margin: 0; }
  @media (max-width: 60rem) { main { grid-template-columns: 1fr; } }
  @media (prefers-color-scheme: dark) {
    body { background: #14161c; color: #eceef4; } header, section { background: #1f222b; border-color: #333846; }
    .error { color: #ffb4ab; } .ok { color: #8fd6a0; } form.create button { background: #8d9bff; color: #10121a; }
    form.create input { background: #14161c; color: #eceef4; }
  }
</style>
</head>
<body>
<header><h1>Users</h1><p>Signed in as {{who}} · <a href="/">Home</a> · <a href="/auth/logout">Sign out</a></p></header>
<main>
  <div>
    <section aria-labelledby="users-title">
      <h2 id="users-title">All users</h2>
      <gatehouse-user-table page-size="25"></gatehouse-user-table>
    </section>
  </div>
  <div>
    <section aria-labelledby="create-title">
      <h2 id="create-title">Create a user</h2>
      <form class="create" id="create-user" novalidate>
        <label for="new-email">Email</label>
        <input id="new-email" name="email" type="email" autocomplete="off" required>
        <p class="error" id="new-email-error" hidden></p>
        <label for="new-name">Name</label>
        <input id="new-name" name="name" type="text" autocomplete="off">
        <p class="error" id="new-name-error" hidden></p>
        <label for="new-password">Password</label>
        <input id="new-password" name="password" type="password" autocomplete="new-password" required>
        <p class="error" id="new-password-error" hidden></p>
        <div class="check"><input id="new-verified" name="email_verified" type="checkbox"><label for="new-verified">Email verified</label></div>
        <button type="submit">Create user</button>
        <p id="create-status" role="status"></p>
      </form>
    </section>
    <section aria-labelledby="editor-title">
      <h2 id="editor-title">User</h2>
      <gatehouse-profile-editor></gatehouse-profile-editor>
    </section>
  </div>
</main>
<script type="module" src="/auth/elements.js"></script>
<script type="module" src="/admin.js"></script>
</body>
</html>`;

const ADMIN_SCRIPT = `const table = document.querySelector('gatehouse-user-table');
const editor = document.querySelector('gatehouse-profile-editor');
const form = document.getElementById('create-user');
const status = document.getElementById('create-status');

// The table opens a user in the editor; the editor's saves and the table's bulk changes keep both in step.
table.addEventListener('user-select', (e) => {
  editor.userId = e.detail.userId;
  editor.scrollIntoView({ block: 'nearest' });
});
editor.addEventListener('profile-saved', () => table.reload());
table.addEventListener('users-changed', (e) => {
  if (e.detail.action === 'delete' && e.detail.userIds.includes(editor.userId)) editor.userId = '';
  else if (e.detail.userIds.includes(editor.userId)) editor.load();
});

let csrf = null;
async function csrfToken() {
  csrf ??= fetch('/auth/csrf-token', { credentials: 'same-origin' }).then((r) => r.json()).then((b) => b.csrfToken);
  return csrf;
}

function showError(field, message) {
  const el = document.getElementById('new-' + field + '-error');
  const input = document.getElementById('new-' + field);
  if (!el || !input) return false;
  el.textContent = message;
  el.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', el.id);
  input.focus();
  return true;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const el of form.querySelectorAll('.error')) el.hidden = true;
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  status.textContent = '';
  status.className = '';
  const data = new FormData(form);
  const body = {
    connection: 'Username-Password-Authentication',
    email: String(data.get('email') ?? '').trim(),
    password: String(data.get('password') ?? ''),
    email_verified: data.get('email_verified') === 'on',
  };
  const name = String(data.get('name') ?? '').trim();
  if (name !== '') body.name = name;
  if (body.email === '') return showError('email', 'Enter an email address.');
  if (body.password === '') return showError('password', 'Enter a password.');
  const res = await fetch('/api/v2/users', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': await csrfToken() },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (!(answer.field && showError(answer.field, answer.message))) {
      status.textContent = answer.message ?? 'The user could not be created (' + res.status + ').';
      status.className = 'error';
    }
    return;
  }
  form.reset();
  status.textContent = 'Created ' + answer.email + '.';
  status.className = 'ok';
  table.refresh();
  editor.userId = answer.user_id;
});
`;
