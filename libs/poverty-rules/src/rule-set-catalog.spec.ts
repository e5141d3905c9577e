import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseListsYear, type ListsYear } from './lists-year.schema';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import { parseProvinceLines, type ProvinceLines } from './province-lines.schema';
import { RuleSetCatalog, type RuleSetCatalogInput } from './rule-set-catalog';
import { parseRuleSet } from './rule-set.schema';

const RULES_DIR = join(__dirname, '../../../config/poverty-rules');
const readYaml = (file: string): unknown => parse(readFileSync(join(RULES_DIR, file), 'utf8'));
const rules2022 = parseRuleSet(readYaml('2022-2025.yaml'), '2022-2025.yaml');
const rules2026 = parseRuleSet(readYaml('2026-2030.yaml'), '2026-2030.yaml');
const bacNinh = parseProvinceLines(readYaml('provinces/24/2022-2025.yaml'), 'provinces/24/2022-2025.yaml');
const listsYear = parseListsYear(readYaml('lists-year.yaml'), 'lists-year.yaml');

/** The shipped files, as the engine's loader reads them. */
const shipped = (): RuleSetCatalogInput => ({
  ruleSets: [
    { label: '2022-2025.yaml', value: rules2022 },
    { label: '2026-2030.yaml', value: rules2026 },
  ],
  provinceLines: [{ label: 'provinces/24/2022-2025.yaml', value: bacNinh }],
  listsYear: { label: 'lists-year.yaml', value: listsYear },
});
const catalog = new RuleSetCatalog(shipped());

function refusal(input: RuleSetCatalogInput): PovertyRulesError {
  try {
    new RuleSetCatalog(input);
  } catch (error) {
    if (error instanceof PovertyRulesError) return error;
    throw error;
  }
  throw new Error('expected the catalog to be refused');
}

describe('RuleSetCatalog: the rule set by the year the lists apply', () => {
  it.each<[string, number, number, string]>([
    // An autumn review of year N sets the lists of N+1 (Lạng Sơn QĐ 83/QĐ-UBND 15/1/2026).
    ['periodic-review', 2021, 2022, '2022-2025'],
    ['periodic-review', 2024, 2025, '2022-2025'],
    ['periodic-review', 2025, 2026, '2022-2025'],
    ['periodic-review', 2026, 2027, '2026-2030'],
    ['periodic-review', 2029, 2030, '2026-2030'],
    // A regular in-year review's lists apply in the same year.
    ['regular-review', 2026, 2026, '2022-2025'],
    ['regular-review', 2027, 2027, '2026-2030'],
    ['average-living-standard', 2026, 2026, '2022-2025'],
  ])('%s of %d: lists of %d → %s', (process, year, lists, period) => {
    expect(catalog.choose(process, year)).toMatchObject({
      processKind: process,
      campaignYear: year,
      listsYear: lists,
      listsYearOffset: lists - year,
      period,
    });
  });

  it('says why, in Vietnamese and English, naming the decree and what is not verified', () => {
    expect(catalog.choose('periodic-review', 2026).reason).toEqual({
      vi: `Rà soát định kỳ năm 2026: danh sách áp dụng năm 2027 → chuẩn nghèo 2026–2030, Nghị định 351/2025/NĐ-CP (${rules2026.uncertainties.length} giá trị của chuẩn chưa được đối chiếu với văn bản)`,
      en: `Periodic review 2026: the lists apply in 2027 → poverty standard 2026–2030, Nghị định 351/2025/NĐ-CP (${rules2026.uncertainties.length} values of the standard not checked against the legal text)`,
    });
  });

  it('names the province’s own lines in force for the lists year in the reason, and only for their years', () => {
    expect(catalog.choose('periodic-review', 2024, '24').reason.vi).toContain(
      'chuẩn riêng của tỉnh Bắc Ninh (2025-01-01 – 2025-12-31) được phân loại song song',
    );
    expect(catalog.choose('periodic-review', 2025, '24').reason.vi).not.toContain('chuẩn riêng');
    expect(catalog.provincialRuleSet('2022-2025', '24', 2025)?.areas.rural.povertyLine).toBe(1_750_000);
    expect(catalog.provincialRuleSet('2022-2025', '24', 2026)).toBeUndefined();
    expect(catalog.provincialRuleSet('2022-2025', '24', 2024)).toBeUndefined();
    expect(catalog.provincialRuleSet('2022-2025', 'T1', 2025)).toBeUndefined();
    expect(catalog.provincesWithLines('2022-2025', 2025)).toEqual(['24']);
    expect(catalog.provincesWithLines('2026-2030')).toEqual([]);
  });

  it('refuses a process whose lists year is not declared, and a year no rule set covers', () => {
    expect(() => catalog.choose('t1-review', 2026)).toThrow(
      expect.objectContaining({
        code: PovertyRulesErrorCode.UnknownProcess,
        message: expect.stringContaining(
          'các quy trình đã khai báo: average-living-standard, periodic-review, regular-review',
        ),
      }),
    );
    expect(() => catalog.choose('periodic-review', 2030)).toThrow(
      expect.objectContaining({
        code: PovertyRulesErrorCode.NoRuleSetInForce,
        message: expect.stringMatching(
          /^Rà soát định kỳ năm 2030 lập danh sách áp dụng năm 2031, nhưng không có chuẩn nghèo nào có hiệu lực ngày 2031-01-01; các chuẩn có: 2022-2025 \(2022-01-01 – 2026-12-31\), 2026-2030 \(2027-01-01 – 2030-12-31\)/,
        ),
      }),
    );
    expect(() => new RuleSetCatalog({ ...shipped(), listsYear: null }).choose('periodic-review', 2026)).toThrow(
      /lists-year\.yaml \(missing\)/,
    );
  });

  it('looks rule sets up by period and by the year of the lists', () => {
    expect(catalog.periods()).toEqual(['2022-2025', '2026-2030']);
    expect(catalog.inForce(2026)?.period).toBe('2022-2025');
    expect(catalog.inForce(2027)?.period).toBe('2026-2030');
    expect(catalog.inForce(2021)).toBeUndefined();
    expect(catalog.ruleSet('2016-2020')).toBeUndefined();
  });
});

describe('RuleSetCatalog: files that do not fit together are refused, naming them', () => {
  it('two national rule sets in force on the same day', () => {
    const error = refusal({
      ...shipped(),
      ruleSets: [
        { label: '2022-2025.yaml', value: rules2022 },
        { label: '2026-2030.yaml', value: { ...rules2026, effectiveFrom: '2026-01-01' } },
      ],
    });
    expect(error.code).toBe(PovertyRulesErrorCode.OverlappingPeriods);
    expect(error.issues).toEqual([
      '2026-2030.yaml: effectiveFrom: 2026-01-01 overlaps 2022-2025.yaml (in force 2022-01-01 – 2026-12-31): one rule set must end before the next starts',
    ]);
  });

  it('two files of one province’s lines that overlap, and lines of a period that has no rule set', () => {
    const later: ProvinceLines = { ...bacNinh, effectiveFrom: '2025-07-01', effectiveTo: null };
    const orphan: ProvinceLines = { ...bacNinh, period: '2016-2020' };
    const error = refusal({
      ...shipped(),
      provinceLines: [
        { label: 'provinces/24/2022-2025.yaml', value: bacNinh },
        { label: 'provinces/24/2025-b.yaml', value: later },
        { label: 'provinces/24/2016-2020.yaml', value: orphan },
      ],
    });
    expect(error.issues).toEqual([
      'provinces/24/2016-2020.yaml: period: no national rule set for 2016-2020 (periods: 2022-2025, 2026-2030)',
      'provinces/24/2025-b.yaml: effectiveFrom: 2025-07-01 overlaps provinces/24/2022-2025.yaml (in force 2025-01-01 – 2025-12-31)',
    ]);
  });

  it('several files of one province for different years: each applies to its own lists', () => {
    const lines2026: ProvinceLines = {
      ...bacNinh,
      effectiveFrom: '2026-01-01',
      effectiveTo: '2026-12-31',
      areas: { rural: { povertyLine: 1_800_000, nearPoorLine: 1_800_000 } },
    };
    const both = new RuleSetCatalog({
      ...shipped(),
      provinceLines: [
        { label: 'provinces/24/2026.yaml', value: lines2026 },
        { label: 'provinces/24/2025.yaml', value: bacNinh },
      ],
    });
    expect(both.provincialRuleSet('2022-2025', '24', 2025)?.areas.rural.povertyLine).toBe(1_750_000);
    expect(both.provincialRuleSet('2022-2025', '24', 2026)?.areas.rural.povertyLine).toBe(1_800_000);
    expect(both.provinceRuleSets('2022-2025', '24').map((r) => r.effectiveFrom)).toEqual(['2025-01-01', '2026-01-01']);
  });
});

describe('the lists-year file', () => {
  it('declares the periodic review N → N+1 and the regular review N → N, each with its source', () => {
    expect(listsYear.processes['periodic-review']).toMatchObject({ listsYearOffset: 1 });
    expect(listsYear.processes['periodic-review'].source).toContain('83/QĐ-UBND');
    expect(listsYear.processes['regular-review']).toMatchObject({ listsYearOffset: 0 });
    expect(listsYear.uncertainties).toEqual(
      expect.arrayContaining([expect.stringMatching(/^processes\.regular-review\.listsYearOffset: 0 inferred/)]),
    );
  });

  it('names the path of each problem', () => {
    const bad = {
      ...listsYear,
      processes: { 'Periodic Review': { name: { vi: '', en: 'x' }, listsYearOffset: -1, source: 's' } },
    } as unknown as ListsYear;
    expect(() => parseListsYear(bad, 'ly.yaml')).toThrow(
      expect.objectContaining({
        code: PovertyRulesErrorCode.InvalidListsYear,
        issues: expect.arrayContaining([expect.stringMatching(/^ly\.yaml: processes\["Periodic Review"\]/)]),
      }),
    );
    expect(() =>
      parseListsYear(
        {
          ...listsYear,
          processes: { 'periodic-review': { ...listsYear.processes['periodic-review'], listsYearOffset: -1 } },
        },
        'ly.yaml',
      ),
    ).toThrow(
      expect.objectContaining({
        issues: ['ly.yaml: processes["periodic-review"].listsYearOffset: must not be negative'],
      }),
    );
  });
});
