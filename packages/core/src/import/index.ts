export { IMPORT_ERROR_CODES, type ImportError, type ImportErrorCode } from './import-error-codes.js';
export {
  MAX_IMPORT_MFA_FACTORS,
  validateImportRecord,
  type ImportMfaFactor,
  type ImportRecordOptions,
  type ImportRecordResult,
  type ImportUser,
} from './import-record.js';
