export {
  AREA_LABELS,
  HOUSEHOLD_COLUMNS,
  HOUSEHOLD_SOURCE_LABELS,
  HOUSEHOLD_TEXT_LIMITS,
  HouseholdRecordSchema,
  HouseholdSourceSchema,
  NO_DEPRIVATION_ALIASES,
  NO_DEPRIVATION_LABEL,
  type HouseholdColumn,
  type HouseholdColumnKey,
  type HouseholdRecord,
  type HouseholdRecordInput,
  type HouseholdSource,
  type ValueLabel,
} from './household.schema';
export {
  formatImportError,
  parseHouseholdFile,
  type HouseholdFileFormat,
  type HouseholdFileInput,
  type ImportError,
  type ImportResult,
  type KnownIndicator,
} from './household-import';
export { HOUSEHOLD_SHEET_NAME, writeHouseholdFile, type WriteHouseholdFileOptions } from './household-export';
export { HouseholdRecordsError, HouseholdRecordsErrorCode } from './household-records-error';
export { CsvError, readCsv, streamCsv, writeCsv, type CsvDelimiter, type CsvLimits, type CsvRecord } from './csv';
export {
  DEFAULT_HOUSEHOLD_FILE_LIMITS,
  MAX_HOUSEHOLD_ROWS,
  UploadLimitCode,
  UploadLimitError,
  type UploadLimitExceeded,
  type UploadLimits,
} from './upload-limits';
export { readXlsxRows, writeXlsx, type XlsxColumn } from './xlsx';
export type { SheetCell, SheetRow } from './sheet';
