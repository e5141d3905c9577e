import { Workbook, type Borders, type Font, type Worksheet } from 'exceljs';
import { writeCsv } from '@rasoat/household-records';
import { metricFormat, type ReportMetric } from './report-metrics';
import type { ReportColumn, ReportTable } from './report-tables';
import type { OutOfRangeValue, SummaryReport, SummaryRow } from './reports.service';

export type ReportFormat = 'json' | 'csv' | 'xlsx';

/** Where things are on the exported worksheet (tests and readers rely on it). */
export const XLSX_LAYOUT = {
  titleRow: 1,
  titleEnRow: 2,
  contextRow: 3,
  referenceRow: 4,
  groupRow: 6,
  headerRow: 7,
  headerEnRow: 8,
  firstDataRow: 9,
} as const;

export const INTEGER_FORMAT = '#,##0';
export const PERCENT_FORMAT = '0.00%';
export const TOTAL_LABEL = 'Tổng cộng';

/** `2026-09-01T02:00:00Z` → `01/09/2026 09:00` (Asia/Ho_Chi_Minh: UTC+7, no daylight saving). */
export function vietnamDateTime(iso: string): string {
  const local = new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString();
  return `${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 16)}`;
}

/** `bieu-7-tong-hop_T1_2026.xlsx`: the table, the unit code and the campaign year, ASCII only. */
export function reportFileName(
  table: ReportTable,
  report: SummaryReport,
  format: Exclude<ReportFormat, 'json'>,
): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
  return `bieu-7-${table.id}_${safe(report.unit.code)}_${report.campaign.year}.${format}`;
}

/** The value of one cell of a row, as a number (figures), text (row columns) or null (unknown). */
function cellValue(column: ReportColumn, row: SummaryRow, index: number | null): string | number | null {
  switch (column.key) {
    case 'index':
      return index;
    case 'unitName':
      return index === null ? TOTAL_LABEL : row.name;
    case 'unitCode':
      return row.code;
    default:
      return row.values[column.key];
  }
}

/** The table as rows of values: data rows (numbered 1…) then the total row. */
export function tableRows(table: ReportTable, report: SummaryReport): (string | number | null)[][] {
  return [
    ...report.rows.map((row, i) => table.columns.map((c) => cellValue(c, row, i + 1))),
    table.columns.map((c) => cellValue(c, report.total, null)),
  ];
}

function isMetric(column: ReportColumn): column is ReportColumn & { key: ReportMetric } {
  return column.key !== 'index' && column.key !== 'unitName' && column.key !== 'unitCode';
}

/**
 * CSV (UTF-8 with a byte-order mark so that Excel reads Vietnamese, comma-separated, CRLF): the
 * Vietnamese headers as on the XLSX, the rows, the total row. Percentages are written in percent
 * with two decimals and a full stop (`12.50`), as their headers say "(%)"; unknown figures are empty.
 */
export function renderCsv(table: ReportTable, report: SummaryReport): string {
  const text = (column: ReportColumn, value: string | number | null) =>
    value === null
      ? ''
      : typeof value === 'number' && isMetric(column) && metricFormat(column.key) === 'percent'
        ? (value * 100).toFixed(2)
        : String(value);
  const rows = tableRows(table, report).map((row) => row.map((value, i) => text(table.columns[i], value)));
  return writeCsv([table.columns.map((c) => c.vi), ...rows], { bom: true });
}

const THIN: Partial<Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

/**
 * One worksheet that opens as a finished table: title (Vietnamese, English), unit, campaign year
 * and date of issue; the layout's reference note; a band row for column groups, the Vietnamese
 * headers and the English ones; data rows with numbers as numbers (rates as fractions formatted
 * `0.00%`), the total row in bold; the notes underneath. Frozen below the headers, landscape.
 */
export async function renderXlsx(table: ReportTable, report: SummaryReport): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'rasoat';
  workbook.created = new Date(report.generatedAt);
  const L = XLSX_LAYOUT;
  const sheet = workbook.addWorksheet(table.sheetName, {
    views: [{ state: 'frozen', ySplit: L.headerEnRow, xSplit: Math.min(3, table.columns.length) }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = table.columns.length;
  const banner = (rowNumber: number, text: string, font: Partial<Font>) => {
    const cell = sheet.getCell(rowNumber, 1);
    cell.value = text;
    cell.font = font;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    if (width > 1) sheet.mergeCells(rowNumber, 1, rowNumber, width);
  };
  banner(L.titleRow, `Biểu ${table.form}: ${table.title.vi.toUpperCase()}`, { bold: true, size: 14 });
  banner(L.titleEnRow, table.title.en, { italic: true, size: 11 });
  banner(
    L.contextRow,
    `Đơn vị / Unit: ${report.unit.name} (${report.unit.code}) — Năm rà soát / Review year: ${report.campaign.year} — Ngày lập / Generated: ${vietnamDateTime(report.generatedAt)} (giờ Việt Nam, Asia/Ho_Chi_Minh)`,
    { size: 11 },
  );
  banner(L.referenceRow, `${table.reference.vi} / ${table.reference.en}`, {
    italic: true,
    size: 9,
    color: { argb: 'FF595959' },
  });
  sheet.getRow(L.referenceRow).height = 24;

  // Header: bands over grouped columns; a column without a group spans the band and header rows.
  table.columns.forEach((column, i) => {
    const col = i + 1;
    sheet.getColumn(col).width = column.width ?? Math.max(10, Math.min(30, column.vi.length + 2));
    sheet.getCell(L.headerRow, col).value = column.vi;
    sheet.getCell(L.headerEnRow, col).value = column.en;
    if (!column.group) {
      sheet.getCell(L.groupRow, col).value = column.vi;
      sheet.mergeCells(L.groupRow, col, L.headerRow, col);
    } else if (i === 0 || table.columns[i - 1].group?.vi !== column.group.vi) {
      let last = i;
      while (last + 1 < width && table.columns[last + 1].group?.vi === column.group.vi) last++;
      sheet.getCell(L.groupRow, col).value = `${column.group.vi} / ${column.group.en}`;
      if (last > i) sheet.mergeCells(L.groupRow, col, L.groupRow, last + 1);
    }
  });
  for (const r of [L.groupRow, L.headerRow, L.headerEnRow]) {
    const row = sheet.getRow(r);
    for (let col = 1; col <= width; col++) {
      const cell = row.getCell(col);
      cell.font = r === L.headerEnRow ? { italic: true, size: 9, color: { argb: 'FF595959' } } : { bold: true };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.border = THIN;
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    }
  }
  sheet.getRow(L.headerRow).height = 45;
  sheet.getRow(L.headerEnRow).height = 30;

  const values = tableRows(table, report);
  values.forEach((rowValues, r) => {
    const row = sheet.getRow(L.firstDataRow + r);
    const isTotal = r === values.length - 1;
    rowValues.forEach((value, i) => {
      const column = table.columns[i];
      const cell = row.getCell(i + 1);
      cell.value = value;
      cell.border = THIN;
      if (isMetric(column)) cell.numFmt = metricFormat(column.key) === 'percent' ? PERCENT_FORMAT : INTEGER_FORMAT;
      else if (column.key === 'unitCode') cell.numFmt = '@';
      if (column.key === 'index') cell.alignment = { horizontal: 'center' };
      if (isTotal) cell.font = { bold: true };
    });
  });

  const notesStart = L.firstDataRow + values.length + 1;
  const notes = [...table.notes, ...report.outOfRange.map(outOfRangeNote)];
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

/** The JSON view of a table: its layout with the figures (rates as fractions), for clients that render it themselves. */
export function tableJson(table: ReportTable, report: SummaryReport) {
  return {
    id: table.id,
    form: table.form,
    title: table.title,
    reference: table.reference,
    columns: table.columns.map((c) => ({
      key: c.key,
      vi: c.vi,
      en: c.en,
      group: c.group ?? null,
      format: isMetric(c) ? metricFormat(c.key) : 'text',
    })),
    rows: tableRows(table, report),
    notes: table.notes,
  };
}
