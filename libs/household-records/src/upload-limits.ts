import { bilingual, columnLetter } from './text';

/**
 * How much of an uploaded file is read. Every limit is enforced while reading, so that memory
 * and time stay bounded by the limits whatever the file holds: the reader stops at the first
 * row, column, cell or inflated byte past a limit.
 */
export interface UploadLimits {
  /** Data rows (header and blank rows not counted). */
  maxRows: number;
  /** A non-empty cell past this column stops the reading (empty cells past it are ignored). */
  maxColumns: number;
  /** Characters of one cell. */
  maxCellLength: number;
  /** XLSX: bytes inflated from all the parts read (workbook, styles, shared strings, worksheet). */
  maxExpandedBytes: number;
  /** XLSX: inflated size / compressed size of a part larger than `EXPANSION_RATIO_FLOOR` bytes. */
  maxExpansionRatio: number;
}

/** Data rows a household file may hold by default (header and blank rows not counted). */
export const MAX_HOUSEHOLD_ROWS = 10_000;

/**
 * The household import's defaults. A valid list uses at most the 10 known columns (every
 * non-empty header must be one of them), 50 leaves room for empty margin columns; 32,767
 * characters is Excel's own limit for a cell; a 10,000-household XLSX inflates to about 5 MB at
 * a ratio of about 9.
 */
export const DEFAULT_HOUSEHOLD_FILE_LIMITS: Readonly<UploadLimits> = Object.freeze({
  maxRows: MAX_HOUSEHOLD_ROWS,
  maxColumns: 50,
  maxCellLength: 32_767,
  maxExpandedBytes: 50 * 1024 * 1024,
  maxExpansionRatio: 100,
});

/** Parts that inflate to less than this are not held to the ratio (small XML parts compress very well). */
export const EXPANSION_RATIO_FLOOR = 1024 * 1024;

export const UploadLimitCode = {
  TooManyRows: 'HOUSEHOLD_FILE_TOO_MANY_ROWS',
  TooManyColumns: 'UPLOAD_TOO_MANY_COLUMNS',
  CellTooLong: 'UPLOAD_CELL_TOO_LONG',
  ExpandsTooMuch: 'UPLOAD_EXPANDS_TOO_MUCH',
} as const;
export type UploadLimitCode = (typeof UploadLimitCode)[keyof typeof UploadLimitCode];

/** Which limit a file went past, where, and by how much: what an API puts in its error's details. */
export interface UploadLimitExceeded {
  code: UploadLimitCode;
  /** The limit, in `unit`. */
  limit: number;
  unit: 'rows' | 'columns' | 'characters' | 'bytes' | 'ratio';
  /** What the file has (at least this much when the reading stopped there). */
  found: number;
  /** The spreadsheet row where the reading stopped, when a row is at fault. */
  row?: number;
  /** The column letter, when a cell is at fault. */
  column?: string;
  /** The ZIP entry, for an XLSX part. */
  part?: string;
}

/** Thrown by the readers when a file goes past a limit; `exceeded` says which and where, `message` says it to a person. */
export class UploadLimitError extends Error {
  constructor(
    readonly exceeded: UploadLimitExceeded,
    message: string,
  ) {
    super(message);
    this.name = 'UploadLimitError';
  }

  /** The (limit + 1)th data row, on spreadsheet row `row`. */
  static tooManyRows(
    row: number,
    limit: number,
    what: { vi: string; en: string } = { vi: 'hộ', en: 'households' },
  ): UploadLimitError {
    return new UploadLimitError(
      { code: UploadLimitCode.TooManyRows, limit, unit: 'rows', found: limit + 1, row },
      bilingual(
        `Tệp có hơn ${limit} ${what.vi} (${what.vi} thứ ${limit + 1} ở dòng ${row}); mỗi tệp tối đa ${limit} ${what.vi}`,
        `The file has more than ${limit} ${what.en} (number ${limit + 1} is on row ${row}); the limit is ${limit} per file`,
      ),
    );
  }

  /** A non-empty cell in 0-based column `index`, past the limit. */
  static tooManyColumns(row: number, index: number, limit: number): UploadLimitError {
    const column = columnLetter(index);
    return new UploadLimitError(
      { code: UploadLimitCode.TooManyColumns, limit, unit: 'columns', found: index + 1, row, column },
      bilingual(
        `Dòng ${row}: có dữ liệu ở cột ${column} (cột thứ ${index + 1}); tệp chỉ được dùng tối đa ${limit} cột (A–${columnLetter(limit - 1)})`,
        `Row ${row}: data in column ${column} (column ${index + 1}); a file may use at most ${limit} columns (A–${columnLetter(limit - 1)})`,
      ),
    );
  }

  static cellTooLong(row: number, index: number, length: number, limit: number): UploadLimitError {
    const column = columnLetter(index);
    return new UploadLimitError(
      { code: UploadLimitCode.CellTooLong, limit, unit: 'characters', found: length, row, column },
      bilingual(
        `Dòng ${row}, cột ${column}: ô dài ${length} ký tự, quá giới hạn ${limit} ký tự`,
        `Row ${row}, column ${column}: the cell has ${length} characters, more than the limit of ${limit}`,
      ),
    );
  }

  /** A text node, tag or comment of an XLSX part longer than any cell within the limits could make. */
  static markupTooLong(part: string, limit: number): UploadLimitError {
    return new UploadLimitError(
      { code: UploadLimitCode.CellTooLong, limit, unit: 'characters', found: limit + 1, part },
      bilingual(
        `Tệp XLSX có một đoạn văn bản hoặc thẻ dài hơn ${limit} ký tự trong phần "${part}"`,
        `The XLSX file has a text or tag longer than ${limit} characters in part "${part}"`,
      ),
    );
  }

  /** An XLSX part that inflates (or says it inflates) to `found` bytes, more than the bytes still allowed. */
  static expandsTooMuch(part: string, found: number, limit: number, atLeast: boolean): UploadLimitError {
    return new UploadLimitError(
      { code: UploadLimitCode.ExpandsTooMuch, limit, unit: 'bytes', found, part },
      bilingual(
        `Tệp XLSX giải nén ra quá lớn: phần "${part}" ${atLeast ? 'giải nén ra hơn' : 'khai báo'} ${megabytes(found)}, vượt quá giới hạn ${megabytes(limit)} cho cả tệp`,
        `The XLSX file expands too much: part "${part}" ${atLeast ? 'inflates to more than' : 'declares'} ${megabytes(found)}, more than the limit of ${megabytes(limit)} for the whole file`,
      ),
    );
  }

  /** An XLSX part whose inflated size is more than `limit` times its compressed size. */
  static expansionRatio(
    part: string,
    compressed: number,
    inflated: number,
    limit: number,
    atLeast: boolean,
  ): UploadLimitError {
    const ratio = Math.floor(inflated / Math.max(1, compressed));
    return new UploadLimitError(
      { code: UploadLimitCode.ExpandsTooMuch, limit, unit: 'ratio', found: ratio, part },
      bilingual(
        `Tệp XLSX giải nén ra quá lớn: phần "${part}" nén ${megabytes(compressed)} nhưng giải nén ra ${atLeast ? 'hơn ' : ''}${megabytes(inflated)} (gấp ${ratio} lần), vượt quá giới hạn ${limit} lần`,
        `The XLSX file expands too much: part "${part}" is ${megabytes(compressed)} compressed and inflates to ${atLeast ? 'more than ' : ''}${megabytes(inflated)} (${ratio} times), more than the limit of ${limit} times`,
      ),
    );
  }

  /** An XLSX part that inflates to more than the size its header declares. */
  static beyondDeclaredSize(part: string, declared: number): UploadLimitError {
    return new UploadLimitError(
      { code: UploadLimitCode.ExpandsTooMuch, limit: declared, unit: 'bytes', found: declared + 1, part },
      bilingual(
        `Tệp XLSX không hợp lệ: phần "${part}" giải nén ra nhiều hơn kích thước khai báo (${declared} byte)`,
        `Invalid XLSX file: part "${part}" inflates to more than the size its header declares (${declared} bytes)`,
      ),
    );
  }
}

/** `52428800` → `50 MB`, `1500` → `0.0014 MB`: sizes as people read them, exact enough to compare. */
function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number(mb.toPrecision(mb >= 1 ? 4 : 2))} MB`;
}
