export { ApiClient, ApiError, type ApiClientOptions } from './api-client.js';
export { GatehouseElement } from './gatehouse-element.js';
export { DEFAULT_MESSAGES, format, type MessageKey, type Messages } from './messages.js';
export { GatehouseProfileEditor, type ProfileSavedDetail } from './profile-editor.js';
export type { BruteForceBlock, LogEntry } from './profile-sections.js';
export { GatehouseProgressiveProfile, type ProfileCompleteDetail, type ProfileField } from './progressive-profile.js';
export { simpleQuery } from './search-query.js';
export { themeStyles } from './theme.js';
export { GatehouseUserTable, type UsersChangedDetail } from './user-table.js';
