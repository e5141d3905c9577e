import { posix } from 'node:path';
import { Workbook } from 'exceljs';
import { isBlankRow, type SheetCell, type SheetRow } from './sheet';
import { columnLetter } from './text';
import { DEFAULT_HOUSEHOLD_FILE_LIMITS, UploadLimitError, type UploadLimits } from './upload-limits';
import { XlsxPackage, type XmlHandler } from './xlsx-package';

/** Every XLSX (a ZIP container) starts with these bytes. */
export function looksLikeZip(content: Buffer): boolean {
  return (
    content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04
  );
}

/** Excel 97–2003 `.xls` (OLE compound file), which exceljs cannot read. */
export function looksLikeLegacyXls(content: Buffer): boolean {
  return (
    content.length >= 4 && content[0] === 0xd0 && content[1] === 0xcf && content[2] === 0x11 && content[3] === 0xe0
  );
}

const WORKBOOK = 'xl/workbook.xml';
const WORKBOOK_RELS = 'xl/_rels/workbook.xml.rels';
const STYLES = 'xl/styles.xml';
const SHARED_STRINGS = 'xl/sharedStrings.xml';
/** Excel's own limits: rows and columns of a sheet, cell formats of a workbook. */
const EXCEL_ROWS = 1_048_576;
const EXCEL_COLUMNS = 16_384;
const EXCEL_CELL_FORMATS = 65_490;
/** Built-in number formats that show a date or a time (the ones exceljs knows: 14–22, 45–47). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);
const EMPTY: SheetCell = Object.freeze({ text: '' });

/**
 * The non-blank rows of the first worksheet (in tab order), numbered as Excel shows them, or
 * `undefined` for a workbook without worksheets. Streams the worksheet (see `XlsxPackage`) and
 * enforces `limits` as it reads: at most `maxRows` rows after the header, no value past column
 * `maxColumns`, no cell longer than `maxCellLength`, no more than `maxExpandedBytes` inflated
 * (`UploadLimitError`). A file that is not a readable XLSX rejects with an `Error` saying why.
 *
 * Cells read as text: numbers in full (`123456789012`, kept in `number`), numbers with a date
 * format as `YYYY-MM-DD` (or an ISO instant when not at midnight), booleans `TRUE`/`FALSE`, rich
 * text joined, formulas by their cached result; error values and formulas without a result are
 * flagged in `error`. A merged range reads as its top-left cell in every cell.
 */
export async function readXlsxRows(
  content: Buffer,
  limits: UploadLimits = DEFAULT_HOUSEHOLD_FILE_LIMITS,
): Promise<SheetRow[] | undefined> {
  const xlsx = await XlsxPackage.open(content, limits);
  const workbook = new WorkbookReader();
  if (!(await xlsx.readXml(WORKBOOK, workbook))) throw new Error(`no ${WORKBOOK} in the archive`);
  const relationships = new RelationshipsReader();
  await xlsx.readXml(WORKBOOK_RELS, relationships);
  const sheetPart = workbook.sheetIds.map((id) => relationships.worksheets.get(id)).find((part) => part !== undefined);
  if (sheetPart === undefined) return undefined;
  const styles = new StylesReader();
  await xlsx.readXml(STYLES, styles);
  const strings = new SharedStringsReader(xlsx.declaredSize(SHARED_STRINGS));
  await xlsx.readXml(SHARED_STRINGS, strings);
  const sheet = new WorksheetReader(limits, strings, styles.dateStyles(), workbook.date1904);
  if (!(await xlsx.readXml(sheetPart, sheet))) throw new Error(`no ${sheetPart} in the archive`);
  return sheet.rows();
}

/** `xl/workbook.xml`: the sheets in tab order (their relationship ids) and the 1904 date system. */
class WorkbookReader implements XmlHandler {
  readonly sheetIds: string[] = [];
  date1904 = false;

  open(name: string, attributes: Record<string, string>): void {
    if (name === 'workbookPr') this.date1904 = attributes['date1904'] === '1' || attributes['date1904'] === 'true';
    if (name === 'sheet') {
      const id = Object.entries(attributes).find(([key]) => key.endsWith(':id'))?.[1];
      if (id !== undefined) this.sheetIds.push(id);
    }
  }
}

/** `xl/_rels/workbook.xml.rels`: relationship id → worksheet part. */
class RelationshipsReader implements XmlHandler {
  readonly worksheets = new Map<string, string>();

  open(name: string, attributes: Record<string, string>): void {
    const { Id: id, Target: target, Type: type } = attributes;
    if (name !== 'Relationship' || id === undefined || target === undefined || !type?.endsWith('/worksheet')) return;
    this.worksheets.set(id, target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.join('xl', target));
  }
}

/** `xl/styles.xml`: which cell formats (`s` of a cell) show numbers as dates. */
class StylesReader implements XmlHandler {
  private readonly customDateFormats = new Map<number, boolean>();
  private readonly cellFormats: number[] = [];
  private inCellFormats = false;

  open(name: string, attributes: Record<string, string>): void {
    if (name === 'numFmt') {
      const id = Number(attributes['numFmtId']);
      // `\` escapes the next character of a format code.
      if (this.customDateFormats.size < EXCEL_CELL_FORMATS)
        this.customDateFormats.set(id, isDateFormat((attributes['formatCode'] ?? '').replace(/\\(.)/g, '$1')));
    } else if (name === 'cellXfs') {
      this.inCellFormats = true;
    } else if (name === 'xf' && this.inCellFormats) {
      if (this.cellFormats.length >= EXCEL_CELL_FORMATS)
        throw new Error(`more than ${EXCEL_CELL_FORMATS} cell formats in ${STYLES}`);
      this.cellFormats.push(Number(attributes['numFmtId'] ?? 0));
    }
  }

  close(name: string): void {
    if (name === 'cellXfs') this.inCellFormats = false;
  }

  dateStyles(): boolean[] {
    return this.cellFormats.map((id) => this.customDateFormats.get(id) ?? BUILT_IN_DATE_FORMATS.has(id));
  }
}

/** A format code shows a date or a time when, outside quotes and brackets, it has y, m, d, h, s or b. */
function isDateFormat(code: string): boolean {
  return /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/**
 * Text of `<t>` elements, outside phonetic runs (`<rPh>`), with Excel's `_xHHHH_` escapes of
 * characters XML cannot hold: a shared string, or a cell's inline string.
 */
class TextCollector {
  private depthInPhonetic = 0;
  private inText = false;
  private parts = '';

  open(name: string): void {
    if (name === 'rPh') this.depthInPhonetic++;
    else if (name === 't' && this.depthInPhonetic === 0) this.inText = true;
  }

  text(text: string): void {
    if (this.inText) this.parts += text;
  }

  close(name: string): void {
    if (name === 'rPh') this.depthInPhonetic--;
    else if (name === 't') this.inText = false;
  }

  take(): string {
    const text = this.parts.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    this.parts = '';
    return text;
  }
}

/** The strings `t="s"` cells point into, by index. */
export interface SharedStrings {
  get(index: number): string | undefined;
}

/**
 * `xl/sharedStrings.xml`: the table `t="s"` cells point into, kept as UTF-8 bytes outside the
 * JavaScript heap with the end of each string, and decoded when a cell asks for it. A million
 * short strings held as strings would take several times the size of the part (each string's
 * header, and slices keeping whole pieces of the parsed text alive). The strings cannot be
 * longer than the part, whose size is checked before it is read: the bytes are allocated once,
 * and pages never written take no memory.
 */
class SharedStringsReader implements XmlHandler, SharedStrings {
  private readonly bytes: Buffer;
  private used = 0;
  private ends = new Uint32Array(1024);
  private count = 0;
  private readonly collector = new TextCollector();

  constructor(partSize: number) {
    this.bytes = Buffer.allocUnsafe(partSize);
  }

  open(name: string): void {
    this.collector.open(name);
  }

  text(text: string): void {
    this.collector.text(text);
  }

  close(name: string): void {
    if (name === 'si') this.add(this.collector.take());
    else this.collector.close(name);
  }

  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    return this.bytes.toString('utf8', index === 0 ? 0 : this.ends[index - 1], this.ends[index]);
  }

  private add(text: string): void {
    // Never more than the part (its text less its markup; entities and `_xHHHH_` escapes only shrink).
    const length = Buffer.byteLength(text);
    if (this.used + length > this.bytes.length) throw new Error(`${SHARED_STRINGS} holds more text than its size`);
    this.used += this.bytes.write(text, this.used);
    if (this.count === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.count++] = this.used;
  }
}

/** The cell being read: its place, type and style, and what its child elements held. */
interface OpenCell {
  column: number;
  type: string | undefined;
  style: number;
  value: string | undefined;
  formula: boolean;
  inline: boolean;
}

/**
 * A worksheet's rows, kept as they stream by: rows with a value, at most `maxRows` after the
 * first (the header), cells up to `maxColumns`. Merged ranges (listed after the rows) are applied
 * as they are read, with a bounded amount of work. Exported for its tests.
 */
export class WorksheetReader implements XmlHandler {
  private readonly kept = new Map<number, SheetRow>();
  private rowNumber = 0;
  private cells: SheetCell[] = [];
  private column = -1;
  private cell: OpenCell | undefined;
  private element: 'v' | 'f' | undefined;
  private readonly inline = new TextCollector();
  /** Rows merged ranges may still visit and cells they may still write: one grid of the largest sheet allowed. */
  private mergeBudget: number;

  constructor(
    private readonly limits: UploadLimits,
    private readonly strings: SharedStrings,
    private readonly dateStyles: readonly boolean[],
    private readonly date1904: boolean,
  ) {
    this.mergeBudget = (limits.maxRows + 1) * (limits.maxColumns + 1);
  }

  open(name: string, attributes: Record<string, string>): void {
    switch (name) {
      case 'row':
        this.rowNumber =
          attributes['r'] === undefined ? this.rowNumber + 1 : parseIndex(attributes['r'], EXCEL_ROWS, 'row');
        this.cells = [];
        this.column = -1;
        break;
      case 'c':
        this.column = attributes['r'] === undefined ? this.column + 1 : parseCellReference(attributes['r']).column;
        this.cell = {
          column: this.column,
          type: attributes['t'],
          style: Number(attributes['s'] ?? 0),
          value: undefined,
          formula: false,
          inline: false,
        };
        break;
      case 'v':
        this.element = 'v';
        break;
      case 'f':
        this.element = 'f';
        // A shared formula's other cells carry only `t="shared"` and its index.
        if (this.cell !== undefined && attributes['t'] !== undefined) this.cell.formula = true;
        break;
      case 'is':
        if (this.cell !== undefined) this.cell.inline = true;
        break;
      case 'mergeCell':
        if (attributes['ref'] !== undefined) this.merge(attributes['ref']);
        break;
      default:
        if (this.cell?.inline === true) this.inline.open(name);
    }
  }

  text(text: string): void {
    if (this.cell === undefined) return;
    if (this.element === 'v') this.cell.value = (this.cell.value ?? '') + text;
    else if (this.element === 'f') this.cell.formula ||= text !== '';
    else if (this.cell.inline) this.inline.text(text);
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 'f':
        this.element = undefined;
        break;
      case 'c':
        if (this.cell !== undefined) this.endCell(this.cell);
        this.cell = undefined;
        break;
      case 'row':
        this.endRow();
        break;
      default:
        if (this.cell?.inline === true) this.inline.close(name);
    }
  }

  /** The kept rows that have a value, in row order. */
  rows(): SheetRow[] {
    return [...this.kept.values()].filter((row) => !isBlankRow(row)).sort((a, b) => a.row - b.row);
  }

  private endCell(open: OpenCell): void {
    const inlineText = open.inline ? this.inline.take() : undefined;
    const cell = this.cellValue(open, inlineText);
    if (cell.text.length > this.limits.maxCellLength)
      throw UploadLimitError.cellTooLong(this.rowNumber, open.column, cell.text.length, this.limits.maxCellLength);
    if (isBlankCell(cell)) return;
    if (open.column >= this.limits.maxColumns)
      throw UploadLimitError.tooManyColumns(this.rowNumber, open.column, this.limits.maxColumns);
    this.cells[open.column] = cell;
  }

  private cellValue(open: OpenCell, inlineText: string | undefined): SheetCell {
    const { type, value } = open;
    if (open.formula) {
      if (value === undefined || value === '') return { text: '', error: 'formula without result' };
      if (type === 'str') return { text: value };
      if (type === 'b') return { text: Number.parseInt(value, 10) !== 0 ? 'TRUE' : 'FALSE' };
      if (type === 'e') return { text: value, error: value };
      return this.numberCell(Number.parseFloat(value), open.style);
    }
    if (type === 'inlineStr') return inlineText === undefined ? EMPTY : { text: inlineText };
    if (value === undefined) return EMPTY;
    switch (type) {
      case 's': {
        const text = this.strings.get(Number(value));
        if (text === undefined)
          throw new Error(
            `cell ${columnLetter(open.column)}${this.rowNumber} points to shared string ${value}, which ${SHARED_STRINGS} does not have`,
          );
        return { text };
      }
      case 'str':
        return { text: value };
      case 'b':
        return { text: Number.parseInt(value, 10) !== 0 ? 'TRUE' : 'FALSE' };
      case 'e':
        return { text: value, error: value };
      default:
        return this.numberCell(Number.parseFloat(value), open.style);
    }
  }

  /** A number, or a date when its cell format shows one (format 0 never does). */
  private numberCell(value: number, style: number): SheetCell {
    if (style > 0 && this.dateStyles[style] === true) {
      const date = new Date(Math.round((value - 25569 + (this.date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
      if (Number.isFinite(date.getTime())) {
        const iso = date.toISOString();
        return { text: iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso };
      }
    }
    return { text: String(value), number: value };
  }

  private endRow(): void {
    if (this.cells.length === 0) return;
    const cells = Array.from(this.cells, (cell) => cell ?? EMPTY);
    const existing = this.kept.get(this.rowNumber);
    if (existing !== undefined) {
      // The same row twice: later cells win, as in a spreadsheet that wrote over them.
      cells.forEach((cell, index) => {
        if (!isBlankCell(cell) || existing.cells[index] === undefined) existing.cells[index] = cell;
      });
      return;
    }
    this.keep({ row: this.rowNumber, cells });
  }

  private keep(row: SheetRow): void {
    // The header, then at most maxRows rows.
    if (this.kept.size > this.limits.maxRows) throw UploadLimitError.tooManyRows(row.row, this.limits.maxRows);
    this.kept.set(row.row, row);
  }

  /**
   * Every cell of the range reads as its top-left cell, as in Excel. The work is bounded: each
   * row visited and each cell written costs one unit of `mergeBudget`, so ranges that overlap
   * or cover whole columns cannot make the reading take long.
   */
  private merge(ref: string): void {
    const [from, to = from] = ref.split(':');
    const start = parseCellReference(from);
    const end = parseCellReference(to);
    const [top, bottom] = [Math.min(start.row, end.row), Math.max(start.row, end.row)];
    const [left, right] = [Math.min(start.column, end.column), Math.max(start.column, end.column)];
    const master = this.kept.get(top)?.cells[left] ?? EMPTY;
    if (isBlankCell(master)) {
      // Only kept rows hold values the blank top-left cell would hide.
      const rows =
        bottom - top < this.kept.size
          ? rangeOf(top, bottom).flatMap((n) => this.kept.get(n) ?? [])
          : [...this.kept.values()].filter((row) => row.row >= top && row.row <= bottom);
      this.spend(Math.min(bottom - top + 1, this.kept.size));
      for (const row of rows) {
        for (let column = left; column <= Math.min(right, row.cells.length - 1); column++) {
          this.spend(1);
          row.cells[column] = EMPTY;
        }
      }
      return;
    }
    for (let rowNumber = top; rowNumber <= bottom; rowNumber++) {
      this.spend(1);
      let row = this.kept.get(rowNumber);
      if (row === undefined) {
        row = { row: rowNumber, cells: [] };
        this.keep(row);
      }
      for (let column = left; column <= right; column++) {
        if (column >= this.limits.maxColumns)
          throw UploadLimitError.tooManyColumns(rowNumber, column, this.limits.maxColumns);
        this.spend(1);
        for (let gap = row.cells.length; gap < column; gap++) row.cells[gap] = EMPTY;
        row.cells[column] = master;
      }
    }
  }

  private spend(units: number): void {
    this.mergeBudget -= units;
    if (this.mergeBudget < 0)
      throw new Error(
        `merged ranges cover more than the ${this.limits.maxRows + 1} rows and ${this.limits.maxColumns} columns a sheet may use`,
      );
  }
}

/** The whole numbers from `first` to `last`. */
function rangeOf(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function isBlankCell(cell: SheetCell): boolean {
  return cell.text.trim() === '' && cell.error === undefined;
}

/** A 1-based row or column number in `r` attributes, at most `max`. */
function parseIndex(text: string, max: number, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`invalid ${what} number "${text.slice(0, 20)}"`);
  return value;
}

/** `B12` → row 12, column 1 (0-based). */
function parseCellReference(reference: string): { row: number; column: number } {
  const match = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/.exec(reference);
  if (match === null) throw new Error(`invalid cell reference "${reference.slice(0, 20)}"`);
  let column = 0;
  for (const letter of match[1].toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return {
    row: parseIndex(match[2], EXCEL_ROWS, 'row'),
    column: parseIndex(String(column), EXCEL_COLUMNS, 'column') - 1,
  };
}

/** One column of a written sheet. */
export interface XlsxColumn {
  header: string;
  width?: number;
  /** Excel number format, e.g. `@` (text: keeps leading zeros when edited) or `#,##0`. */
  numFmt?: string;
  /** Wrap long or multi-line text. */
  wrap?: boolean;
}

/** Writes one worksheet: a bold, frozen header row, then the rows (strings stay text cells, numbers are numbers). */
export async function writeXlsx(sheet: {
  name: string;
  columns: readonly XlsxColumn[];
  rows: readonly (readonly (string | number | undefined)[])[];
}): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'rasoat';
  const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.columns = sheet.columns.map((column) => ({
    header: column.header,
    width: column.width,
    style: {
      ...(column.numFmt === undefined ? {} : { numFmt: column.numFmt }),
      ...(column.wrap === true ? { alignment: { wrapText: true, vertical: 'top' as const } } : {}),
    },
  }));
  worksheet.getRow(1).font = { bold: true };
  for (const row of sheet.rows) worksheet.addRow(row.map((value) => value ?? null));
  const written: unknown = await workbook.xlsx.writeBuffer();
  return Buffer.isBuffer(written) ? written : Buffer.from(written as ArrayBuffer);
}
