import { Workbook, type CellValue } from 'exceljs';
import type { SheetCell, SheetRow } from './sheet';

/** Every XLSX (a ZIP container) starts with these bytes. */
export function looksLikeZip(content: Buffer): boolean {
  return content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04;
}

/** Excel 97–2003 `.xls` (OLE compound file), which exceljs cannot read. */
export function looksLikeLegacyXls(content: Buffer): boolean {
  return content.length >= 4 && content[0] === 0xd0 && content[1] === 0xcf && content[2] === 0x11 && content[3] === 0xe0;
}

// exceljs types its buffers with a local `interface Buffer extends ArrayBuffer`; at run time it
// takes and returns Node Buffers.
type ExcelBuffer = Parameters<Workbook['xlsx']['load']>[0];

/**
 * The rows of the first worksheet (in tab order) that have cells, numbered as Excel shows them.
 * Throws whatever exceljs throws on a file it cannot read; returns `undefined` for a workbook
 * without worksheets.
 */
export async function readXlsxRows(content: Buffer): Promise<SheetRow[] | undefined> {
  const workbook = new Workbook();
  await workbook.xlsx.load(content as unknown as ExcelBuffer);
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) return undefined;
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: SheetCell[] = [];
    for (let column = 1; column <= row.cellCount; column++) cells.push(toSheetCell(row.getCell(column).value));
    rows.push({ row: rowNumber, cells });
  });
  return rows;
}

/**
 * One cell's value as text: numbers in full (`String(123456789012)`, kept in `number`), dates as
 * `YYYY-MM-DD`, booleans `TRUE`/`FALSE`, rich text and hyperlinks by their text, formulas by
 * their cached result; error values and formulas without a result are flagged in `error`. A
 * merged cell reads as its master's value.
 */
export function toSheetCell(value: CellValue): SheetCell {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') return { text: String(value), number: value };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) {
    const iso = value.toISOString();
    return { text: iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso };
  }
  if ('error' in value) return { text: value.error, error: value.error };
  if ('formula' in value || 'sharedFormula' in value) {
    return value.result === undefined ? { text: '', error: 'formula without result' } : toSheetCell(value.result);
  }
  if ('richText' in value) return { text: value.richText.map((run) => run.text).join('') };
  if ('hyperlink' in value) {
    // Hyperlink text is typed as a string but is rich text in some files.
    const text: unknown = value.text;
    return { text: typeof text === 'string' ? text : toSheetCell(text as CellValue).text };
  }
  return { text: String(value) };
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
export async function writeXlsx(sheet: { name: string; columns: readonly XlsxColumn[]; rows: readonly (readonly (string | number | undefined)[])[] }): Promise<Buffer> {
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
