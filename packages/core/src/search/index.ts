export type { FieldRef, FieldType, QueryNode, Span, TermValue } from './ast.js';
export { SEARCHABLE_FIELDS, fieldType, resolveField } from './search-fields.js';
export { parseQuery, type ParseQueryOptions } from './parse-query.js';
export { isSearchDate } from './validate-query.js';
export { dateBounds } from './date-bounds.js';
export { DEFAULT_TERM_FIELDS, matchesQuery } from './match-user.js';
