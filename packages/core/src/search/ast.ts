/**
 * The typed syntax tree of a user search query (Auth0's v3 search syntax, a Lucene subset).
 * The parser produces it, validation checks it against the searchable fields, and each storage
 * adapter compiles it to its own indexed query. Nothing here knows SQL.
 */

/** Where in the query text a node came from (0-based character offsets), for error messages. */
export interface Span {
  start: number;
  end: number;
}

/** A field path: a root field (`email`, `logins_count`), `email.domain`, `identities.connection`, or a metadata path (`user_metadata.address.city`). */
export interface FieldRef {
  /** The path as written, e.g. "app_metadata.plan". */
  path: string;
  /** Which family the field belongs to (decides case sensitivity, type and index). */
  kind: 'root' | 'email_domain' | 'identity_connection' | 'user_metadata' | 'app_metadata';
  /** For metadata: the keys below user_metadata/app_metadata, e.g. ["address", "city"]. */
  keys: string[];
}

/** A literal term value. `phrase` is true for "quoted text" (no wildcards inside). */
export interface TermValue {
  text: string;
  phrase: boolean;
}

export type QueryNode =
  | { type: 'and'; children: QueryNode[]; span: Span }
  | { type: 'or'; children: QueryNode[]; span: Span }
  | { type: 'not'; child: QueryNode; span: Span }
  /** `field:value` or `field:"phrase"`: equality (case-insensitive on the case-insensitive fields). */
  | { type: 'term'; field: FieldRef; value: TermValue; span: Span }
  /**
   * `field:jo*`, `field:*son`, `field:*oh*`, `field:jane*smith`: the value split at each `*`.
   * `parts` never contains a wildcard "*" (a "*" inside a part is a literal one, written `\*`);
   * an empty first part means a leading wildcard, an empty last part a trailing one, and no other
   * part is empty. E.g. `*oh*` -> ["", "oh", ""]; `jo*` -> ["jo", ""].
   */
  | { type: 'wildcard'; field: FieldRef; parts: string[]; span: Span }
  /** `field:[a TO b]`, `{a TO b}`, mixed brackets; `null` is an open end (`*`). */
  | {
      type: 'range';
      field: FieldRef;
      lower: string | null;
      upper: string | null;
      includeLower: boolean;
      includeUpper: boolean;
      span: Span;
    }
  /** `_exists_:field`. */
  | { type: 'exists'; field: FieldRef; span: Span }
  /**
   * A bare term with no field (`john`): matched against the default fields (email, name, nickname, given/family name, username).
   * `parts` is null for a plain term or phrase; for a wildcard term (`jo*`) it is the split value,
   * as in `wildcard`, and `value.text` is then `parts.join("*")`, for display only.
   */
  | { type: 'any'; value: TermValue; parts: string[] | null; span: Span };

/** The value types the root fields have, which ranges and comparisons follow. */
export type FieldType = 'string' | 'ci_string' | 'number' | 'boolean' | 'date';
