import { createHash } from 'node:crypto';

/**
 * Auth0's default picture for database users: Gravatar of the lower-cased email, falling back to
 * an initials avatar when the address has no Gravatar.
 */
export function defaultPicture(email: string, name?: string | null): string {
  const digest = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  const initials = initialsOf(name ?? email);
  const fallback = `https://cdn.auth0.com/avatars/${encodeURIComponent(initials.toLowerCase())}.png`;
  return `https://s.gravatar.com/avatar/${digest}?s=480&r=pg&d=${encodeURIComponent(fallback)}`;
}

/** Up to two initials: first letters of the first two words (of the local part for an email). */
export function initialsOf(text: string): string {
  const base = text.includes('@') ? text.slice(0, text.indexOf('@')) : text;
  const words = base.split(/[\s._\-+]+/u).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => [...w][0] ?? '');
  const result = letters.join('').toUpperCase();
  return result === '' ? '?' : result;
}
