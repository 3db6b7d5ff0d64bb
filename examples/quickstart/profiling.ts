import type { ProfilingRuleInput } from '@gatehouse/express';

/**
 * The quickstart's progressive profiling: names at the second sign-in, then (skippable) a few
 * details kept in user_metadata at the third.
 */
export const profilingRules: ProfilingRuleInput[] = [
  {
    afterLogins: 2,
    heading: 'What should we call you?',
    fields: [
      { name: 'given_name', label: 'First name', required: true },
      { name: 'family_name', label: 'Last name', required: true },
    ],
  },
  {
    afterLogins: 3,
    id: 'work',
    heading: 'About your work',
    skippable: true,
    fields: [
      { name: 'company', label: 'Company', required: true },
      { name: 'role', label: 'Role', type: 'select', options: ['Developer', 'Designer', 'Manager', 'Other'] },
      { name: 'newsletter', label: 'Send me the monthly newsletter', type: 'checkbox' },
    ],
  },
];
