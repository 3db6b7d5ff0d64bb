/* global document, URL, FormData, sessionStorage */
// Loads the elements from the Gatehouse app itself and points them at its API with a Bearer token.
// The token lives in sessionStorage only (gone when the tab closes); anyone who can read this page's
// scripts can use it, so serve this page only to people who may hold it.
const settings = document.getElementById('settings');
const status = document.getElementById('status');
const dashboard = document.getElementById('dashboard');
const table = document.querySelector('gatehouse-user-table');
const editor = document.querySelector('gatehouse-profile-editor');

async function connect(api, token) {
  const base = new URL(api).origin;
  status.textContent = 'Loading the elements…';
  status.className = '';
  try {
    // A module from another origin: the app serves /auth/elements.js with CORS for exactly this.
    await import(`${base}/auth/elements.js`);
  } catch {
    status.textContent = `Could not load ${base}/auth/elements.js. Is the app running?`;
    status.className = 'error';
    return;
  }
  for (const element of [table, editor]) {
    element.setAttribute('api-base', base);
    element.setAttribute('token', token);
  }
  dashboard.hidden = false;
  status.textContent = `Connected to ${base}.`;
}

table.addEventListener('user-select', (e) => { editor.userId = e.detail.userId; });
editor.addEventListener('profile-saved', () => table.reload());
table.addEventListener('users-changed', (e) => {
  if (e.detail.action === 'delete' && e.detail.userIds.includes(editor.userId)) editor.userId = '';
});

settings.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(settings);
  const api = String(data.get('api'));
  const token = String(data.get('token')).trim();
  sessionStorage.setItem('gatehouse-embed', JSON.stringify({ api, token }));
  void connect(api, token);
});

const saved = JSON.parse(sessionStorage.getItem('gatehouse-embed') ?? 'null');
if (saved?.api && saved?.token) {
  settings.elements.api.value = saved.api;
  void connect(saved.api, saved.token);
}
