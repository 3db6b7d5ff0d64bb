/** The characters with a meaning in the v3 query syntax (and the space), escaped in a plain-text search. */
const SPECIAL = /[\\:*()"[\]{}/+\-!?^~&| ]/gu;

/**
 * The v3 query for a plain-text search: the text as a prefix of the email or of the name, every
 * special character escaped so user input is never read as syntax. Empty text: null (everyone).
 *
 * @example
 * simpleQuery('jane d'); // 'email:jane\\ d* OR name:jane\\ d*'
 */
export function simpleQuery(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const word = trimmed.replace(SPECIAL, (c) => `\\${c}`);
  return `email:${word}* OR name:${word}*`;
}
