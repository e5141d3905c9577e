import { INDICATOR_METRICS, REPORT_METRICS } from './report-metrics';
import {
  KNOWLEDGE_STATUSES,
  loadReportTables,
  parseReportTables,
  ReportTablesError,
  verificationLine,
  type ReportTable,
} from './report-tables';

const UNVERIFIED = 'Bố cục chưa được đối chiếu với văn bản gốc';

describe('report tables (config/reports/bieu-7.yaml)', () => {
  const tables = loadReportTables();

  it('ships Biểu mẫu 7.1 to 7.11, once each and in order, each with its title, source and how far it was checked', () => {
    expect(tables.map((t) => t.form)).toEqual(Array.from({ length: 11 }, (_, i) => `7.${i + 1}`));
    expect(tables.map((t) => t.id)).toEqual(tables.map((t) => t.form.replace('.', '-')));
    for (const table of tables) {
      expect(table.title.vi.length).toBeGreaterThan(10);
      expect(table.title.en.length).toBeGreaterThan(10);
      expect(table.source.vi).toContain('Thông tư 07/2021/TT-BLĐTBXH, Phụ lục VII');
      expect(table.source.vi).toContain(`Biểu mẫu số ${table.form}`);
      expect(KNOWLEDGE_STATUSES).toContain(table.verification.title);
      expect(KNOWLEDGE_STATUSES).toContain(table.verification.layout);
      expect(table.columns.every((c) => c.vi.length > 0 && c.en.length > 0)).toBe(true);
    }
  });

  it('names Circular 02/2022 as the source of 7.8 to 7.10, which it replaced', () => {
    for (const table of tables)
      expect(table.source.vi.includes('Thông tư 02/2022/TT-BLĐTBXH')).toBe(['7.8', '7.9', '7.10'].includes(table.form));
  });

  it('claims nothing verified: no legal text was read, and every table says so on its exports', () => {
    for (const table of tables) {
      expect(table.verification.layout).not.toBe('verified');
      expect(table.verification.title).not.toBe('verified');
      const line = verificationLine(table);
      expect(line.verified).toBe(false);
      expect(line.vi).toContain(UNVERIFIED);
      expect(line.en).toContain('Layout not verified against the original');
    }
  });

  it('gives each form the figures it is about: results with members and average living standard; list movements; deprivations per indicator', () => {
    const keys = (form: string) => tables.find((t) => t.form === form)!.columns.map((c) => c.key);
    expect(keys('7.1')).toEqual(
      expect.arrayContaining([
        'householdsReviewed',
        'poor',
        'poorRate',
        'poorMembers',
        'nearPoor',
        'nearPoorRate',
        'nearPoorMembers',
        'averageLiving',
        'averageLivingMembers',
      ]),
    );
    expect(keys('7.2')).toEqual(
      expect.arrayContaining([
        'previousPoor',
        'escapedPoverty',
        'poorToNearPoor',
        'poorLeftBothLists',
        'newlyPoor',
        'nearPoorToPoor',
        'newlyPoorFromOutside',
        'poor',
      ]),
    );
    expect(keys('7.3')).toEqual(
      expect.arrayContaining([
        'previousNearPoor',
        'nearPoorDecrease',
        'nearPoorToPoor',
        'escapedNearPoverty',
        'newlyNearPoor',
        'poorToNearPoor',
        'newlyNearPoorFromOutside',
        'nearPoor',
      ]),
    );
    expect(keys('7.4')).toEqual(expect.arrayContaining(['poor', 'poorDeprived', 'poorDeprivedRate']));
    expect(keys('7.5')).toEqual(expect.arrayContaining(['nearPoor', 'nearPoorDeprived', 'nearPoorDeprivedRate']));
  });

  it('says in the notes of every table whose subject the engine cannot compute that it has no data yet', () => {
    for (const form of ['7.6', '7.7', '7.8', '7.9']) {
      const table = tables.find((t) => t.form === form)!;
      expect(table.notes[0].vi).toMatch(/^Chưa có dữ liệu, nên không có cột/);
      expect(table.notes[0].en).toMatch(/^No data yet, so no column/);
    }
  });

  const minimal = (columns: string, verification = '{ title: recalled, layout: unknown }', form = '"7.1"') => `tables:
  - id: t
    form: ${form}
    sheetName: T
    title: { vi: Tiêu đề, en: Title }
    source: { vi: Nguồn, en: Source }
    verification: ${verification}
    columns:
${columns}`;

  const issuesOf = (text: string): string[] => {
    try {
      parseReportTables(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ReportTablesError);
      return (e as ReportTablesError).issues;
    }
    throw new Error('expected the file to be refused');
  };

  it('names the path of a bad column', () => {
    expect(issuesOf(minimal('      - { key: richness, vi: Giàu, en: Rich }'))[0]).toMatch(
      /^\$\.tables\.0\.columns\.0\.key /,
    );
  });

  it('refuses a "verified" status that names no text it was read in', () => {
    const column = '      - { key: poor, vi: Số hộ nghèo, en: Poor }';
    expect(issuesOf(minimal(column, '{ title: verified, layout: unknown }'))[0]).toMatch(
      /^\$\.tables\.0\.verification\.checkedAgainst .*needs checkedAgainst/,
    );
    expect(issuesOf(minimal(column, '{ title: recalled, layout: read }'))[0]).toMatch(
      /^\$\.tables\.0\.verification\.layout /,
    );
    const verified = parseReportTables(
      minimal(
        column,
        '{ title: verified, layout: verified, checkedAgainst: { vi: "VBHN 1315, trang 40", en: "VBHN 1315, page 40" } }',
      ),
    )[0];
    expect(verificationLine(verified)).toEqual({
      vi: 'Bố cục đã đối chiếu với văn bản gốc; đối chiếu: VBHN 1315, trang 40',
      en: 'Layout checked against the original; checked against: VBHN 1315, page 40',
      verified: true,
    });
  });

  it('refuses a form that is not a number, and a form declared twice', () => {
    const column = '      - { key: poor, vi: Số hộ nghèo, en: Poor }';
    expect(issuesOf(minimal(column, undefined, '"7.x"'))[0]).toMatch(/^\$\.tables\.0\.form /);
    const twice = `${minimal(column)}\n${minimal(column).replace('tables:\n', '').replace('id: t', 'id: u')}`;
    expect(issuesOf(twice)).toEqual(['$.tables.1.form form "7.1" is declared twice']);
  });

  it('refuses a Vietnamese header used twice (the CSV header line must name each column), and a band on a per-indicator column', () => {
    expect(
      issuesOf(
        minimal('      - { key: poor, vi: Số hộ, en: Poor }\n      - { key: nearPoor, vi: Số hộ, en: Near-poor }'),
      ),
    ).toEqual(['$.tables.0.columns.1.vi header "Số hộ" is used twice in table t']);
    expect(
      issuesOf(minimal('      - { key: poorDeprived, vi: số hộ, en: households, group: { vi: Nhóm, en: Group } }'))[0],
    ).toMatch(/^\$\.tables\.0\.columns\.0\.group .*banded by its indicator/);
    // A per-indicator header is "<indicator>: <vi>": it may repeat a plain header.
    const table: ReportTable = parseReportTables(
      minimal('      - { key: poor, vi: số hộ, en: Poor }\n      - { key: poorDeprived, vi: số hộ, en: households }'),
    )[0];
    expect(table.columns).toHaveLength(2);
  });

  it('accepts every figure and every per-indicator figure as a column key', () => {
    const columns = [...REPORT_METRICS, ...INDICATOR_METRICS]
      .map((m) => `      - { key: ${m}, vi: "${m} vi", en: "${m}" }`)
      .join('\n');
    expect(parseReportTables(minimal(columns))[0].columns).toHaveLength(
      REPORT_METRICS.length + INDICATOR_METRICS.length,
    );
  });
});
