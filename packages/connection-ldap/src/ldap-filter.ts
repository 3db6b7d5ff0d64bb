/**
 * Escapes a value for use inside an LDAP search filter (RFC 4515 §3): `*`, `(`, `)`, `\` and NUL
 * become `\2a`, `\28`, `\29`, `\5c`, `\00`, so a username is always matched literally. Braces are
 * escaped too, so a value can never form another `{{placeholder}}`.
 *
 * ldapauth-fork has its own sanitizer, but it escapes `\` after the others and so turns `*` into
 * `\5c2a` (a literal backslash followed by "2a"): safe, yet a user named `o*brien` could never
 * sign in. Gatehouse fills the filter itself and hands ldapauth-fork a finished one.
 *
 * @example
 * escapeFilterValue('*)(uid=*') // '\\2a\\29\\28uid=\\2a'
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\u0000{}]/gu, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Replaces every `{{name}}` of a filter template with the escaped value of that name. */
export function fillFilter(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/gu, (whole, name: string) =>
    Object.hasOwn(values, name) ? escapeFilterValue(values[name]!) : whole,
  );
}

/**
 * A start-up check of a filter template: parenthesized, balanced, and using only the given
 * placeholders. Literal parentheses inside values are written `\28`/`\29`, so every parenthesis
 * in a filter is structural and counting them is enough to catch a typo.
 */
export function checkFilterTemplate(template: unknown, option: string, placeholders: readonly string[], required: readonly string[]): string {
  if (typeof template !== 'string' || !template.startsWith('(') || !template.endsWith(')')) {
    throw new TypeError(`ldap(): ${option} must be an LDAP filter in parentheses, e.g. "(uid={{username}})"`);
  }
  let depth = 0;
  for (const c of template) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) throw new TypeError(`ldap(): ${option} has unbalanced parentheses: ${template}`);
  for (const [, name] of template.matchAll(/\{\{(\w+)\}\}/gu)) {
    if (!placeholders.includes(name!)) {
      throw new TypeError(`ldap(): ${option} may only use ${placeholders.map((p) => `{{${p}}}`).join(', ')}; got {{${name}}}`);
    }
  }
  if (required.length > 0 && !required.some((name) => template.includes(`{{${name}}}`))) {
    throw new TypeError(`ldap(): ${option} must contain ${required.map((p) => `{{${p}}}`).join(' or ')}`);
  }
  return template;
}
