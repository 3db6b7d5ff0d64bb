import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import {
  createPasswordHasher,
  decodeImportedHash,
  IMPORT_ERROR_CODES,
  validateImportRecord,
  type ImportError,
  type ImportRecordResult,
} from '../src/index.js';

const BCRYPT = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

function errorsOf(result: ImportRecordResult): Array<Pick<ImportError, 'code' | 'path'>> {
  assert.equal(result.ok, false, 'expected the record to be refused');
  return result.ok ? [] : result.errors.map(({ code, path }) => ({ code, path }));
}

/** The single error of a record that is valid apart from `fields`. */
function errorFor(fields: Record<string, unknown>, options = {}): Pick<ImportError, 'code' | 'path'> {
  const errors = errorsOf(validateImportRecord({ email: 'ada@example.com', ...fields }, options));
  assert.equal(errors.length, 1, JSON.stringify(errors));
  return errors[0]!;
}

describe('bulk import records', () => {
  it('accepts a full record and normalizes it', () => {
    const result = validateImportRecord({
      email: '  Ada.Lovelace@Example.COM ',
      email_verified: true,
      phone_number: '+44 20 7946 0958',
      phone_verified: false,
      user_id: '5f7c8ec7c33c6c004bbafe82',
      username: 'Ada_L',
      given_name: 'Ada',
      family_name: 'Lovelace',
      name: ' Ada Lovelace ',
      nickname: 'ada',
      picture: 'https://example.com/ada.png',
      blocked: false,
      password_hash: BCRYPT,
      app_metadata: { plan: 'gold', roles: ['admin'] },
      user_metadata: { theme: 'dark', address: { city: 'London' } },
      mfa_factors: [{ totp: { secret: '2PRXZWZAYYDAWCDA' } }, { phone: { value: '+14155550123' } }, { email: { value: 'Ada@Example.com' } }],
    });
    assert.deepEqual(result, {
      ok: true,
      user: {
        email: 'ada.lovelace@example.com',
        email_verified: true,
        phone_number: '+442079460958',
        phone_verified: false,
        user_id: 'auth0|5f7c8ec7c33c6c004bbafe82',
        username: 'ada_l',
        given_name: 'Ada',
        family_name: 'Lovelace',
        name: 'Ada Lovelace',
        nickname: 'ada',
        picture: 'https://example.com/ada.png',
        blocked: false,
        password_hash: BCRYPT,
        app_metadata: { plan: 'gold', roles: ['admin'] },
        user_metadata: { theme: 'dark', address: { city: 'London' } },
        mfa_factors: [{ totp: { secret: '2PRXZWZAYYDAWCDA' } }, { phone: { value: '+14155550123' } }, { email: { value: 'ada@example.com' } }],
      },
    });
  });

  it('accepts a record with only an email and sets only what was given', () => {
    assert.deepEqual(validateImportRecord({ email: 'ada@example.com' }), { ok: true, user: { email: 'ada@example.com' } });
  });

  it('does not prefix a user_id that already carries auth0|', () => {
    const result = validateImportRecord({ email: 'ada@example.com', user_id: 'auth0|abc' });
    assert.ok(result.ok);
    assert.equal(result.user.user_id, 'auth0|abc');
  });

  it('stores a custom_password_hash as the hasher\'s imported form, which verifies the password', async () => {
    const value = createHash('sha256').update('salt:correct horse').digest('hex');
    const result = validateImportRecord({
      email: 'ada@example.com',
      custom_password_hash: { algorithm: 'sha256', hash: { value, encoding: 'hex' }, salt: { value: 'salt:', position: 'prefix' } },
    });
    assert.ok(result.ok);
    const stored = result.user.password_hash!;
    assert.equal(decodeImportedHash(stored)?.algorithm, 'sha256');
    const hasher = createPasswordHasher();
    assert.equal(await hasher.verify(stored, 'correct horse'), true);
    assert.equal(await hasher.verify(stored, 'correct horsE'), false);
    assert.equal('custom_password_hash' in result.user, false);
  });

  it('imports a bcrypt password_hash that the hasher verifies', async () => {
    const hash = await bcryptHash('correct horse', 4);
    const result = validateImportRecord({ email: 'ada@example.com', password_hash: hash });
    assert.ok(result.ok);
    assert.equal(await createPasswordHasher().verify(result.user.password_hash!, 'correct horse'), true);
  });

  describe('error codes and paths', () => {
    it('INVALID_TYPE for a record that is not an object, and for fields of the wrong type', () => {
      for (const record of [null, [], 'ada@example.com', 7]) {
        assert.deepEqual(errorsOf(validateImportRecord(record)), [{ code: 'INVALID_TYPE', path: '#/' }]);
      }
      assert.deepEqual(errorFor({ email_verified: 'yes' }), { code: 'INVALID_TYPE', path: '#/email_verified' });
      assert.deepEqual(errorFor({ blocked: null }), { code: 'INVALID_TYPE', path: '#/blocked' });
      assert.deepEqual(errorFor({ name: 42 }), { code: 'INVALID_TYPE', path: '#/name' });
      assert.deepEqual(errorFor({ user_metadata: ['a'] }), { code: 'INVALID_TYPE', path: '#/user_metadata' });
      assert.deepEqual(errorFor({ mfa_factors: { totp: {} } }), { code: 'INVALID_TYPE', path: '#/mfa_factors' });
      assert.deepEqual(errorFor({ mfa_factors: ['totp'] }), { code: 'INVALID_TYPE', path: '#/mfa_factors/0' });
      assert.deepEqual(errorsOf(validateImportRecord({ email: 42 })), [{ code: 'INVALID_TYPE', path: '#/email' }]);
    });

    it('OBJECT_REQUIRED when email is missing, or a factor\'s value', () => {
      assert.deepEqual(errorsOf(validateImportRecord({ username: 'ada' })), [{ code: 'OBJECT_REQUIRED', path: '#/email' }]);
      assert.deepEqual(errorFor({ mfa_factors: [{ totp: {} }] }), { code: 'OBJECT_REQUIRED', path: '#/mfa_factors/0/totp/secret' });
    });

    it('FORMAT for an invalid email, picture URL, or factor email', () => {
      assert.deepEqual(errorsOf(validateImportRecord({ email: 'not-an-email' })), [{ code: 'FORMAT', path: '#/email' }]);
      assert.deepEqual(errorsOf(validateImportRecord({ email: `${'a'.repeat(65)}@example.com` })), [{ code: 'FORMAT', path: '#/email' }]);
      assert.deepEqual(errorFor({ picture: 'javascript:alert(1)' }), { code: 'FORMAT', path: '#/picture' });
      assert.deepEqual(errorFor({ mfa_factors: [{ email: { value: 'nope' } }] }), { code: 'FORMAT', path: '#/mfa_factors/0/email/value' });
    });

    it('PATTERN for a phone number, username characters, a non-bcrypt password_hash, a TOTP secret, metadata field names', () => {
      assert.deepEqual(errorFor({ phone_number: '0044 20 7946' }), { code: 'PATTERN', path: '#/phone_number' });
      assert.deepEqual(errorFor({ username: 'ada lovelace' }), { code: 'PATTERN', path: '#/username' });
      assert.deepEqual(errorFor({ username: 'ada@example.com' }), { code: 'PATTERN', path: '#/username' }, 'not an email');
      assert.deepEqual(errorFor({ password_hash: '$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy' }), {
        code: 'PATTERN',
        path: '#/password_hash',
      });
      assert.deepEqual(errorFor({ password_hash: 'plaintext' }), { code: 'PATTERN', path: '#/password_hash' });
      assert.deepEqual(errorFor({ mfa_factors: [{ totp: { secret: 'not base32!' } }] }), { code: 'PATTERN', path: '#/mfa_factors/0/totp/secret' });
      assert.deepEqual(errorFor({ mfa_factors: [{ phone: { value: '12345' } }] }), { code: 'PATTERN', path: '#/mfa_factors/0/phone/value' });
      assert.deepEqual(errorFor({ user_metadata: { 'a.b': 1 } }), { code: 'PATTERN', path: '#/user_metadata' });
      assert.deepEqual(errorFor({ given_name: 'Ada\nLovelace' }), { code: 'PATTERN', path: '#/given_name' });
    });

    it('MIN_LENGTH and MAX_LENGTH for names, usernames (with the connection\'s limit), user_id, TOTP secrets, metadata size', () => {
      assert.deepEqual(errorFor({ name: '   ' }), { code: 'MIN_LENGTH', path: '#/name' });
      assert.deepEqual(errorFor({ nickname: 'n'.repeat(351) }), { code: 'MAX_LENGTH', path: '#/nickname' });
      assert.ok(validateImportRecord({ email: 'ada@example.com', nickname: 'n'.repeat(350) }).ok);
      assert.deepEqual(errorFor({ family_name: '😀'.repeat(151) }), { code: 'MAX_LENGTH', path: '#/family_name' });
      assert.deepEqual(errorFor({ username: '' }), { code: 'MIN_LENGTH', path: '#/username' });
      assert.deepEqual(errorFor({ username: 'a'.repeat(16) }), { code: 'MAX_LENGTH', path: '#/username' });
      assert.ok(validateImportRecord({ email: 'ada@example.com', username: 'a'.repeat(16) }, { usernameMaxLength: 20 }).ok);
      assert.deepEqual(errorFor({ username: 'a'.repeat(21) }, { usernameMaxLength: 20 }), { code: 'MAX_LENGTH', path: '#/username' });
      assert.deepEqual(errorFor({ user_id: '' }), { code: 'MIN_LENGTH', path: '#/user_id' });
      assert.deepEqual(errorFor({ user_id: 'x'.repeat(129) }), { code: 'MAX_LENGTH', path: '#/user_id' });
      assert.deepEqual(errorFor({ mfa_factors: [{ totp: { secret: 'JBSWY3DP' } }] }), { code: 'MIN_LENGTH', path: '#/mfa_factors/0/totp/secret' });
      assert.deepEqual(errorFor({ user_metadata: { blob: 'x'.repeat(1024 * 1024) } }), { code: 'MAX_LENGTH', path: '#/user_metadata' });
    });

    it('NOT_PASSED for unknown properties (additionalProperties: false), naming the property', () => {
      assert.deepEqual(errorFor({ password: 'hunter2' }), { code: 'NOT_PASSED', path: '#/password' });
      assert.deepEqual(errorFor({ connection: 'Username-Password-Authentication' }), { code: 'NOT_PASSED', path: '#/connection' });
      assert.deepEqual(errorFor({ 'a/b~c': 1 }), { code: 'NOT_PASSED', path: '#/a~1b~0c' });
      assert.deepEqual(errorsOf(validateImportRecord(JSON.parse('{"email":"ada@example.com","__proto__":{"admin":true}}'))), [
        { code: 'NOT_PASSED', path: '#/__proto__' },
      ]);
      assert.deepEqual(errorFor({ mfa_factors: [{ totp: { secret: 'JBSWY3DPEHPK3PXP', period: 30 } }] }), {
        code: 'NOT_PASSED',
        path: '#/mfa_factors/0/totp/period',
      });
    });

    it('NOT_PASSED for password_hash with custom_password_hash (Auth0 refuses the pair the same way)', () => {
      const custom = { algorithm: 'md5', hash: { value: createHash('md5').update('pw').digest('hex'), encoding: 'hex' } };
      const result = validateImportRecord({ email: 'ada@example.com', password_hash: BCRYPT, custom_password_hash: custom });
      assert.deepEqual(errorsOf(result), [{ code: 'NOT_PASSED', path: '#/' }]);
      assert.match(result.ok ? '' : result.errors[0]!.message, /mutually exclusive/u);
    });

    it('NOT_PASSED for a reserved app_metadata name, pointing at it', () => {
      assert.deepEqual(errorFor({ app_metadata: { plan: 'gold', email_verified: true } }), { code: 'NOT_PASSED', path: '#/app_metadata/email_verified' });
      assert.ok(validateImportRecord({ email: 'ada@example.com', user_metadata: { email_verified: true } }).ok);
    });

    it('ARRAY_LENGTH_SHORT, ARRAY_LENGTH_LONG, ANY_OF_MISSING and NOT_PASSED for mfa_factors', () => {
      assert.deepEqual(errorFor({ mfa_factors: [] }), { code: 'ARRAY_LENGTH_SHORT', path: '#/mfa_factors' });
      const many = Array.from({ length: 11 }, () => ({ phone: { value: '+14155550123' } }));
      assert.deepEqual(errorFor({ mfa_factors: many }), { code: 'ARRAY_LENGTH_LONG', path: '#/mfa_factors' });
      assert.deepEqual(errorFor({ mfa_factors: [{}] }), { code: 'ANY_OF_MISSING', path: '#/mfa_factors/0' });
      assert.deepEqual(errorFor({ mfa_factors: [{ phone: { value: '+14155550123' }, email: { value: 'a@example.com' } }] }), {
        code: 'NOT_PASSED',
        path: '#/mfa_factors/0',
      });
    });

    it('custom_password_hash problems with their paths inside it', () => {
      assert.deepEqual(errorFor({ custom_password_hash: { algorithm: 'rot13', hash: { value: 'x' } } }), {
        code: 'ENUM_MISMATCH',
        path: '#/custom_password_hash/algorithm',
      });
      assert.deepEqual(errorFor({ custom_password_hash: { algorithm: 'sha1', hash: { value: 'zz', encoding: 'hex' } } }), {
        code: 'FORMAT',
        path: '#/custom_password_hash/hash/value',
      });
      assert.deepEqual(errorFor({ custom_password_hash: { algorithm: 'scrypt', hash: { value: 'abcd', encoding: 'hex' } } }), {
        code: 'OBJECT_REQUIRED',
        path: '#/custom_password_hash/keylen',
      });
      assert.deepEqual(errorFor({ custom_password_hash: 'sha1:abcd' }), { code: 'INVALID_TYPE', path: '#/custom_password_hash' });
      assert.deepEqual(
        errorFor({ custom_password_hash: { algorithm: 'scrypt', hash: { value: 'abcd', encoding: 'hex' }, keylen: 2, cost: 0 } }),
        { code: 'MINIMUM', path: '#/custom_password_hash/cost' },
      );
      assert.deepEqual(
        errorFor({ custom_password_hash: { algorithm: 'scrypt', hash: { value: 'abcd', encoding: 'hex' }, keylen: 2, cost: 2 ** 30 } }),
        { code: 'MAXIMUM', path: '#/custom_password_hash/cost' },
      );
    });
  });

  it('collects every error of a record, with a message for each', () => {
    const result = validateImportRecord({
      email: 'nope',
      username: 'ada lovelace',
      phone_verified: 'true',
      given_name: '',
      picture: 'ftp://example.com/a.png',
      app_metadata: { roles: ['admin'], user_id: 'x' },
      custom_password_hash: { algorithm: 'hmac', hash: { value: 'abcd', encoding: 'hex' } },
      password_hash: 'nope',
      mfa_factors: [{ sms: {} }],
      extra: 1,
    });
    assert.deepEqual(errorsOf(result), [
      { code: 'FORMAT', path: '#/email' },
      { code: 'PATTERN', path: '#/username' },
      { code: 'INVALID_TYPE', path: '#/phone_verified' },
      { code: 'MIN_LENGTH', path: '#/given_name' },
      { code: 'FORMAT', path: '#/picture' },
      { code: 'NOT_PASSED', path: '#/app_metadata/user_id' },
      { code: 'OBJECT_REQUIRED', path: '#/custom_password_hash/hash/digest' },
      { code: 'OBJECT_REQUIRED', path: '#/custom_password_hash/hash/key' },
      { code: 'PATTERN', path: '#/password_hash' },
      { code: 'NOT_PASSED', path: '#/mfa_factors/0/sms' },
      { code: 'ANY_OF_MISSING', path: '#/mfa_factors/0' },
      { code: 'NOT_PASSED', path: '#/extra' },
      { code: 'NOT_PASSED', path: '#/' },
    ]);
    assert.ok(!result.ok && result.errors.every((e) => e.message.length > 0));
  });

  it('refuses an impossible usernameMaxLength at once', () => {
    assert.throws(() => validateImportRecord({ email: 'ada@example.com' }, { usernameMaxLength: 0 }), TypeError);
    assert.throws(() => validateImportRecord({ email: 'ada@example.com' }, { usernameMaxLength: 129 }), TypeError);
  });

  it('documents every Auth0 import error code', () => {
    assert.deepEqual(Object.keys(IMPORT_ERROR_CODES).sort(), [
      'ANY_OF_MISSING', 'ARRAY_LENGTH_LONG', 'ARRAY_LENGTH_SHORT', 'CONFLICT', 'CONFLICT_EMAIL', 'CONFLICT_USERNAME',
      'CONNECTION_NOT_FOUND', 'DUPLICATED_USER', 'ENUM_MISMATCH', 'FORMAT', 'INVALID_TYPE', 'MAXIMUM', 'MAX_LENGTH',
      'MFA_FACTORS_FAILED', 'MINIMUM', 'MIN_LENGTH', 'NOT_PASSED', 'OBJECT_REQUIRED', 'PATTERN',
    ]);
    for (const description of Object.values(IMPORT_ERROR_CODES)) assert.ok(description.length > 10);
  });
});
