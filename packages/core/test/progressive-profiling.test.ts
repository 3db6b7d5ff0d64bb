import assert from 'node:assert/strict';
import {
  activeProfilingStep,
  checkProfilingAnswers,
  dueProfilingRules,
  parseProfilingAnswers,
  resolveProfilingRules,
  type ProfilingRuleInput,
  type User,
} from '../src/index.js';

function user(changes: Partial<User> = {}): User {
  const at = new Date('2024-01-01T00:00:00Z');
  return {
    user_id: 'auth0|0123456789abcdef01234567', email: 'ada@example.com', email_verified: true, username: null,
    phone_number: null, phone_verified: false, name: 'ada@example.com', given_name: null, family_name: null,
    nickname: 'ada', picture: null, created_at: at, updated_at: at, last_login: at, last_ip: null, logins_count: 1,
    blocked: false, identities: [], user_metadata: {}, app_metadata: {}, ...changes,
  };
}

const RULES: ProfilingRuleInput[] = [
  { afterLogins: 2, fields: [{ name: 'given_name', label: 'First name', required: true }, { name: 'family_name', label: 'Last name', required: true }] },
  {
    afterLogins: 3,
    skippable: true,
    fields: [
      { name: 'company', label: 'Company' },
      { name: 'role', label: 'Role', type: 'select', options: ['dev', { value: 'ops', label: 'Operations' }] },
    ],
  },
];

describe('progressive profiling rules', () => {
  describe('options', () => {
    it('fills the defaults: text type, optional, target by field name, an id from the field names', () => {
      const [first, second] = resolveProfilingRules(RULES);
      assert.deepEqual(first, {
        id: 'given_name+family_name', afterLogins: 2, skippable: false, askAgainAfterLogins: 2,
        fields: [
          { name: 'given_name', label: 'First name', type: 'text', required: true, target: 'root' },
          { name: 'family_name', label: 'Last name', type: 'text', required: true, target: 'root' },
        ],
      });
      assert.equal(second!.fields[0]!.target, 'user_metadata');
      assert.deepEqual(second!.fields[1]!.options, [{ value: 'dev', label: 'dev' }, { value: 'ops', label: 'Operations' }]);
      assert.deepEqual(resolveProfilingRules(undefined), []);
    });

    const mistakes: [string, unknown, RegExp][] = [
      ['not an array', { afterLogins: 1 }, /progressiveProfiling must be an array/u],
      ['afterLogins 0', [{ afterLogins: 0, fields: [{ name: 'a', label: 'A' }] }], /\[0\]\.afterLogins must be a positive integer/u],
      ['no fields', [{ afterLogins: 1, fields: [] }], /\[0\]\.fields must be a non-empty array/u],
      ['an unknown type', [{ afterLogins: 1, fields: [{ name: 'a', label: 'A', type: 'color' }] }], /\[0\]\.fields\[0\]\.type must be one of/u],
      ['no label', [{ afterLogins: 1, fields: [{ name: 'a' }] }], /fields\[0\]\.label must be a non-empty string/u],
      ['a metadata key with a dot', [{ afterLogins: 1, fields: [{ name: 'a.b', label: 'A' }] }], /fields\[0\]\.name must be a user_metadata key/u],
      ['__proto__', [{ afterLogins: 1, fields: [{ name: '__proto__', label: 'A' }] }], /fields\[0\]\.name/u],
      ['email as a root field', [{ afterLogins: 1, fields: [{ name: 'email', label: 'E', target: 'root' }] }], /a root field users may edit/u],
      ['a root checkbox', [{ afterLogins: 1, fields: [{ name: 'nickname', label: 'N', type: 'checkbox' }] }], /not 'checkbox' for a root field/u],
      ['a select without options', [{ afterLogins: 1, fields: [{ name: 'a', label: 'A', type: 'select' }] }], /options must be a non-empty array/u],
      ['options on a text field', [{ afterLogins: 1, fields: [{ name: 'a', label: 'A', options: ['x'] }] }], /options must be absent/u],
      ['a broken pattern', [{ afterLogins: 1, fields: [{ name: 'a', label: 'A', pattern: '([' }] }], /pattern must be a valid regular expression/u],
      ['two fields of one name', [{ afterLogins: 1, fields: [{ name: 'a', label: 'A' }, { name: 'a', label: 'B' }] }], /fields of distinct names/u],
      ['two rules of the same fields', [{ afterLogins: 1, fields: [{ name: 'a', label: 'A' }] }, { afterLogins: 2, fields: [{ name: 'a', label: 'A' }] }], /\[1\]\.id must be unique/u],
      ['askAgainAfterLogins without skippable', [{ afterLogins: 1, askAgainAfterLogins: 3, fields: [{ name: 'a', label: 'A' }] }], /only with skippable/u],
      ['a misspelt option', [{ afterLogins: 1, skipable: true, fields: [{ name: 'a', label: 'A' }] }], /\[0\]\.skipable must be one of/u],
    ];
    for (const [what, input, message] of mistakes) {
      it(`refuses ${what} with a TypeError naming the option`, () => {
        assert.throws(() => resolveProfilingRules(input), (err: Error) => err instanceof TypeError && message.test(err.message));
      });
    }
  });

  describe('which step is due', () => {
    const rules = resolveProfilingRules(RULES);

    it('asks nothing before the first rule’s login', () => {
      assert.equal(activeProfilingStep(rules, user({ logins_count: 1 })), null);
    });

    it('asks the first due rule, for the fields still missing', () => {
      const step = activeProfilingStep(rules, user({ logins_count: 2, given_name: 'Ada' }));
      assert.equal(step?.rule.id, 'given_name+family_name');
      assert.deepEqual(step?.fields.map((f) => f.name), ['family_name']);
    });

    it('moves to the next rule once the first is answered, and asks nothing once all are', () => {
      const named = { given_name: 'Ada', family_name: 'Lovelace' };
      assert.equal(activeProfilingStep(rules, user({ logins_count: 2, ...named })), null, 'the second rule is not due yet');
      assert.equal(activeProfilingStep(rules, user({ logins_count: 3, ...named }))?.rule.id, 'company+role');
      assert.equal(activeProfilingStep(rules, user({ logins_count: 9, ...named, user_metadata: { role: 'dev' } })), null, 'one optional answer completes a rule of optional fields');
    });

    it('keeps asking a rule whose required field is unanswered, even after later logins', () => {
      assert.equal(activeProfilingStep(rules, user({ logins_count: 7, given_name: 'Ada', family_name: '' }))?.rule.id, 'given_name+family_name');
    });

    it('leaves a skipped rule out until askAgainAfterLogins more logins', () => {
      const named = { given_name: 'Ada', family_name: 'Lovelace' };
      const skips = { 'company+role': 3 };
      assert.equal(activeProfilingStep(rules, user({ logins_count: 3, ...named }), skips), null);
      assert.equal(activeProfilingStep(rules, user({ logins_count: 4, ...named }), skips), null);
      assert.equal(activeProfilingStep(rules, user({ logins_count: 5, ...named }), skips)?.rule.id, 'company+role');
    });

    it('ignores a remembered skip of a rule that is not skippable', () => {
      assert.equal(activeProfilingStep(rules, user({ logins_count: 2 }), { 'given_name+family_name': 2 })?.rule.id, 'given_name+family_name');
    });

    it('treats a required checkbox left unticked as unanswered', () => {
      const [terms] = resolveProfilingRules([{ afterLogins: 1, fields: [{ name: 'terms', label: 'I accept', type: 'checkbox', required: true }] }]);
      assert.ok(activeProfilingStep([terms!], user({ user_metadata: { terms: false } })));
      assert.equal(activeProfilingStep([terms!], user({ user_metadata: { terms: true } })), null);
    });

    it('lists the due rules whose skips are worth looking up', () => {
      assert.deepEqual(dueProfilingRules(rules, user({ logins_count: 3 })).map((r) => r.id), ['given_name+family_name', 'company+role']);
    });
  });

  describe('answers', () => {
    const [rule] = resolveProfilingRules([{
      afterLogins: 1,
      fields: [
        { name: 'given_name', label: 'First name', required: true },
        { name: 'phone_number', label: 'Phone', type: 'tel' },
        { name: 'birthday', label: 'Birthday', type: 'date' },
        { name: 'site', label: 'Website', type: 'url' },
        { name: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
        { name: 'newsletter', label: 'Newsletter', type: 'checkbox' },
        { name: 'team', label: 'Team code', pattern: '[A-Z]{3}-[0-9]+' },
        { name: 'backup', label: 'Backup email', type: 'email' },
      ],
    }]);
    const fields = rule!.fields;

    it('turns valid answers into a PATCH /me body: root fields at the top, the rest in user_metadata', () => {
      const { patch, values, errors } = checkProfilingAnswers(fields, {
        given_name: '  Ada ', phone_number: '+14155550123', birthday: '1815-12-10', site: 'https://ada.example',
        plan: 'pro', newsletter: 'on', team: 'ENG-42', backup: 'ada@backup.example',
      });
      assert.deepEqual(errors, {});
      assert.deepEqual(patch, {
        given_name: 'Ada', phone_number: '+14155550123',
        user_metadata: { birthday: '1815-12-10', site: 'https://ada.example', plan: 'pro', newsletter: true, team: 'ENG-42', backup: 'ada@backup.example' },
      });
      assert.equal(values.newsletter, true);
    });

    it('leaves empty optional answers out, and saves an unticked box as false', () => {
      const { patch, errors } = checkProfilingAnswers(fields, { given_name: 'Ada', site: '  ', plan: '' });
      assert.deepEqual(errors, {});
      assert.deepEqual(patch, { given_name: 'Ada', user_metadata: { newsletter: false } });
    });

    it('names each invalid answer', () => {
      const { errors, patch } = checkProfilingAnswers(fields, {
        given_name: ' ', phone_number: 'call me', birthday: '2023-02-30', site: 'javascript:alert(1)', plan: 'gold',
        team: 'eng-42', backup: 'not-an-email', newsletter: ['on', 'on'],
      });
      assert.deepEqual(Object.keys(errors).sort(), ['backup', 'birthday', 'given_name', 'newsletter', 'phone_number', 'plan', 'site', 'team']);
      assert.equal(errors.given_name, 'This field is required.');
      assert.deepEqual(patch, {});
    });

    it('refuses control characters, non-strings and over-long metadata answers', () => {
      const { errors } = checkProfilingAnswers(fields, { given_name: 'Ada\r\nX-Injected: 1', team: { $ne: 1 }, backup: `${'a'.repeat(1000)}@x.com` });
      assert.deepEqual(Object.keys(errors).sort(), ['backup', 'given_name', 'team']);
    });

    it('throws the first error as invalid_body naming its field for JSON callers', () => {
      assert.throws(() => parseProfilingAnswers(fields, { given_name: '' }), { code: 'invalid_body', field: 'given_name' });
      assert.throws(() => parseProfilingAnswers(fields, null), { code: 'invalid_body', field: 'given_name' });
    });
  });
});
