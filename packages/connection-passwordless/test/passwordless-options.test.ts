import assert from 'node:assert/strict';
import { emailCode, emailLink, smsCode, twilioSmsSender, consoleSmsSender } from '../src/index.js';
import { mailboxOf, normalizeEmailAddress, normalizePhoneNumber, numberBlockOf } from '../src/addresses.js';

const sender = consoleSmsSender({ info: () => undefined });

describe('connection-passwordless: options', () => {
  it('builds the three connections with their defaults', () => {
    const code = emailCode();
    assert.equal(code.name, 'email');
    assert.equal(code.kind, 'passwordless');
    assert.equal(code.loginMode, 'redirect');
    assert.equal(code.passwordless?.channel, 'email');
    assert.equal(code.passwordless?.delivery, 'code');
    assert.equal(code.passwordless?.signup, true);
    assert.deepEqual(code.passwordless?.sendLimits, {
      perAddress: { points: 5, durationSec: 3600 },
      perIp: { points: 30, durationSec: 3600 },
      perDestination: { points: 20, durationSec: 3600 },
    });
    assert.equal(emailLink({ name: 'magic' }).passwordless?.delivery, 'link');
    const sms = smsCode({ sender });
    assert.equal(sms.name, 'sms');
    assert.equal(sms.passwordless?.channel, 'sms');
  });

  it('refuses unusable options with a TypeError naming them', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => emailCode({ name: 'Bad Name' }), /name must be/u],
      [() => emailCode({ name: 'login' }), /reserved/u],
      [() => emailCode({ ttlMs: 11 * 60_000 }), /ttlMs must be an integer from 30000 to 600000/u],
      [() => emailLink({ ttlMs: 2 * 3_600_000 }), /ttlMs must be an integer from 60000 to 3600000/u],
      [() => emailCode({ digits: 4 }), /digits must be an integer from 6 to 10/u],
      [() => emailCode({ maxAttempts: 0 }), /maxAttempts/u],
      [() => emailLink({ digits: 6 } as never), /codes only/u],
      [() => emailCode({ sendLimits: { perAddress: { points: 0 } } }), /sendLimits.perAddress.points/u],
      [() => emailCode({ sendLimits: { perUser: {} } as never }), /sendLimits.perUser is not a known limit/u],
      [() => emailCode({ transport: 'http://mail' }), /smtp/u],
      [() => emailCode({ transport: 'smtp://127.0.0.1:25' }), /from is required/u],
      [() => emailCode({ from: 'a@b.c' }), /from only applies with transport/u],
      [() => emailCode({ signup: 'no' as never }), /signup must be true or false/u],
      [() => smsCode({} as never), /sender is required/u],
      [() => twilioSmsSender({ accountSid: 'AC1', authToken: 't' }), /exactly one of from and messagingServiceSid/u],
      [() => twilioSmsSender({ accountSid: 'AC/../x', authToken: 't', from: '+1' }), /accountSid/u],
      [() => twilioSmsSender({ accountSid: 'AC1', authToken: '', from: '+1' }), /authToken is required/u],
      [() => twilioSmsSender({ accountSid: 'AC1', authToken: 't', from: '+1', baseUrl: 'ftp://x' }), /baseUrl must be http/u],
    ];
    for (const [make, message] of cases) assert.throws(make, (err: unknown) => err instanceof TypeError && message.test(err.message), String(message));
  });
});

describe('connection-passwordless: addresses', () => {
  it('normalizes emails and numbers', () => {
    assert.equal(normalizeEmailAddress('  Jane.Doe@Example.COM '), 'jane.doe@example.com');
    assert.equal(normalizePhoneNumber('+1 (415) 555-0123'), '+14155550123');
  });

  it('refuses control characters, several recipients and non-strings with invalid_body', () => {
    for (const bad of ['a@b.co\r\nBcc: c@d.co', 'a@b.co\u0085', 'a@b.co\u2029', 'a@b.co,c@d.co', 'a@b.co c@d.co', '', 42, ['a@b.co'], null]) {
      assert.throws(() => normalizeEmailAddress(bad), (err: { code?: string; field?: string }) => err.code === 'invalid_body' && err.field === 'email', JSON.stringify(bad));
    }
    for (const bad of ['+1415\n5550123', '4155550123', '+0155550123', '+1234', 'tel:+14155550123']) {
      assert.throws(() => normalizePhoneNumber(bad), (err: { code?: string; field?: string }) => err.code === 'invalid_body' && err.field === 'phone_number', bad);
    }
  });

  it('finds the destination: the mailbox without +tag, the block of numbers', () => {
    assert.equal(mailboxOf('jane+news@example.com'), 'jane@example.com');
    assert.equal(mailboxOf('jane@example.com'), 'jane@example.com');
    assert.equal(mailboxOf('+x@example.com'), '+x@example.com');
    assert.equal(numberBlockOf('+14155550123'), '+1415555xxxx');
  });
});
