import {
  CsvError,
  DEFAULT_HOUSEHOLD_FILE_LIMITS,
  readXlsxRows,
  streamCsv,
  UploadLimitCode,
  UploadLimitError,
  type UploadLimitExceeded,
} from '@rasoat/household-records';
import type { UnitLevel } from '@rasoat/persistence';

export type UnitFileFormat = 'csv' | 'xlsx';

/**
 * One problem of a units file: `row` as a spreadsheet shows it (header = 1), `column` the header
 * as written in the file (or the Vietnamese header of a missing column), `message` Vietnamese
 * then English after " / ".
 */
export interface UnitFileError {
  row: number;
  column?: string;
  message: string;
}

/** One unit of a file, as read (checked against the database later, by `planUnitImport`). */
export interface UnitFileRow {
  row: number;
  code: string;
  name: string;
  level: Exclude<UnitLevel, 'nation'>;
  /** The type as the national vocabulary spells it (`Thôn`, `Tổ dân phố`, `Xã`…); null for a bare level (`village`). */
  unitType: string | null;
  parentCode: string | null;
  /** The village this one merges into (column "Sáp nhập vào"); null otherwise. */
  mergedInto: string | null;
}

/** The file's column headers as written, to name them in errors found later. */
export type UnitFileColumns = Record<UnitColumnKey, string>;

/**
 * The rows (parents first) and the headers; or every problem. When only some rows are bad,
 * `rows` holds the others, so that a caller may check them against the tree too and report
 * everything at once (writing nothing).
 */
export type UnitFileResult =
  | { ok: true; rows: UnitFileRow[]; columns: UnitFileColumns }
  | {
      ok: false;
      errors: UnitFileError[];
      limit?: UploadLimitExceeded;
      partial?: { rows: UnitFileRow[]; columns: UnitFileColumns };
    };

/** Limits of a units file: rows as configured (`uploads.unitsFile.maxRows`); short cells, few columns. */
export interface UnitFileLimits {
  maxRows: number;
}

type UnitColumnKey = 'code' | 'name' | 'type' | 'parent' | 'mergedInto';

/** Each column: the header written in messages when missing, and the accepted spellings (folded). */
const COLUMNS: Record<UnitColumnKey, { header: string; spellings: string[]; required: boolean }> = {
  code: {
    header: 'Mã đơn vị',
    spellings: ['ma don vi', 'ma', 'code', 'ma thon', 'ma don vi hanh chinh'],
    required: true,
  },
  name: { header: 'Tên', spellings: ['ten', 'ten don vi', 'name', 'ten thon'], required: true },
  type: {
    header: 'Loại',
    spellings: ['loai', 'loai don vi', 'cap', 'level', 'type', 'unit type'],
    required: true,
  },
  parent: {
    header: 'Mã đơn vị cấp trên',
    spellings: ['ma don vi cap tren', 'ma cap tren', 'parent', 'parent code', 'ma xa'],
    required: false,
  },
  mergedInto: {
    header: 'Sáp nhập vào',
    spellings: ['sap nhap vao', 'ma don vi sap nhap vao', 'sap nhap vao thon', 'merged into', 'merge into'],
    required: false,
  },
};

/**
 * Unit types and the level each belongs to, as the national vocabulary spells them. A village
 * (thôn, tổ dân phố, bản, ấp, làng, xóm, buôn, khóm, khu phố, sóc, plei…) is named differently by
 * region; its type is stored as given here. `Thành phố` is a province without a parent and a
 * (pre-2025) district-level city under a province.
 */
const UNIT_TYPES: [string, Exclude<UnitLevel, 'nation'>][] = [
  ['Tỉnh', 'province'],
  ['Thành phố trực thuộc trung ương', 'province'],
  ['Huyện', 'district'],
  ['Quận', 'district'],
  ['Thị xã', 'district'],
  ['Xã', 'commune'],
  ['Phường', 'commune'],
  ['Thị trấn', 'commune'],
  ['Đặc khu', 'commune'],
  ['Thôn', 'village'],
  ['Tổ dân phố', 'village'],
  ['Bản', 'village'],
  ['Ấp', 'village'],
  ['Làng', 'village'],
  ['Xóm', 'village'],
  ['Buôn', 'village'],
  ['Khóm', 'village'],
  ['Khu phố', 'village'],
  ['Khu dân cư', 'village'],
  ['Khối phố', 'village'],
  ['Sóc', 'village'],
  ['Plei', 'village'],
  ['Tổ', 'village'],
  ['Khu', 'village'],
];
const TYPES = new Map(UNIT_TYPES.map(([label, level]) => [fold(label), { label, level }]));
/** Bare levels (no type): English words and the Vietnamese level names. */
const LEVELS: Record<string, Exclude<UnitLevel, 'nation'>> = {
  province: 'province',
  'cap tinh': 'province',
  district: 'district',
  'cap huyen': 'district',
  commune: 'commune',
  'cap xa': 'commune',
  village: 'village',
  'cap thon': 'village',
};
const CITY = fold('Thành phố');
const TYPE_LIST = ['Thôn', 'Tổ dân phố', 'Bản', 'Ấp', 'Xóm', 'Xã', 'Phường', 'Tỉnh'].join(', ');

/** A units file has a handful of columns and short names: reading stops at a value past column AX or a cell over 1,000 characters. */
const CELL_LIMITS = { maxColumns: 50, maxCellLength: 1_000 };
const CODE = /^[0-9A-Za-z]{1,20}$/;

/** "Mã đơn vị", "MA DON VI", " mã  đơn vị * " → "ma don vi". */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const bilingual = (vi: string, en: string) => `${vi} / ${en}`;

/**
 * Reads a units file (CSV UTF-8 with `,` or `;`, or the first sheet of an XLSX): columns
 * "Mã đơn vị", "Tên", "Loại" (the unit type: Thôn, Tổ dân phố, Bản, Ấp…, Xã, Phường…; a bare level
 * is accepted too), "Mã đơn vị cấp trên" and "Sáp nhập vào", headers matched without case or
 * accents, in any order. All or nothing: every problem comes back with its row and column. The
 * rows are read as a stream that stops at row `maxRows + 1`, a value past column AX or a cell over
 * 1,000 characters (`limit` says which). Returns the rows parents first (by level), else in file order.
 */
export async function parseUnitFile(
  content: Buffer | string,
  format: UnitFileFormat,
  limits: UnitFileLimits,
): Promise<UnitFileResult> {
  let records: { row: number; cells: string[] }[];
  try {
    records = format === 'csv' ? csvRecords(content, limits.maxRows) : await xlsxRecords(content, limits.maxRows);
  } catch (e) {
    if (e instanceof CsvError) return { ok: false, errors: [{ row: e.row, message: e.message }] };
    if (e instanceof UploadLimitError) {
      const limit =
        e.exceeded.code === UploadLimitCode.TooManyRows
          ? { ...e.exceeded, code: 'UNITS_FILE_TOO_MANY_ROWS' as UploadLimitExceeded['code'] }
          : e.exceeded;
      const message =
        e.exceeded.code === UploadLimitCode.TooManyRows
          ? UploadLimitError.tooManyRows(e.exceeded.row ?? 1, limits.maxRows, { vi: 'đơn vị', en: 'units' }).message
          : e.message;
      return {
        ok: false,
        errors: [{ row: e.exceeded.row ?? 1, ...(e.exceeded.column ? { column: e.exceeded.column } : {}), message }],
        limit,
      };
    }
    if (e instanceof UnitFileUnreadable) return { ok: false, errors: [{ row: 1, message: e.message }] };
    throw e;
  }
  return validateRecords(records);
}

class UnitFileUnreadable extends Error {}

function csvRecords(content: Buffer | string, maxRows: number): { row: number; cells: string[] }[] {
  if (Buffer.isBuffer(content) && content.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1')))
    throw new UnitFileUnreadable(
      bilingual('Tệp là tệp nén (XLSX?), không phải CSV', 'The file is a ZIP (XLSX?) file, not CSV'),
    );
  const records: { row: number; cells: string[] }[] = [];
  for (const record of streamCsv(content, { limits: CELL_LIMITS }).records) {
    if (record.cells.every((cell) => cell.trim() === '')) continue;
    // The header, then at most maxRows units.
    if (records.length > maxRows)
      throw UploadLimitError.tooManyRows(record.row, maxRows, { vi: 'đơn vị', en: 'units' });
    records.push({ row: record.row, cells: record.cells });
  }
  return records;
}

async function xlsxRecords(content: Buffer | string, maxRows: number): Promise<{ row: number; cells: string[] }[]> {
  if (!Buffer.isBuffer(content) || !content.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1')))
    throw new UnitFileUnreadable(bilingual('Tệp không phải là tệp XLSX', 'The file is not an XLSX file'));
  let rows;
  try {
    rows = await readXlsxRows(content, { ...DEFAULT_HOUSEHOLD_FILE_LIMITS, ...CELL_LIMITS, maxRows });
  } catch (e) {
    if (e instanceof UploadLimitError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new UnitFileUnreadable(
      bilingual(`Không đọc được tệp XLSX: ${detail}`, `Cannot read the XLSX file: ${detail}`),
    );
  }
  if (rows === undefined)
    throw new UnitFileUnreadable(bilingual('Tệp không có trang tính nào', 'The file has no worksheet'));
  return rows
    .map((r) => ({ row: r.row, cells: r.cells.map((c) => c.text) }))
    .filter((r) => r.cells.some((cell) => cell.trim() !== ''));
}

function validateRecords(records: { row: number; cells: string[] }[]): UnitFileResult {
  const [header, ...rows] = records;
  if (!header) return { ok: false, errors: [{ row: 1, message: bilingual('Tệp rỗng', 'The file is empty') }] };
  if (rows.length === 0)
    return {
      ok: false,
      errors: [
        {
          row: header.row + 1,
          message: bilingual('Tệp chỉ có dòng tiêu đề, không có đơn vị nào', 'The file has a header but no unit'),
        },
      ],
    };
  const errors: UnitFileError[] = [];
  const index: Partial<Record<UnitColumnKey, number>> = {};
  const columns = Object.fromEntries(Object.entries(COLUMNS).map(([key, c]) => [key, c.header])) as UnitFileColumns;
  header.cells.forEach((cell, i) => {
    const written = cell.normalize('NFC').trim();
    if (written === '') return;
    const key = (Object.keys(COLUMNS) as UnitColumnKey[]).find((k) => COLUMNS[k].spellings.includes(fold(written)));
    if (key === undefined) {
      errors.push({
        row: header.row,
        column: written,
        message: bilingual(
          `Không nhận ra cột "${written}"; các cột: ${Object.values(COLUMNS)
            .map((c) => `"${c.header}"`)
            .join(', ')}`,
          `Unknown column "${written}"`,
        ),
      });
    } else if (index[key] !== undefined) {
      errors.push({
        row: header.row,
        column: written,
        message: bilingual(`Cột "${written}" bị lặp lại`, `Column "${written}" appears twice`),
      });
    } else {
      index[key] = i;
      columns[key] = written;
    }
  });
  for (const key of Object.keys(COLUMNS) as UnitColumnKey[])
    if (COLUMNS[key].required && index[key] === undefined)
      errors.push({
        row: header.row,
        column: COLUMNS[key].header,
        message: bilingual(
          `Thiếu cột bắt buộc "${COLUMNS[key].header}"`,
          `Missing required column "${COLUMNS[key].header}"`,
        ),
      });
  if (errors.length > 0) return { ok: false, errors };

  const units: UnitFileRow[] = [];
  const seen = new Map<string, number>();
  const failed = new Set<number>();
  for (const r of rows) {
    const cell = (k: UnitColumnKey) =>
      index[k] === undefined ? '' : (r.cells[index[k]] ?? '').normalize('NFC').trim();
    const at = (k: UnitColumnKey, vi: string, en: string) =>
      errors.push({ row: r.row, column: columns[k], message: bilingual(vi, en) });
    const code = cell('code');
    const name = cell('name');
    const parent = cell('parent');
    const merged = cell('mergedInto');
    const type = cell('type');
    if (!CODE.test(code))
      at(
        'code',
        code === ''
          ? 'Bắt buộc, không được để trống'
          : `"${code}" không hợp lệ: chỉ chữ cái không dấu và chữ số, tối đa 20 ký tự`,
        code === '' ? 'Required' : `"${code}" is not a code: letters without accents and digits, at most 20`,
      );
    else if (seen.has(code))
      at('code', `Mã "${code}" trùng với dòng ${seen.get(code)}`, `Code "${code}" repeats row ${seen.get(code)}`);
    else seen.set(code, r.row);
    if (name === '') at('name', 'Bắt buộc, không được để trống', 'Required');
    if ([...name].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127))
      at('name', 'Tên chứa ký tự điều khiển', 'The name holds a control character');
    const known = TYPES.get(fold(type));
    const bare = LEVELS[fold(type)];
    let level: Exclude<UnitLevel, 'nation'> | undefined =
      fold(type) === CITY ? (parent === '' ? 'province' : 'district') : (known?.level ?? bare);
    const unitType = fold(type) === CITY ? 'Thành phố' : (known?.label ?? null);
    if (level === undefined)
      at(
        'type',
        type === '' ? `Bắt buộc (${TYPE_LIST}…)` : `"${type}" không rõ; dùng ${TYPE_LIST}…`,
        type === ''
          ? 'Required (the unit type)'
          : `"${type}" is not a unit type (Thôn, Tổ dân phố, Bản, Ấp, Xã, Phường, Tỉnh…)`,
      );
    if (level !== undefined && level !== 'province' && parent === '')
      at('parent', 'Bắt buộc: mã đơn vị cấp trên (xã của thôn)', `Required: a ${level} needs its parent's code`);
    if (level === 'province' && parent !== '')
      at('parent', 'Tỉnh không có đơn vị cấp trên; để trống', 'A province has no parent; leave it empty');
    if (parent !== '' && !CODE.test(parent))
      at('parent', `"${parent}" không phải là mã đơn vị`, `"${parent}" is not a unit code`);
    if (parent !== '' && parent === code)
      at('parent', 'Đơn vị không thể là cấp trên của chính nó', 'A unit cannot be its own parent');
    if (merged !== '' && !CODE.test(merged))
      at('mergedInto', `"${merged}" không phải là mã đơn vị`, `"${merged}" is not a unit code`);
    if (merged !== '' && merged === code)
      at('mergedInto', 'Thôn không thể sáp nhập vào chính nó', 'A village cannot merge into itself');
    if (merged !== '' && level !== undefined && level !== 'village')
      at('mergedInto', 'Chỉ thôn, tổ dân phố mới sáp nhập được qua tệp', 'Only villages merge through a file');
    if (errors.some((e) => e.row === r.row)) failed.add(r.row);
    if (level === undefined) level = 'village';
    units.push({ row: r.row, code, name, level, unitType, parentCode: parent || null, mergedInto: merged || null });
  }
  const order: Record<UnitFileRow['level'], number> = { province: 0, district: 1, commune: 2, village: 3 };
  const sorted = units.sort((a, b) => order[a.level] - order[b.level] || a.row - b.row);
  if (errors.length > 0)
    return {
      ok: false,
      errors: errors.sort((a, b) => a.row - b.row),
      partial: { rows: sorted.filter((u) => !failed.has(u.row)), columns },
    };
  return { ok: true, rows: sorted, columns };
}
