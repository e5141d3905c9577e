import { IndicatorCodeSchema, type Area } from '@rasoat/poverty-rules';
import { CsvError, streamCsv } from './csv';
import {
  AREA_LABELS,
  HOUSEHOLD_COLUMNS,
  HOUSEHOLD_SOURCE_LABELS,
  HouseholdRecordSchema,
  NO_DEPRIVATION_ALIASES,
  headerLookup,
  labelLookup,
  type HouseholdColumn,
  type HouseholdColumnKey,
  type HouseholdRecord,
} from './household.schema';
import { isBlankRow, type SheetCell, type SheetRow } from './sheet';
import { FoldedLookup, bilingual, columnLetter, foldText } from './text';
import {
  DEFAULT_HOUSEHOLD_FILE_LIMITS,
  UploadLimitError,
  type UploadLimitExceeded,
  type UploadLimits,
} from './upload-limits';
import { looksLikeLegacyXls, looksLikeZip, readXlsxRows } from './xlsx';

export type HouseholdFileFormat = 'csv' | 'xlsx';

/**
 * One problem of an import. `row` is the spreadsheet row as the user sees it (header = row 1; a
 * quoted multi-line CSV cell is one row); problems of the whole file (unreadable, empty, wrong
 * format) are reported on row 1. `column` is the header as written in the file, or the
 * Vietnamese header of a missing column; absent when no single column is at fault.
 */
export interface ImportError {
  row: number;
  column?: string;
  /** Vietnamese, then English after " / ". */
  message: string;
}

/**
 * All households, or every problem found and no household at all. When the file went past a
 * limit (`limit`), the reading stopped there: `errors` holds that one problem.
 */
export type ImportResult =
  { ok: true; households: HouseholdRecord[] } | { ok: false; errors: ImportError[]; limit?: UploadLimitExceeded };

/** A deprivation indicator the file may name, by code or by name (e.g. a rule set's `indicators`). */
export interface KnownIndicator {
  code: string;
  name?: string;
  nameEn?: string;
}

export interface HouseholdFileInput {
  format: HouseholdFileFormat;
  content: Buffer | string;
  /** Only used in messages. */
  fileName?: string;
  /**
   * The indicators of the period under review (`RuleSet['indicators']` of @rasoat/poverty-rules).
   * When given, each deprivation must be one of them, written as its code or its Vietnamese or
   * English name; when absent, deprivations must be snake_case codes and are not checked further.
   */
  indicators?: readonly KnownIndicator[];
  /**
   * The area of a household whose "Khu vực" cell is empty, or of every household when the file
   * has no such column: the village's commune's (phường urban, xã rural). Without it the column
   * is required and every cell in it.
   */
  defaultArea?: Area;
  /** What is read at most; `DEFAULT_HOUSEHOLD_FILE_LIMITS` for what is not given. */
  limits?: Partial<UploadLimits>;
}

/** `Dòng 5, cột "Số nhân khẩu": …` for lists shown to users. */
export function formatImportError(error: ImportError): string {
  return `Dòng ${error.row}${error.column === undefined ? '' : `, cột "${error.column}"`}: ${error.message}`;
}

/**
 * Reads a village's household list from CSV (UTF-8, `,` or `;`) or XLSX (first worksheet) and
 * validates every row; all or nothing. Headers are matched case- and accent-insensitively against
 * `HOUSEHOLD_COLUMNS`; blank rows are skipped. Never throws on bad content. The file is read as
 * a stream of rows that stops at the first limit passed (`input.limits`), so memory stays bounded
 * by the limits whatever the file holds.
 */
export async function parseHouseholdFile(input: HouseholdFileInput): Promise<ImportResult> {
  const limits = { ...DEFAULT_HOUSEHOLD_FILE_LIMITS, ...input.limits };
  try {
    const loaded = await loadRows(input, limits);
    if ('errors' in loaded) return { ok: false, errors: loaded.errors };
    return validateRows(loaded.rows, {
      indicators: input.indicators,
      csv: input.format === 'csv',
      defaultArea: input.defaultArea,
    });
  } catch (error) {
    if (!(error instanceof UploadLimitError)) throw error;
    return {
      ok: false,
      errors: [
        {
          row: error.exceeded.row ?? 1,
          ...(error.exceeded.column === undefined ? {} : { column: error.exceeded.column }),
          message: error.message,
        },
      ],
      limit: error.exceeded,
    };
  }
}

function fileLabel(fileName: string | undefined): string {
  return fileName === undefined ? '' : ` "${fileName}"`;
}

function fileError(message: string): { errors: ImportError[] } {
  return { errors: [{ row: 1, message }] };
}

/** Rows in reading order, keeping the non-blank ones: the header, then at most `maxRows`. */
class KeptRows {
  readonly rows: SheetRow[] = [];

  constructor(private readonly maxRows: number) {}

  add(row: SheetRow): void {
    if (isBlankRow(row)) return;
    if (this.rows.length > this.maxRows) throw UploadLimitError.tooManyRows(row.row, this.maxRows);
    this.rows.push(row);
  }
}

const EMPTY_CELL: SheetCell = Object.freeze({ text: '' });

async function loadRows(
  input: HouseholdFileInput,
  limits: UploadLimits,
): Promise<{ rows: SheetRow[] } | { errors: ImportError[] }> {
  const name = fileLabel(input.fileName);
  const { content } = input;
  if (Buffer.isBuffer(content) && looksLikeLegacyXls(content)) {
    return fileError(
      bilingual(
        `Tệp${name} là định dạng Excel 97–2003 (.xls), không được hỗ trợ; hãy lưu lại dạng .xlsx hoặc CSV UTF-8`,
        `File${name} is Excel 97–2003 (.xls), which is not supported; save it as .xlsx or CSV UTF-8`,
      ),
    );
  }
  if (input.format === 'csv') {
    if (Buffer.isBuffer(content) && looksLikeZip(content)) {
      return fileError(
        bilingual(`Tệp${name} là tệp nén (XLSX?), không phải CSV`, `File${name} is a ZIP (XLSX?) file, not CSV`),
      );
    }
    try {
      const kept = new KeptRows(limits.maxRows);
      for (const record of streamCsv(content, { limits }).records) {
        kept.add({ row: record.row, cells: record.cells.map((cell) => (cell === '' ? EMPTY_CELL : { text: cell })) });
      }
      return { rows: kept.rows };
    } catch (error) {
      if (error instanceof CsvError) return { errors: [{ row: error.row, message: error.message }] };
      throw error;
    }
  }
  if (input.format === 'xlsx') {
    if (!Buffer.isBuffer(content) || !looksLikeZip(content)) {
      return fileError(bilingual(`Tệp${name} không phải là tệp XLSX`, `File${name} is not an XLSX file`));
    }
    let rows: SheetRow[] | undefined;
    try {
      rows = await readXlsxRows(content, limits);
    } catch (error) {
      if (error instanceof UploadLimitError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      return fileError(
        bilingual(`Không đọc được tệp XLSX${name}: ${detail}`, `Cannot read XLSX file${name}: ${detail}`),
      );
    }
    if (rows === undefined)
      return fileError(bilingual(`Tệp${name} không có trang tính nào`, `File${name} has no worksheet`));
    return { rows };
  }
  return fileError(
    bilingual(
      `Định dạng "${String(input.format)}" không được hỗ trợ (csv, xlsx)`,
      `Unsupported format "${String(input.format)}" (csv, xlsx)`,
    ),
  );
}

const HEADERS = headerLookup();
const AREAS = labelLookup(AREA_LABELS);
const SOURCES = labelLookup(HOUSEHOLD_SOURCE_LABELS);
const NO_DEPRIVATION = new Set(NO_DEPRIVATION_ALIASES.map(foldText));
const COLUMN_BY_KEY = new Map(HOUSEHOLD_COLUMNS.map((column) => [column.key, column]));
const VALID_HEADERS = HOUSEHOLD_COLUMNS.map((column) => `"${column.headerVi}"`).join(', ');

/** A header cell mapped to its column. */
interface MappedColumn {
  index: number;
  header: string;
  column: HouseholdColumn;
}

interface ValidateOptions {
  indicators?: readonly KnownIndicator[];
  /** Undo the export's formula guard: a leading `'` before `=`, `+`, `-`, `@`. */
  csv: boolean;
  /** Fills an empty or absent "Khu vực"; the column is then optional. */
  defaultArea?: Area;
}

function validateRows(rows: SheetRow[], options: ValidateOptions): ImportResult {
  const nonBlank = rows.filter((row) => !isBlankRow(row));
  const headerRow = nonBlank[0];
  if (headerRow === undefined) {
    return {
      ok: false,
      errors: [{ row: 1, message: bilingual('Tệp trống: không có dòng tiêu đề', 'The file is empty: no header row') }],
    };
  }
  const dataRows = nonBlank.slice(1);
  if (dataRows.length === 0) {
    return {
      ok: false,
      errors: [
        {
          row: headerRow.row + 1,
          message: bilingual('Tệp chỉ có dòng tiêu đề, không có hộ nào', 'The file has a header row but no household'),
        },
      ],
    };
  }

  const errors: ImportError[] = [];
  const required = (column: HouseholdColumn) =>
    column.required && !(column.key === 'area' && options.defaultArea !== undefined);
  const mapped = mapHeaders(headerRow, dataRows, errors, required);
  const decoder = new CellDecoder(options.indicators);
  const codeColumn = mapped.find((entry) => entry.column.key === 'householdCode');
  const firstRowOfCode = new Map<string, number>();
  const households: HouseholdRecord[] = [];

  const headerOf = new Map<HouseholdColumnKey, string>(mapped.map((entry) => [entry.column.key, entry.header]));

  for (const row of dataRows) {
    const rowErrors: ImportError[] = [];
    const value: Record<string, unknown> = {};
    for (const { index, header, column } of mapped) {
      const cell = normaliseCell(row.cells[index], options.csv);
      const decoded = decoder.decode(column, cell);
      if (decoded.error !== undefined) rowErrors.push({ row: row.row, column: header, message: decoded.error });
      else if (decoded.value !== undefined) value[column.key] = decoded.value;
      else if (required(column))
        rowErrors.push({
          row: row.row,
          column: header,
          message: bilingual('Bắt buộc, không được để trống', 'Required, must not be empty'),
        });
    }
    if (value['area'] === undefined && options.defaultArea !== undefined) value['area'] = options.defaultArea;
    const failed = new Set(rowErrors.map((error) => error.column));
    const parsed = HouseholdRecordSchema.safeParse(value);
    if (!parsed.success) {
      const reported = new Set<string>();
      for (const issue of parsed.error.issues) {
        const key = issue.path[0];
        const header = typeof key === 'string' ? headerOf.get(key as HouseholdColumnKey) : undefined;
        // A missing column is reported once on the header row, a cell that did not decode once.
        if (header === undefined || failed.has(header) || reported.has(`${header}\n${issue.message}`)) continue;
        reported.add(`${header}\n${issue.message}`);
        rowErrors.push({ row: row.row, column: header, message: issue.message });
      }
    }
    if (codeColumn !== undefined && typeof value['householdCode'] === 'string') {
      const code = value['householdCode'].normalize('NFC').trim();
      const key = code.toUpperCase();
      const first = firstRowOfCode.get(key);
      if (first === undefined) firstRowOfCode.set(key, row.row);
      else if (!rowErrors.some((error) => error.column === codeColumn.header)) {
        rowErrors.push({
          row: row.row,
          column: codeColumn.header,
          message: bilingual(
            `Mã hộ "${code}" bị trùng: dòng ${first} và dòng ${row.row}`,
            `Duplicate household code "${code}": rows ${first} and ${row.row}`,
          ),
        });
      }
    }
    rowErrors.sort((a, b) => columnOrder(mapped, a.column) - columnOrder(mapped, b.column));
    errors.push(...rowErrors);
    if (rowErrors.length === 0 && parsed.success) households.push(parsed.data);
  }

  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.row - b.row) };
  return { ok: true, households };
}

function columnOrder(mapped: MappedColumn[], header: string | undefined): number {
  return mapped.findIndex((entry) => entry.header === header);
}

/** Maps each header cell to a column; reports unknown, repeated and missing columns, and data under no header. */
function mapHeaders(
  headerRow: SheetRow,
  dataRows: SheetRow[],
  errors: ImportError[],
  required: (column: HouseholdColumn) => boolean,
): MappedColumn[] {
  const mapped: MappedColumn[] = [];
  const width = Math.max(headerRow.cells.length, ...dataRows.map((row) => row.cells.length));
  for (let index = 0; index < width; index++) {
    const header = (headerRow.cells[index]?.text ?? '').normalize('NFC').trim();
    if (header === '') {
      const withData = dataRows.find(
        (row) => (row.cells[index]?.text ?? '').trim() !== '' || row.cells[index]?.error !== undefined,
      );
      if (withData !== undefined) {
        const letter = columnLetter(index);
        errors.push({
          row: withData.row,
          message: bilingual(
            `Cột ${letter} có dữ liệu nhưng không có tiêu đề`,
            `Column ${letter} has data but no header`,
          ),
        });
      }
      continue;
    }
    const key = HEADERS.get(header);
    if (key === undefined) {
      errors.push({
        row: headerRow.row,
        column: header,
        message: bilingual(
          `Không nhận ra cột "${header}"; các cột hợp lệ: ${VALID_HEADERS}`,
          `Unknown column "${header}"; valid columns: ${VALID_HEADERS}`,
        ),
      });
      continue;
    }
    const column = COLUMN_BY_KEY.get(key) as HouseholdColumn;
    const earlier = mapped.find((entry) => entry.column.key === key);
    if (earlier !== undefined) {
      errors.push({
        row: headerRow.row,
        column: header,
        message: bilingual(
          `Cột "${header}" (cột ${columnLetter(index)}) trùng với cột "${earlier.header}" (cột ${columnLetter(earlier.index)})`,
          `Column "${header}" (column ${columnLetter(index)}) repeats column "${earlier.header}" (column ${columnLetter(earlier.index)})`,
        ),
      });
      continue;
    }
    mapped.push({ index, header, column });
  }
  for (const column of HOUSEHOLD_COLUMNS) {
    if (required(column) && !mapped.some((entry) => entry.column.key === column.key)) {
      errors.push({
        row: headerRow.row,
        column: column.headerVi,
        message: bilingual(
          `Thiếu cột bắt buộc "${column.headerVi}"`,
          `Missing required column "${column.headerVi}" (${column.headerEn})`,
        ),
      });
    }
  }
  return mapped;
}

/** The export's guard against formula injection: `'` added before text starting with `'*` and `=`, `+`, `-` or `@`. */
const FORMULA_GUARD = /^'+[=+\-@\t\r]/;

function normaliseCell(cell: SheetCell | undefined, csv: boolean): SheetCell {
  if (cell === undefined) return { text: '' };
  let text = cell.text.normalize('NFC').trim();
  if (csv && FORMULA_GUARD.test(text)) text = text.slice(1);
  return { ...cell, text };
}

type Decoded = { value?: unknown; error?: undefined } | { value?: undefined; error: string };

/** Cell text → the value the schema validates; `value` undefined for an empty cell. */
class CellDecoder {
  private readonly indicators?: FoldedLookup<string>;
  private readonly indicatorList: string;

  constructor(indicators: readonly KnownIndicator[] | undefined) {
    this.indicatorList = (indicators ?? []).map((indicator) => indicator.code).join(', ');
    if (indicators !== undefined) {
      const lookup = new FoldedLookup<string>();
      for (const indicator of indicators) {
        for (const spelling of [indicator.code, indicator.name, indicator.nameEn])
          if (spelling !== undefined) lookup.add(spelling, indicator.code);
      }
      this.indicators = lookup;
    }
  }

  decode(column: HouseholdColumn, cell: SheetCell): Decoded {
    if (cell.error !== undefined) {
      return {
        error: bilingual(`Ô có lỗi công thức (${cell.error})`, `The cell holds a formula error (${cell.error})`),
      };
    }
    if (cell.text === '') return {};
    // PostgreSQL text cannot store U+0000: an import carrying one would fail when written.
    if (cell.text.includes('\u0000'))
      return {
        error: bilingual(
          'Ô chứa ký tự NUL (U+0000) không hợp lệ',
          'The cell holds a NUL character (U+0000), which is not allowed',
        ),
      };
    switch (column.key) {
      case 'idNumber':
        return { value: decodeIdNumber(cell) };
      case 'memberCount':
      case 'incomePerCapitaMonthly':
        return decodeNumber(cell);
      case 'area':
        return decodeLabel(
          cell.text,
          AREAS,
          '"Nông thôn" hoặc "Thành thị"',
          '"Nông thôn" (rural) or "Thành thị" (urban)',
        );
      case 'source': {
        const labels = Object.values(HOUSEHOLD_SOURCE_LABELS)
          .map((label) => `"${label.vi}"`)
          .join(', ');
        return decodeLabel(cell.text, SOURCES, labels, labels);
      }
      case 'deprivations':
        return this.decodeDeprivations(cell.text);
      default:
        return { value: cell.text };
    }
  }

  private decodeDeprivations(text: string): Decoded {
    if (NO_DEPRIVATION.has(foldText(text))) return { value: [] };
    const items = text
      .split(/[;\n]/)
      .map((item) => item.trim())
      .filter((item) => item !== '');
    // Without a rule set only the form of a code is checked; `Telecom` is read as `telecom`.
    if (this.indicators === undefined)
      return {
        value: items.map((item) =>
          IndicatorCodeSchema.safeParse(item.toLowerCase()).success ? item.toLowerCase() : item,
        ),
      };
    const unknown = items.filter((item) => this.indicators?.get(item) === undefined);
    if (unknown.length > 0) {
      const names = unknown.map((item) => `"${item}"`).join(', ');
      return {
        error: bilingual(
          `Không nhận ra chỉ số thiếu hụt ${names}; các mã hợp lệ: ${this.indicatorList}, ngăn cách bằng dấu ";"; ghi "Không" nếu hộ không thiếu hụt chỉ số nào`,
          `Unknown deprivation indicator ${names}; valid codes: ${this.indicatorList}, separated by ";"; write "Không" when the household is deprived in none`,
        ),
      };
    }
    return { value: items.map((item) => this.indicators?.get(item) as string) };
  }
}

/**
 * A CCCD stored as a number loses its leading zeros. Every CCCD starts with a province code 001–096,
 * so a 12-digit number has one or two: a whole number of 10 or 11 digits is padded back to 12.
 */
function decodeIdNumber(cell: SheetCell): string {
  if (cell.number !== undefined && Number.isInteger(cell.number) && cell.number >= 1e9 && cell.number < 1e11) {
    return String(cell.number).padStart(12, '0');
  }
  return cell.text.replace(/\s+/g, '');
}

/**
 * A number cell as is; text as a whole number with optional thousands separators (`1.500.000`,
 * `1,500,000`, `1 500 000`) and an optional `đ`/`đồng`/`VND` suffix, or a decimal (`2,5`), which
 * the schema then rejects as not whole.
 */
function decodeNumber(cell: SheetCell): Decoded {
  if (cell.number !== undefined) return { value: cell.number };
  const match = /^([+-]?)(.+?)\s*(?:đồng|đ|vnđ|vnd)?$/iu.exec(cell.text.normalize('NFC'));
  const digits = match?.[2] ?? '';
  const sign = match?.[1] === '-' ? -1 : 1;
  if (/^\d+$/.test(digits)) return { value: sign * Number(digits) };
  const grouped = /^\d{1,3}(?:([., \u00a0])\d{3})(?:\1\d{3})*$/.exec(digits);
  if (grouped !== null) return { value: sign * Number(digits.replace(/[., \u00a0]/g, '')) };
  if (/^\d+[.,]\d+$/.test(digits)) return { value: sign * Number(digits.replace(',', '.')) };
  return {
    error: bilingual(`"${cell.text}" không phải là số`, `"${cell.text}" is not a number`),
  };
}

function decodeLabel<C extends string>(
  text: string,
  lookup: FoldedLookup<C>,
  validVi: string,
  validEn: string,
): Decoded {
  const code = lookup.get(text);
  if (code !== undefined) return { value: code };
  return {
    error: bilingual(`Giá trị "${text}" không hợp lệ; dùng ${validVi}`, `Invalid value "${text}"; use ${validEn}`),
  };
}
