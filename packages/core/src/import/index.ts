export { IMPORT_ERROR_CODES, type ImportError, type ImportErrorCode } from './import-error-codes.js';
export {
  MAX_IMPORT_MFA_FACTORS,
  validateImportRecord,
  type ImportMfaFactor,
  type ImportRecordOptions,
  type ImportRecordResult,
  type ImportUser,
} from './import-record.js';
export { newJobId, withoutHashes } from './job-id.js';
export { MAX_RECORD_BYTES, readImportRecords, type ImportFileRecord } from './read-import-records.js';
export { runUsersImport, type UsersImportOptions } from './users-importer.js';
export { DEFAULT_EXPORT_FIELDS, checkExportFields, csvCell, exportUsers, type ExportField, type UsersExportOptions } from './users-exporter.js';
