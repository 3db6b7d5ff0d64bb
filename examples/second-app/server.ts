import { Applications } from '@gatehouse/core';
import { startGatehouse } from './gatehouse-host.js';
import { startSecondApp } from './second-app.js';

// One process for the demo: Gatehouse on :3000, the second app on :4000. In real life they are
// two deployments, and the application is created once with `gatehouse clients create`.
const gatehouse = await startGatehouse(3000);
const apps = new Applications(gatehouse.auth.gatehouse.storage);
const client = await apps.create({
  name: 'Second app',
  callbacks: ['http://localhost:4000/callback'],
  allowed_logout_urls: ['http://localhost:4000/'],
});
await startSecondApp({ issuer: 'http://localhost:3000/oidc', clientId: client.client_id, clientSecret: client.client_secret! });
console.log('Gatehouse:  http://localhost:3000/auth/signup (create an account first)');
console.log('Second app: http://localhost:4000/');
