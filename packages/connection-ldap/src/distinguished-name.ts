/**
 * A comparable form of a distinguished name: attribute types and values lower-cased (groups are
 * named by cn/ou/dc, which compare case-insensitively), spaces around the separators dropped.
 * `CN=Admins, OU=Groups,dc=example,dc=org` and `cn=admins,ou=groups,dc=example,dc=org` are equal.
 * Escaped separators (`\,`) stay part of their value.
 */
export function normalizeDn(dn: string): string {
  const rdns: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      current += c + dn[++i]!;
    } else if (c === ',' || c === ';') {
      rdns.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  rdns.push(current);
  return rdns
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return eq < 0 ? rdn.trim() : `${rdn.slice(0, eq).trim()}=${rdn.slice(eq + 1).trim()}`;
    })
    .join(',')
    .toLowerCase();
}

/** Whether a string looks like a distinguished name: one or more `type=value` parts. */
export function isDn(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && normalizeDn(value).split(',').every((rdn) => /^[a-z][\w.-]*=./u.test(rdn) || /^\d+(\.\d+)*=./u.test(rdn));
}
