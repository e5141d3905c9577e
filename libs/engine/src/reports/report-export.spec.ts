import { Workbook } from 'exceljs';
import { readCsv } from '@rasoat/household-records';
import { resolveColumns } from './report-columns';
import {
  CSV_LAYOUT,
  INTEGER_FORMAT,
  PERCENT_FORMAT,
  renderCsv,
  renderXlsx,
  reportFileName,
  tableJson,
  TOTAL_LABEL,
  vietnamDateTime,
  XLSX_LAYOUT,
} from './report-export';
import { COUNT_METRICS, withDerived, type CountMetric, type IndicatorCounts } from './report-metrics';
import { loadReportTables, parseReportTables } from './report-tables';
import type { SummaryReport, SummaryRow } from './reports.service';

const counts = (over: Partial<Record<CountMetric, number | null>>) =>
  withDerived({ ...(Object.fromEntries(COUNT_METRICS.map((m) => [m, 0])) as Record<CountMetric, number>), ...over });

const row = (
  code: string,
  name: string,
  over: Partial<Record<CountMetric, number | null>>,
  indicators: IndicatorCounts | null = null,
): SummaryRow => ({ code, name, level: 'commune', values: counts(over), indicators });

const FIRST = {
  villagesTotal: 3,
  villagesRecognised: 2,
  householdsReviewed: 1200,
  poor: 96,
  poorMembers: 350,
  nearPoor: 150,
  escapedPoverty: 12,
  escapedNearPoverty: 7,
  newlyPoor: null,
};

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
    row('T1C1', 'Xã Một, "Thử"', FIRST, null),
    row(
      'T1C2',
      'Xã Hai',
      { villagesTotal: 3, villagesRecognised: 1, villagesWithHouseholdList: 1, poor: 4, nearPoor: 2 },
      {
        latrine: { poor: 3, nearPoor: 1 },
        telecom: { poor: 1, nearPoor: 0 },
      },
    ),
  ],
  total: {
    code: 'T1D1',
    name: 'Huyện Thử',
    level: 'district',
    values: counts({ ...FIRST, villagesTotal: 6, villagesRecognised: 3, poor: 100, nearPoor: 152 }),
    indicators: null,
  },
  indicators: [
    { code: 'latrine', name: { vi: 'Nhà tiêu hợp vệ sinh', en: 'Hygienic latrine' } },
    { code: 'telecom', name: { vi: 'Sử dụng dịch vụ viễn thông', en: 'Use of telecommunication services' } },
  ],
  outOfRange: [],
};

const tables = loadReportTables();
const form = (f: string) => tables.find((t) => t.form === f)!;
const results = form('7.1');
const changes = form('7.2');
const poorByIndicator = form('7.4');
const UNVERIFIED = 'Bố cục chưa được đối chiếu với văn bản gốc';

async function sheetOf(buffer: Buffer) {
  const workbook = new Workbook();
  await workbook.xlsx.load(buffer as never);
  return workbook.worksheets[0];
}

describe('report export', () => {
  it('dates in Vietnam time and names files by form, unit and year', () => {
    expect(vietnamDateTime('2026-11-30T17:30:00.000Z')).toBe('01/12/2026 00:30');
    expect(reportFileName(results, report, 'xlsx')).toBe('bieu-7-1_T1D1_2026.xlsx');
    expect(reportFileName(form('7.10'), report, 'csv')).toBe('bieu-7-10_T1D1_2026.csv');
  });

  it('writes an XLSX that reads back: form and title, the verification line, headers, numbers as numbers, % format, total row', async () => {
    const sheet = await sheetOf(await renderXlsx(results, report));
    expect(sheet.name).toBe('Biểu 7.1');
    expect(String(sheet.getCell(XLSX_LAYOUT.titleRow, 1).value)).toBe(
      `Biểu mẫu số 7.1: ${results.title.vi.toUpperCase()}`,
    );
    const context = String(sheet.getCell(XLSX_LAYOUT.contextRow, 1).value);
    expect(context).toContain('Huyện Thử (T1D1)');
    expect(context).toContain('2026');
    expect(context).toContain('01/12/2026');
    expect(String(sheet.getCell(XLSX_LAYOUT.sourceRow, 1).value)).toContain(
      'Thông tư 07/2021/TT-BLĐTBXH, Phụ lục VII, Biểu mẫu số 7.1',
    );
    const check = sheet.getCell(XLSX_LAYOUT.verificationRow, 1);
    expect(String(check.value)).toContain(UNVERIFIED);
    expect(String(check.value)).toContain('Layout not verified against the original');
    expect(String(check.value)).toContain('tên biểu ghi theo trí nhớ');
    expect(check.font?.bold).toBe(true);
    const header = results.columns.map((_, i) => sheet.getCell(XLSX_LAYOUT.headerRow, i + 1).value);
    expect(header).toEqual(results.columns.map((c) => c.vi));
    expect(results.columns.map((_, i) => sheet.getCell(XLSX_LAYOUT.headerEnRow, i + 1).value)).toEqual(
      results.columns.map((c) => c.en),
    );

    const col = (key: string) => results.columns.findIndex((c) => c.key === key) + 1;
    const first = XLSX_LAYOUT.firstDataRow;
    expect(sheet.getCell(first, col('unitName')).value).toBe('Xã Một, "Thử"');
    expect(sheet.getCell(first, col('poor')).value).toBe(96);
    expect(sheet.getCell(first, col('poor')).numFmt).toBe(INTEGER_FORMAT);
    expect(sheet.getCell(first, col('poorMembers')).value).toBe(350);
    expect(sheet.getCell(first, col('poorRate')).value).toBeCloseTo(0.08);
    expect(sheet.getCell(first, col('poorRate')).numFmt).toBe(PERCENT_FORMAT);
    expect(sheet.getCell(first + 1, col('poorRate')).value).toBeNull();
    const total = first + 2;
    expect(sheet.getCell(total, col('unitName')).value).toBe(TOTAL_LABEL);
    expect(sheet.getCell(total, col('villagesTotal')).value).toBe(6);
    expect(sheet.getCell(total, col('poor')).font?.bold).toBe(true);
    expect(sheet.getColumn(col('unitName')).width).toBe(28);
  });

  it('shows a verified table as checked, naming the text it was read in', async () => {
    const [verified] = parseReportTables(`tables:
  - id: "7-1"
    form: "7.1"
    sheetName: Biểu 7.1
    title: { vi: Tiêu đề, en: Title }
    source: { vi: Nguồn, en: Source }
    verification: { title: verified, layout: verified, checkedAgainst: { vi: VBHN 1315 trang 40, en: VBHN 1315 page 40 } }
    columns:
      - { key: poor, vi: Số hộ nghèo, en: Poor }`);
    const sheet = await sheetOf(await renderXlsx(verified, report));
    const line = String(sheet.getCell(XLSX_LAYOUT.verificationRow, 1).value);
    expect(line).toContain('Bố cục đã đối chiếu với văn bản gốc; đối chiếu: VBHN 1315 trang 40');
    expect(line).not.toContain('chưa');
    expect(readCsv(renderCsv(verified, report), { delimiter: ',' }).records[CSV_LAYOUT.verificationLine].cells[0]).toBe(
      line,
    );
  });

  it('leaves unknown figures empty in the XLSX and in the CSV', async () => {
    const sheet = await sheetOf(await renderXlsx(changes, report));
    const newlyPoor = changes.columns.findIndex((c) => c.key === 'newlyPoor') + 1;
    expect(sheet.getCell(XLSX_LAYOUT.firstDataRow, newlyPoor).value).toBeNull();
    const { records } = readCsv(renderCsv(changes, report), { delimiter: ',' });
    expect(records[CSV_LAYOUT.firstDataLine].cells[newlyPoor - 1]).toBe('');
  });

  it('writes a CSV with a BOM, the form, the verification line, the Vietnamese headers, rows, the total and the notes; rates in percent', () => {
    const csv = renderCsv(results, report);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const { records } = readCsv(csv, { delimiter: ',' });
    const width = results.columns.length;
    expect(records.slice(0, CSV_LAYOUT.headerLine).every((r) => r.cells.length === width)).toBe(true);
    expect(records[CSV_LAYOUT.titleLine].cells[0]).toBe(`Biểu mẫu số 7.1: ${results.title.vi.toUpperCase()}`);
    expect(records[CSV_LAYOUT.verificationLine].cells[0]).toMatch(
      /^LƯU Ý \/ NOTE: Bố cục chưa được đối chiếu với văn bản gốc/,
    );
    expect(records[CSV_LAYOUT.sourceLine].cells[0]).toContain('Biểu mẫu số 7.1');
    expect(records[CSV_LAYOUT.contextLine].cells[0]).toContain('Huyện Thử (T1D1)');
    expect(records[CSV_LAYOUT.headerLine].cells).toEqual(results.columns.map((c) => c.vi));
    const at = (r: number, key: string) =>
      records[CSV_LAYOUT.firstDataLine + r].cells[results.columns.findIndex((c) => c.key === key)];
    expect(at(0, 'unitName')).toBe('Xã Một, "Thử"');
    expect(at(0, 'poorRate')).toBe('8.00');
    expect(at(0, 'nearPoorRate')).toBe('12.50');
    expect(at(2, 'unitName')).toBe(TOTAL_LABEL);
    expect(at(2, 'index')).toBe('');
    expect(at(2, 'villagesTotal')).toBe('6');
    const after = records.slice(CSV_LAYOUT.firstDataLine + 3).map((r) => r.cells[0]);
    expect(after[1]).toBe('Ghi chú / Notes:');
    expect(after.slice(2)).toEqual(results.notes.map((n, i) => `${i + 1}. ${n.vi} / ${n.en}`));
  });

  it('expands the per-indicator columns into a band per indicator, in the rule set’s order: count and share', async () => {
    const columns = resolveColumns(poorByIndicator, report.indicators);
    const perIndicator = columns.filter((c) => c.indicator !== null);
    expect(perIndicator.map((c) => c.key)).toEqual([
      'poorDeprived:latrine',
      'poorDeprivedRate:latrine',
      'poorDeprived:telecom',
      'poorDeprivedRate:telecom',
    ]);
    expect(perIndicator[0]).toMatchObject({
      vi: 'Nhà tiêu hợp vệ sinh: số hộ thiếu hụt',
      en: 'Hygienic latrine: households deprived',
      group: { vi: 'Nhà tiêu hợp vệ sinh', en: 'Hygienic latrine' },
      format: 'integer',
    });
    expect(perIndicator[1].format).toBe('percent');

    const sheet = await sheetOf(await renderXlsx(poorByIndicator, report));
    const at = (key: string) => columns.findIndex((c) => c.key === key) + 1;
    expect(sheet.getCell(XLSX_LAYOUT.groupRow, at('poorDeprived:latrine')).value).toBe(
      'Nhà tiêu hợp vệ sinh / Hygienic latrine',
    );
    expect(sheet.getCell(XLSX_LAYOUT.headerRow, at('poorDeprived:telecom')).value).toBe(
      'Sử dụng dịch vụ viễn thông: số hộ thiếu hụt',
    );
    const first = XLSX_LAYOUT.firstDataRow;
    // Xã Một was recognised from its form's totals only: no figure per indicator.
    expect(sheet.getCell(first, at('poorDeprived:latrine')).value).toBeNull();
    expect(sheet.getCell(first + 1, at('poorDeprived:latrine')).value).toBe(3);
    expect(sheet.getCell(first + 1, at('poorDeprivedRate:latrine')).value).toBe(0.75);
    expect(sheet.getCell(first + 1, at('poorDeprivedRate:latrine')).numFmt).toBe(PERCENT_FORMAT);
    expect(sheet.getCell(first + 1, at('poorDeprived:telecom')).value).toBe(1);

    const { records } = readCsv(renderCsv(poorByIndicator, report), { delimiter: ',' });
    expect(records[CSV_LAYOUT.headerLine].cells).toEqual(columns.map((c) => c.vi));
    expect(records[CSV_LAYOUT.firstDataLine + 1].cells[at('poorDeprivedRate:latrine') - 1]).toBe('75.00');
  });

  it('says why a per-indicator table has no indicator columns when no household list is classified', () => {
    const bare = { ...report, indicators: [] };
    const json = tableJson(poorByIndicator, bare);
    expect(json.columns.some((c) => c.indicator !== null)).toBe(false);
    expect(json.notes.at(-1)?.vi).toContain('chưa có cột theo từng chỉ số thiếu hụt (chưa có dữ liệu)');
    expect(tableJson(results, bare).notes).toEqual(results.notes);
  });

  it('returns the table as JSON with the verification line, the banner and the expanded columns', () => {
    const json = tableJson(poorByIndicator, report);
    expect(json).toMatchObject({
      id: '7-4',
      form: '7.4',
      title: poorByIndicator.title,
      verification: { title: 'recalled', layout: 'unknown', verified: false },
    });
    expect(json.verification.label.vi).toContain(UNVERIFIED);
    expect(json.banner[1]).toContain(UNVERIFIED);
    expect(json.columns.find((c) => c.key === 'poorDeprived:telecom')).toMatchObject({
      indicator: report.indicators[1],
      format: 'integer',
    });
    expect(json.rows).toHaveLength(3);
  });
});
