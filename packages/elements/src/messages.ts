/**
 * Every string the components show, in English. Pass a partial object as an element's `strings`
 * property to translate or reword; `{name}` placeholders are filled in at render time.
 *
 * @example
 * table.strings = { search: 'Rechercher', empty: 'Aucun utilisateur' };
 */
export const DEFAULT_MESSAGES = {
  // Shared
  loading: 'Loading…',
  retry: 'Retry',
  save: 'Save',
  saving: 'Saving…',
  cancel: 'Cancel',
  close: 'Close',
  block: 'Block',
  unblock: 'Unblock',
  delete: 'Delete',
  blocked: 'Blocked',
  active: 'Active',
  required: 'This field is required.',
  invalidFormat: 'This value is not valid.',
  networkError: 'The server could not be reached.',

  // <gatehouse-user-table>
  tableLabel: 'Users',
  search: 'Search users',
  searchPlaceholder: 'Search by email or name',
  searchPlaceholderQuery: 'email:"jane@example.com" OR app_metadata.plan:gold',
  searchButton: 'Search',
  simpleMode: 'Plain text',
  queryMode: 'Query syntax',
  searchMode: 'Search mode',
  columnEmail: 'Email',
  columnName: 'Name',
  columnStatus: 'Status',
  columnLastLogin: 'Last login',
  columnLogins: 'Logins',
  columnCreated: 'Created',
  columnActions: 'Actions',
  sortBy: 'Sort by {column}',
  selectAll: 'Select all users on this page',
  selectUser: 'Select {user}',
  selectedCount: '{count} selected',
  bulkActions: 'Bulk actions',
  open: 'Open',
  empty: 'No users found.',
  nextPage: 'Next page',
  previousPage: 'Previous page',
  pageStatus: 'Page {page}',
  never: 'Never',
  confirmDelete: 'Delete {count} user(s)? This cannot be undone.',
  bulkDone: '{count} user(s) updated.',
  bulkFailed: '{failed} of {count} change(s) failed: {message}',

  // <gatehouse-profile-editor>
  profile: 'Profile',
  noUser: 'No user selected.',
  name: 'Name',
  givenName: 'Given name',
  familyName: 'Family name',
  nickname: 'Nickname',
  username: 'Username',
  email: 'Email',
  emailVerified: 'Email verified',
  phone: 'Phone number',
  picture: 'Picture URL',
  picturePreview: 'Picture preview',
  userMetadata: 'user_metadata (JSON)',
  appMetadata: 'app_metadata (JSON)',
  metadata: 'Metadata',
  invalidJson: 'Not valid JSON: {message}',
  notAnObject: 'Must be a JSON object, like {"key": "value"}.',
  saved: 'Saved.',
  password: 'Password',
  newPassword: 'New password',
  changePassword: 'Change password',
  passwordChanged: 'Password changed.',
  status: 'Status',
  userBlocked: 'This user is blocked and cannot sign in.',
  userActive: 'This user can sign in.',
  bruteForce: 'Brute-force blocks',
  bruteForceNone: 'No sign-in attempts are being throttled.',
  bruteForceClear: 'Clear brute-force blocks',
  identities: 'Linked identities',
  unlink: 'Unlink',
  unlinkLabel: 'Unlink {provider} identity {id}',
  logs: 'Recent activity',
  noLogs: 'No recent activity.',
  logDate: 'Date',
  logType: 'Event',
  logDescription: 'Description',
  logIp: 'IP',

  // <gatehouse-progressive-profile>
  progressiveTitle: 'Tell us a bit more about you',
  skip: 'Skip for now',
  continue: 'Continue',
  chooseOption: 'Choose…',
};

/** The keys of the messages. */
export type MessageKey = keyof typeof DEFAULT_MESSAGES;

/** A partial override of the messages, as an element's `strings` property takes. */
export type Messages = Partial<Record<MessageKey, string>>;

/** Fills `{name}` placeholders; unknown placeholders are left as written. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/gu, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
