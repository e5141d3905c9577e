import { Workbook, type Borders, type Font, type Worksheet } from 'exceljs';
import { writeCsv } from '@rasoat/household-records';
import { resolveColumns, tableNotes, tableRows, type ResolvedColumn } from './report-columns';
import { verificationLine, type ReportTable } from './report-tables';
import type { OutOfRangeValue, SummaryReport } from './reports.service';

export { TOTAL_LABEL } from './report-columns';

export type ReportFormat = 'json' | 'csv' | 'xlsx';

/** Where things are on the exported worksheet (tests and readers rely on it). */
export const XLSX_LAYOUT = {
  titleRow: 1,
  titleEnRow: 2,
  contextRow: 3,
  sourceRow: 4,
  verificationRow: 5,
  groupRow: 6,
  headerRow: 7,
  headerEnRow: 8,
  firstDataRow: 9,
} as const;

/** Where things are in the exported CSV, as record indices (0 = first line after the byte-order mark). */
export const CSV_LAYOUT = {
  titleLine: 0,
  verificationLine: 1,
  sourceLine: 2,
  contextLine: 3,
  headerLine: 4,
  firstDataLine: 5,
} as const;

export const INTEGER_FORMAT = '#,##0';
export const PERCENT_FORMAT = '0.00%';

/** `2026-09-01T02:00:00Z` → `01/09/2026 09:00` (Asia/Ho_Chi_Minh: UTC+7, no daylight saving). */
export function vietnamDateTime(iso: string): string {
  const local = new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString();
  return `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}`;
}

/** `bieu-7-1_T1_2026.xlsx`: the form (its table id), the unit code and the campaign year, ASCII only. */
export function reportFileName(
  table: ReportTable,
  report: SummaryReport,
  format: Exclude<ReportFormat, 'json'>,
): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
  return `bieu-${safe(table.id)}_${safe(report.unit.code)}_${report.campaign.year}.${format}`;
}

/**
 * The lines above every exported table, the same in XLSX, CSV and JSON: the form number and
 * title, the unit and year, the legal text the form belongs to, and what was (not) checked
 * against it — a layout not verified is said so on the export itself.
 */
export function tableBanner(table: ReportTable, report: SummaryReport) {
  const check = verificationLine(table);
  return {
    title: `Biểu mẫu số ${table.form}: ${table.title.vi.toUpperCase()}`,
    titleEn: `Form ${table.form}: ${table.title.en}`,
    context: `Đơn vị / Unit: ${report.unit.name} (${report.unit.code}) — Năm rà soát / Review year: ${report.campaign.year} — Ngày lập / Generated: ${vietnamDateTime(report.generatedAt)} (giờ Việt Nam, Asia/Ho_Chi_Minh)`,
    source: `${table.source.vi} / ${table.source.en}`,
    verification: check.verified ? `${check.vi} / ${check.en}` : `LƯU Ý / NOTE: ${check.vi} / ${check.en}`,
    verified: check.verified,
  };
}

/** The notes under a table: the layout's, why columns are missing, then each recorded value left out of the sums. */
function allNotes(table: ReportTable, report: SummaryReport): { vi: string; en: string }[] {
  return [...tableNotes(table, report), ...report.outOfRange.map(outOfRangeNote)];
}

/**
 * CSV (UTF-8 with a byte-order mark so that Excel reads Vietnamese, comma-separated, CRLF, every
 * line as wide as the table): the banner lines (form and title, the verification line, the
 * source, unit and year; `CSV_LAYOUT`), the Vietnamese headers as on the XLSX, the rows, the
 * total row, then the notes. Percentages are written in percent with two decimals and a full
 * stop (`12.50`); unknown figures are empty.
 */
export function renderCsv(table: ReportTable, report: SummaryReport): string {
  const columns = resolveColumns(table, report.indicators);
  const width = Math.max(1, columns.length);
  const line = (text: string) => [text, ...Array<string>(width - 1).fill('')];
  const text = (column: ResolvedColumn, value: string | number | null) =>
    value === null
      ? ''
      : typeof value === 'number' && column.format === 'percent'
        ? (value * 100).toFixed(2)
        : String(value);
  const banner = tableBanner(table, report);
  const rows = tableRows(columns, report).map((row) => row.map((value, i) => text(columns[i], value)));
  const notes = allNotes(table, report);
  return writeCsv(
    [
      line(banner.title),
      line(banner.verification),
      line(banner.source),
      line(banner.context),
      columns.map((c) => c.vi),
      ...rows,
      ...(notes.length > 0
        ? [line(''), line('Ghi chú / Notes:'), ...notes.map((n, i) => line(`${i + 1}. ${n.vi} / ${n.en}`))]
        : []),
    ],
    { bom: true },
  );
}

const THIN: Partial<Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

/**
 * One worksheet that opens as a finished table: form number and title (Vietnamese, English), unit,
 * campaign year and date of issue; the legal text of the form; the verification line (in red when
 * the layout is not verified against the original); a band row for column groups, the Vietnamese
 * headers and the English ones; data rows with numbers as numbers (rates as fractions formatted
 * `0.00%`), the total row in bold; the notes underneath. Frozen below the headers, landscape.
 */
export async function renderXlsx(table: ReportTable, report: SummaryReport): Promise<Buffer> {
  const columns = resolveColumns(table, report.indicators);
  const workbook = new Workbook();
  workbook.creator = 'rasoat';
  workbook.created = new Date(report.generatedAt);
  const L = XLSX_LAYOUT;
  const sheet = workbook.addWorksheet(table.sheetName, {
    views: [{ state: 'frozen', ySplit: L.headerEnRow, xSplit: Math.min(3, columns.length) }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = Math.max(1, columns.length);
  const banner = (rowNumber: number, text: string, font: Partial<Font>) => {
    const cell = sheet.getCell(rowNumber, 1);
    cell.value = text;
    cell.font = font;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    if (width > 1) sheet.mergeCells(rowNumber, 1, rowNumber, width);
  };
  const text = tableBanner(table, report);
  banner(L.titleRow, text.title, { bold: true, size: 14 });
  banner(L.titleEnRow, text.titleEn, { italic: true, size: 11 });
  banner(L.contextRow, text.context, { size: 11 });
  banner(L.sourceRow, text.source, { italic: true, size: 9, color: { argb: 'FF595959' } });
  sheet.getRow(L.sourceRow).height = 24;
  banner(
    L.verificationRow,
    text.verification,
    text.verified
      ? { italic: true, size: 9, color: { argb: 'FF595959' } }
      : { bold: true, size: 10, color: { argb: 'FFC00000' } },
  );
  sheet.getRow(L.verificationRow).height = 28;

  // Header: bands over grouped columns; a column without a group spans the band and header rows.
  columns.forEach((column, i) => {
    const col = i + 1;
    sheet.getColumn(col).width = column.width ?? Math.max(10, Math.min(30, column.vi.length + 2));
    sheet.getCell(L.headerRow, col).value = column.vi;
    sheet.getCell(L.headerEnRow, col).value = column.en;
    if (!column.group) {
      sheet.getCell(L.groupRow, col).value = column.vi;
      sheet.mergeCells(L.groupRow, col, L.headerRow, col);
    } else if (i === 0 || columns[i - 1].group?.vi !== column.group.vi) {
      let last = i;
      while (last + 1 < columns.length && columns[last + 1].group?.vi === column.group.vi) last++;
      sheet.getCell(L.groupRow, col).value = `${column.group.vi} / ${column.group.en}`;
      if (last > i) sheet.mergeCells(L.groupRow, col, L.groupRow, last + 1);
    }
  });
  for (const r of [L.groupRow, L.headerRow, L.headerEnRow]) {
    const row = sheet.getRow(r);
    for (let col = 1; col <= columns.length; col++) {
      const cell = row.getCell(col);
      cell.font = r === L.headerEnRow ? { italic: true, size: 9, color: { argb: 'FF595959' } } : { bold: true };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.border = THIN;
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    }
  }
  sheet.getRow(L.headerRow).height = 45;
  sheet.getRow(L.headerEnRow).height = 30;

  const values = tableRows(columns, report);
  values.forEach((rowValues, r) => {
    const row = sheet.getRow(L.firstDataRow + r);
    const isTotal = r === values.length - 1;
    rowValues.forEach((value, i) => {
      const column = columns[i];
      const cell = row.getCell(i + 1);
      cell.value = value;
      cell.border = THIN;
      if (column.format !== 'text') cell.numFmt = column.format === 'percent' ? PERCENT_FORMAT : INTEGER_FORMAT;
      else if (column.source === 'unitCode') cell.numFmt = '@';
      if (column.source === 'index') cell.alignment = { horizontal: 'center' };
      if (isTotal) cell.font = { bold: true };
    });
  });

  const notesStart = L.firstDataRow + values.length + 1;
  const notes = allNotes(table, report);
  if (notes.length > 0) {
    noteLine(sheet, notesStart, 'Ghi chú / Notes:', width, true);
    notes.forEach((note, i) => noteLine(sheet, notesStart + 1 + i, `${i + 1}. ${note.vi} / ${note.en}`, width, false));
  }
  const written: unknown = await workbook.xlsx.writeBuffer();
  return Buffer.isBuffer(written) ? written : Buffer.from(written as ArrayBuffer);
}

/** A value the figures leave out, named so that the reader knows which village's form to correct. */
function outOfRangeNote(v: OutOfRangeValue): { vi: string; en: string } {
  const what = `${v.villageCode}: ${v.event}.${v.field} = ${v.value.length > 40 ? `${v.value.slice(0, 40)}…` : v.value}`;
  return {
    vi: `${what} ngoài khoảng [${v.range.min}; ${v.range.max}], không được cộng (các số liệu liên quan để trống)`,
    en: `out of range, not summed (the figures it enters are left empty)`,
  };
}

function noteLine(sheet: Worksheet, rowNumber: number, text: string, width: number, bold: boolean): void {
  const cell = sheet.getCell(rowNumber, 1);
  cell.value = text;
  cell.font = { italic: !bold, bold, size: 9 };
  cell.alignment = { wrapText: true, vertical: 'top' };
  if (width > 1) sheet.mergeCells(rowNumber, 1, rowNumber, width);
  if (!bold) sheet.getRow(rowNumber).height = 26;
}

/**
 * The JSON view of a table, for clients that render it themselves: its layout for this report
 * (per-indicator columns expanded), the banner lines (with the verification line), the rows with
 * the figures (rates as fractions) and the notes.
 */
export function tableJson(table: ReportTable, report: SummaryReport) {
  const columns = resolveColumns(table, report.indicators);
  const banner = tableBanner(table, report);
  const check = verificationLine(table);
  return {
    id: table.id,
    form: table.form,
    title: table.title,
    source: table.source,
    verification: { ...table.verification, verified: check.verified, label: { vi: check.vi, en: check.en } },
    banner: [banner.title, banner.verification, banner.source, banner.context],
    columns: columns.map((c) => ({
      key: c.key,
      vi: c.vi,
      en: c.en,
      group: c.group,
      indicator: c.indicator,
      format: c.format,
    })),
    rows: tableRows(columns, report),
    notes: tableNotes(table, report),
  };
}
