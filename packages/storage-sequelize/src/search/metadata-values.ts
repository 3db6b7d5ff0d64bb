import type { JsonValue, Metadata } from '@gatehouse/core';

/** Which metadata a value row belongs to. */
export type MetadataSource = 'user' | 'app';

/** One searchable scalar of a user's metadata, as a row of the `metadata_values` side table. */
export interface MetadataValueRow {
  user_id: string;
  source: MetadataSource;
  /** Keys joined with ".", array levels skipped (Auth0: `user_metadata.addresses.city`). */
  path: string;
  /** Strings, booleans ("true"/"false") and numbers as text; null for a text too long to index. */
  value_text: string | null;
  /** Numbers, for numeric ranges. */
  value_num: number | null;
}

/**
 * Text values longer than this are not indexed (they stay in the profile, unsearchable): it keeps
 * every index within InnoDB's key limit. Auth0 advises metadata fields of a few hundred bytes.
 */
export const MAX_INDEXED_TEXT = 255;
const MAX_PATH = 255;

/** Whether a text is matched by value in the index (see matchesQuery in core: the same rule). */
export function indexable(text: string): boolean {
  return text.length <= MAX_INDEXED_TEXT && !text.includes('\u0000');
}

/**
 * Flattens metadata into the rows that make it searchable without scanning JSON: one row per
 * scalar, at its dotted path. Arrays contribute each element at the array's own path.
 */
export function metadataValueRows(userId: string, source: MetadataSource, metadata: Metadata): MetadataValueRow[] {
  const rows: MetadataValueRow[] = [];
  const visit = (value: JsonValue, path: string) => {
    if (path.length > MAX_PATH) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`);
      return;
    }
    if (path === '') return;
    // A JSON null is "no value", as in Lucene: it neither matches nor counts for _exists_.
    if (value === null) return;
    if (typeof value === 'number') rows.push({ user_id: userId, source, path, value_text: String(value), value_num: value });
    else if (typeof value === 'boolean') rows.push({ user_id: userId, source, path, value_text: String(value), value_num: null });
    // A long text, or one with a NUL (which no database index takes as text), exists (for
    // _exists_) but is not matched by value.
    else rows.push({ user_id: userId, source, path, value_text: indexable(value) ? value : null, value_num: null });
  };
  visit(metadata, '');
  return rows;
}
