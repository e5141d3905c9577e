import { writeCsv, type CsvDelimiter } from './csv';
import {
  AREA_LABELS,
  HOUSEHOLD_COLUMNS,
  HOUSEHOLD_SOURCE_LABELS,
  HouseholdRecordSchema,
  NO_DEPRIVATION_LABEL,
  type HouseholdColumnKey,
  type HouseholdRecord,
  type HouseholdRecordInput,
} from './household.schema';
import type { HouseholdFileFormat } from './household-import';
import { HouseholdRecordsError, HouseholdRecordsErrorCode } from './household-records-error';
import { bilingual } from './text';
import { writeXlsx, type XlsxColumn } from './xlsx';

export const HOUSEHOLD_SHEET_NAME = 'Danh sách hộ';

export interface WriteHouseholdFileOptions {
  /** CSV only: `,` (default) or `;` for spreadsheets whose list separator is `;`. */
  csvDelimiter?: CsvDelimiter;
}

/** Presentation of each column in XLSX; values never depend on it. */
const XLSX_LAYOUT: Record<HouseholdColumnKey, Omit<XlsxColumn, 'header'>> = {
  householdCode: { width: 14, numFmt: '@' },
  headName: { width: 28 },
  idNumber: { width: 18, numFmt: '@' },
  address: { width: 32, wrap: true },
  memberCount: { width: 13 },
  area: { width: 12 },
  source: { width: 24 },
  incomePerCapitaMonthly: { width: 22, numFmt: '#,##0' },
  deprivations: { width: 40, wrap: true },
  note: { width: 32, wrap: true },
};

/**
 * Writes households with the Vietnamese headers of `HOUSEHOLD_COLUMNS`, in a form
 * `parseHouseholdFile` reads back to the same records. The records are validated first (a
 * `HouseholdRecordsError` lists every problem, e.g. `households[3].memberCount: …`, and a repeated
 * household code) and written normalised (trimmed, NFC, each deprivation once). CSV: UTF-8 with
 * BOM, CRLF; a text starting with `=`, `+`, `-` or `@` gets a leading `'` so that spreadsheets do
 * not run it as a formula (the import removes it). XLSX: one sheet, numbers as numbers, codes and
 * ID numbers as text. No households gives an empty template.
 */
export async function writeHouseholdFile(
  households: readonly HouseholdRecordInput[],
  format: HouseholdFileFormat,
  options: WriteHouseholdFileOptions = {},
): Promise<Buffer> {
  const records = validate(households);
  const rows = records.map((record) => HOUSEHOLD_COLUMNS.map((column) => encode(column.key, record)));
  if (format === 'csv') {
    const header = HOUSEHOLD_COLUMNS.map((column) => column.headerVi);
    const body = rows.map((row) => row.map((value) => (value === undefined ? '' : guardFormula(String(value)))));
    return Buffer.from(writeCsv([header, ...body], { delimiter: options.csvDelimiter ?? ',', bom: true }), 'utf8');
  }
  if (format === 'xlsx') {
    return writeXlsx({
      name: HOUSEHOLD_SHEET_NAME,
      columns: HOUSEHOLD_COLUMNS.map((column) => ({ header: column.headerVi, ...XLSX_LAYOUT[column.key] })),
      rows,
    });
  }
  throw new HouseholdRecordsError(
    HouseholdRecordsErrorCode.UnsupportedFormat,
    bilingual(
      `Định dạng "${String(format)}" không được hỗ trợ (csv, xlsx)`,
      `Unsupported format "${String(format)}" (csv, xlsx)`,
    ),
  );
}

function validate(households: readonly HouseholdRecordInput[]): HouseholdRecord[] {
  const issues: string[] = [];
  const records: HouseholdRecord[] = [];
  const firstIndexOfCode = new Map<string, number>();
  households.forEach((household, index) => {
    const parsed = HouseholdRecordSchema.safeParse(household);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path =
          issue.code === 'unrecognized_keys'
            ? issue.keys.map((key) => `.${key}`)
            : [
                issue.path
                  .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`))
                  .join(''),
              ];
        for (const suffix of path) issues.push(`households[${index}]${suffix}: ${issue.message}`);
      }
      return;
    }
    const key = parsed.data.householdCode.toUpperCase();
    const first = firstIndexOfCode.get(key);
    if (first !== undefined) {
      issues.push(
        `households[${index}].householdCode: ${bilingual(`Mã hộ "${parsed.data.householdCode}" trùng với households[${first}]`, `Household code "${parsed.data.householdCode}" repeats households[${first}]`)}`,
      );
    } else firstIndexOfCode.set(key, index);
    records.push(parsed.data);
  });
  if (issues.length > 0) {
    throw new HouseholdRecordsError(
      HouseholdRecordsErrorCode.InvalidHouseholds,
      bilingual('Danh sách hộ không hợp lệ', 'Invalid household list'),
      issues,
    );
  }
  return records;
}

function encode(key: HouseholdColumnKey, record: HouseholdRecord): string | number | undefined {
  switch (key) {
    case 'area':
      return AREA_LABELS[record.area].vi;
    case 'source':
      return HOUSEHOLD_SOURCE_LABELS[record.source].vi;
    case 'deprivations':
      if (record.deprivations === undefined) return undefined;
      return record.deprivations.length === 0 ? NO_DEPRIVATION_LABEL : record.deprivations.join('; ');
    default:
      return record[key];
  }
}

/** One more leading `'` before a formula character; the import removes exactly one (`FORMULA_GUARD`). */
function guardFormula(text: string): string {
  return /^'*[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
