import { REPORT_METRICS } from './report-metrics';
import { loadReportTables, parseReportTables, ReportTablesError } from './report-tables';

describe('report tables (config/reports/bieu-7.yaml)', () => {
  const tables = loadReportTables();

  it('ships the summary and the list changes, labelled as reference layouts', () => {
    expect(tables.map((t) => t.id)).toEqual(expect.arrayContaining(['tong-hop', 'bien-dong']));
    for (const table of tables) {
      expect(table.reference.vi).toContain('bố cục tham khảo, chưa đối chiếu bản gốc');
      expect(table.columns.every((c) => c.vi.length > 0 && c.en.length > 0)).toBe(true);
    }
  });

  it('the summary has households reviewed, poor and near-poor with rates; the changes have escaped and entered per list', () => {
    const keys = (id: string) => tables.find((t) => t.id === id)!.columns.map((c) => c.key);
    expect(keys('tong-hop')).toEqual(
      expect.arrayContaining(['householdsReviewed', 'poor', 'poorRate', 'nearPoor', 'nearPoorRate']),
    );
    expect(keys('bien-dong')).toEqual(
      expect.arrayContaining([
        'escapedPoverty',
        'newlyPoor',
        'escapedNearPoverty',
        'newlyNearPoor',
        'poor',
        'nearPoor',
      ]),
    );
  });

  const minimal = (columns: string) => `tables:
  - id: t
    form: "7.x"
    sheetName: T
    title: { vi: Tiêu đề, en: Title }
    reference: { vi: tham khảo, en: reference }
    columns:
${columns}`;

  it('names the path of a bad column', () => {
    const bad = () => parseReportTables(minimal('      - { key: richness, vi: Giàu, en: Rich }'));
    expect(bad).toThrow(ReportTablesError);
    try {
      bad();
    } catch (e) {
      expect((e as ReportTablesError).issues[0]).toMatch(/^\$\.tables\.0\.columns\.0\.key /);
    }
  });

  it('refuses a Vietnamese header used twice (the CSV header line must name each column)', () => {
    expect(() =>
      parseReportTables(
        minimal('      - { key: poor, vi: Số hộ, en: Poor }\n      - { key: nearPoor, vi: Số hộ, en: Near-poor }'),
      ),
    ).toThrow(/used twice/);
  });

  it('accepts every figure as a column key', () => {
    const columns = REPORT_METRICS.map((m) => `      - { key: ${m}, vi: "${m} vi", en: "${m}" }`).join('\n');
    expect(parseReportTables(minimal(columns))[0].columns).toHaveLength(REPORT_METRICS.length);
  });
});
