import assert from 'node:assert/strict';
import { IdpTokenVault } from '@gatehouse/core';
import { createMemoryStorage } from '@gatehouse/core/testing';

describe('IdpTokenVault: provider tokens sealed with AES-256-GCM', () => {
  const secret = 'a-secret-of-at-least-thirty-two-characters';
  const identity = { provider: 'google-oauth2', user_id: '1234' };
  const tokens = { access_token: 'ya29.access', refresh_token: '1//refresh', expires_at: new Date(Date.UTC(2030, 0, 1)) };

  it('opens what it sealed, and the ciphertext holds neither token', () => {
    const vault = new IdpTokenVault(createMemoryStorage(), [secret]);
    const sealed = vault.seal(identity.provider, identity.user_id, tokens);
    assert.ok(!sealed.includes('ya29') && !sealed.includes('refresh'));
    assert.deepEqual(vault.open(identity.provider, identity.user_id, sealed), tokens);
    assert.notEqual(vault.seal(identity.provider, identity.user_id, tokens), sealed, 'a fresh IV each time');
  });

  it('refuses a record moved to another identity, tampered with, or sealed under a retired secret', () => {
    const vault = new IdpTokenVault(createMemoryStorage(), [secret]);
    const sealed = vault.seal(identity.provider, identity.user_id, tokens);
    assert.equal(vault.open(identity.provider, '9999', sealed), null);
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.equal(vault.open(identity.provider, identity.user_id, [v, iv, flipped.toString('base64url'), tag].join('.')), null);
    assert.equal(new IdpTokenVault(createMemoryStorage(), ['another-secret-of-thirty-two-characters!']).open(identity.provider, identity.user_id, sealed), null);
  });

  it('keeps opening records of an older secret after a rotation (newest first)', () => {
    const old = new IdpTokenVault(createMemoryStorage(), [secret]);
    const sealed = old.seal(identity.provider, identity.user_id, tokens);
    const rotated = new IdpTokenVault(createMemoryStorage(), ['the-new-secret-of-thirty-two-characters-', secret]);
    assert.deepEqual(rotated.open(identity.provider, identity.user_id, sealed), tokens);
  });

  it('stores nothing without a secret, and reveals tokens only on the identities the user has', async () => {
    const storage = createMemoryStorage();
    const user = await storage.createUser({
      user_id: 'google-oauth2|1234', connection: 'google', email: null, email_verified: false, username: null, phone_number: null, phone_verified: false,
      name: null, given_name: null, family_name: null, nickname: null, picture: null, blocked: false, user_metadata: {}, app_metadata: {},
      identity: { connection: 'google', ...identity, isSocial: true }, password_hash: null, created_at: new Date(),
    });
    await new IdpTokenVault(storage, []).store(user.user_id, identity, tokens);
    assert.deepEqual(await storage.listIdpTokens(user.user_id), []);
    const now = new Date(Date.UTC(2029, 11, 31, 23, 0, 0));
    const vault = new IdpTokenVault(storage, [secret], () => now);
    await vault.store(user.user_id, identity, tokens);
    const [revealed] = await vault.reveal(user);
    assert.equal(revealed!.access_token, 'ya29.access');
    assert.equal(revealed!.refresh_token, '1//refresh');
    assert.equal(revealed!.expires_in, 3600);
    assert.deepEqual(await vault.reveal({ ...user, identities: [] }), []);
  });
});
