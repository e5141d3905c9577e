import { Workbook } from 'exceljs';
import { readCsv } from '@rasoat/household-records';
import { COUNT_METRICS, withDerived, type CountMetric } from './report-metrics';
import {
  INTEGER_FORMAT,
  PERCENT_FORMAT,
  renderCsv,
  renderXlsx,
  reportFileName,
  TOTAL_LABEL,
  vietnamDateTime,
  XLSX_LAYOUT,
} from './report-export';
import { loadReportTables } from './report-tables';
import type { SummaryReport, SummaryRow } from './reports.service';

const counts = (over: Partial<Record<CountMetric, number | null>>) =>
  withDerived({ ...(Object.fromEntries(COUNT_METRICS.map((m) => [m, 0])) as Record<CountMetric, number>), ...over });

const row = (code: string, name: string, over: Partial<Record<CountMetric, number | null>>): SummaryRow => ({
  code,
  name,
  level: 'commune',
  values: counts(over),
});

const report: SummaryReport = {
  unit: { code: 'T1D1', name: 'Huyện Thử', level: 'district' },
  campaign: {
    id: '00000000-0000-4000-8000-000000000000',
    year: 2026,
    provinceCode: 'T1',
    definitionKey: 'periodic-review@1',
  },
  generatedAt: '2026-11-30T17:30:00.000Z',
  rows: [
    row('T1C1', 'Xã Một, "Thử"', {
      villagesTotal: 3,
      villagesRecognised: 2,
      householdsReviewed: 1200,
      poor: 96,
      nearPoor: 150,
      escapedPoverty: 12,
      escapedNearPoverty: 7,
      newlyPoor: null,
    }),
    row('T1C2', 'Xã Hai', { villagesTotal: 3, villagesRecognised: 0 }),
  ],
  total: {
    code: 'T1D1',
    name: 'Huyện Thử',
    level: 'district',
    values: counts({
      villagesTotal: 6,
      villagesRecognised: 2,
      householdsReviewed: 1200,
      poor: 96,
      nearPoor: 150,
      escapedPoverty: 12,
      escapedNearPoverty: 7,
      newlyPoor: null,
    }),
  },
  outOfRange: [],
};

const tables = loadReportTables();
const summary = tables.find((t) => t.id === 'tong-hop')!;
const changes = tables.find((t) => t.id === 'bien-dong')!;

describe('report export', () => {
  it('dates in Vietnam time and names files by table, unit and year', () => {
    expect(vietnamDateTime('2026-11-30T17:30:00.000Z')).toBe('01/12/2026 00:30');
    expect(reportFileName(summary, report, 'xlsx')).toBe('bieu-7-tong-hop_T1D1_2026.xlsx');
    expect(reportFileName(changes, report, 'csv')).toBe('bieu-7-bien-dong_T1D1_2026.csv');
  });

  it('writes an XLSX that reads back: title, headers, numbers as numbers, % format, total row', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await renderXlsx(summary, report)) as never);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe(summary.sheetName);
    expect(String(sheet.getCell(XLSX_LAYOUT.titleRow, 1).value)).toContain(summary.title.vi.toUpperCase());
    const context = String(sheet.getCell(XLSX_LAYOUT.contextRow, 1).value);
    expect(context).toContain('Huyện Thử (T1D1)');
    expect(context).toContain('2026');
    expect(context).toContain('01/12/2026');
    expect(String(sheet.getCell(XLSX_LAYOUT.referenceRow, 1).value)).toContain('chưa đối chiếu bản gốc');
    const header = summary.columns.map((_, i) => sheet.getCell(XLSX_LAYOUT.headerRow, i + 1).value);
    expect(header).toEqual(summary.columns.map((c) => c.vi));
    expect(summary.columns.map((_, i) => sheet.getCell(XLSX_LAYOUT.headerEnRow, i + 1).value)).toEqual(
      summary.columns.map((c) => c.en),
    );

    const col = (key: string) => summary.columns.findIndex((c) => c.key === key) + 1;
    const first = XLSX_LAYOUT.firstDataRow;
    expect(sheet.getCell(first, col('unitName')).value).toBe('Xã Một, "Thử"');
    expect(sheet.getCell(first, col('poor')).value).toBe(96);
    expect(sheet.getCell(first, col('poor')).numFmt).toBe(INTEGER_FORMAT);
    expect(sheet.getCell(first, col('poorRate')).value).toBeCloseTo(0.08);
    expect(sheet.getCell(first, col('poorRate')).numFmt).toBe(PERCENT_FORMAT);
    expect(sheet.getCell(first + 1, col('poorRate')).value).toBeNull();
    const total = first + 2;
    expect(sheet.getCell(total, col('unitName')).value).toBe(TOTAL_LABEL);
    expect(sheet.getCell(total, col('villagesTotal')).value).toBe(6);
    expect(sheet.getCell(total, col('poor')).font?.bold).toBe(true);
    expect(sheet.getColumn(col('unitName')).width).toBe(28);
  });

  it('leaves unknown figures empty in the XLSX and in the CSV', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await renderXlsx(changes, report)) as never);
    const newlyPoor = changes.columns.findIndex((c) => c.key === 'newlyPoor') + 1;
    expect(workbook.worksheets[0].getCell(XLSX_LAYOUT.firstDataRow, newlyPoor).value).toBeNull();
    const [, first] = readCsv(renderCsv(changes, report)).records;
    expect(first.cells[newlyPoor - 1]).toBe('');
  });

  it('writes a CSV with a BOM, the Vietnamese headers, rows and the total; rates in percent', () => {
    const csv = renderCsv(summary, report);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const { records } = readCsv(csv);
    expect(records[0].cells).toEqual(summary.columns.map((c) => c.vi));
    expect(records).toHaveLength(4);
    const at = (r: number, key: string) => records[r].cells[summary.columns.findIndex((c) => c.key === key)];
    expect(at(1, 'unitName')).toBe('Xã Một, "Thử"');
    expect(at(1, 'poorRate')).toBe('8.00');
    expect(at(1, 'nearPoorRate')).toBe('12.50');
    expect(at(3, 'unitName')).toBe(TOTAL_LABEL);
    expect(at(3, 'index')).toBe('');
    expect(at(3, 'villagesTotal')).toBe('6');
  });
});
