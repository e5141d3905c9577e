import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import { parseRuleSet, type RuleSet } from './rule-set.schema';

const RULES_DIR = join(__dirname, '../../../config/poverty-rules');
const readRules = (period: string): unknown => parse(readFileSync(join(RULES_DIR, `${period}.yaml`), 'utf8'));

function issuesOf(value: unknown): readonly string[] {
  try {
    parseRuleSet(value, 'test.yaml');
  } catch (error) {
    if (error instanceof PovertyRulesError && error.code === PovertyRulesErrorCode.InvalidRuleSet) return error.issues;
    throw error;
  }
  throw new Error('expected the rule set to be invalid');
}

/** The shipped 2022–2025 rule set, changed by `edit` (a deep copy). */
function edited(edit: (ruleSet: RuleSet) => void): unknown {
  const ruleSet = structuredClone(readRules('2022-2025')) as RuleSet;
  edit(ruleSet);
  return ruleSet;
}

describe('shipped rule sets', () => {
  it('every config/poverty-rules/<period>.yaml validates and is named for its period', () => {
    const files = readdirSync(RULES_DIR).filter((name) => /^\d{4}-\d{4}\.yaml$/.test(name));
    expect(files).toEqual(expect.arrayContaining(['2022-2025.yaml', '2026-2030.yaml']));
    for (const name of files)
      expect(parseRuleSet(parse(readFileSync(join(RULES_DIR, name), 'utf8')), name).period).toBe(
        name.replace('.yaml', ''),
      );
  });

  it('2022-2025 has the 12 indicators of Decree 07/2021 and its lines', () => {
    const ruleSet = parseRuleSet(readRules('2022-2025'), '2022-2025.yaml');
    expect(ruleSet.indicators.map((i) => i.code)).toEqual([
      'employment',
      'dependants',
      'nutrition',
      'health_insurance',
      'adult_education',
      'child_school_attendance',
      'housing_quality',
      'housing_area',
      'water_source',
      'latrine',
      'telecom',
      'information_access',
    ]);
    expect(ruleSet.areas).toEqual({
      rural: { povertyLine: 1_500_000, nearPoorLine: 1_500_000, averageLine: 2_250_000, deprivationThreshold: 3 },
      urban: { povertyLine: 2_000_000, nearPoorLine: 2_000_000, averageLine: 3_000_000, deprivationThreshold: 3 },
    });
  });

  it('2022-2025 counts low-income workers at 3,000,000 đồng a month (Decree 30/2025) and applies through 2026', () => {
    const ruleSet = parseRuleSet(readRules('2022-2025'), '2022-2025.yaml');
    expect(ruleSet.lowIncomeWorkers).toMatchObject({ incomeLine: 3_000_000 });
    expect(ruleSet.lowIncomeWorkers?.source).toContain('Nghị định 30/2025/NĐ-CP');
    expect([ruleSet.effectiveFrom, ruleSet.effectiveTo, ruleSet.indicatorCount]).toEqual([
      '2022-01-01',
      '2026-12-31',
      12,
    ]);
    // The extension through 2026 is NĐ 351's transitional article, read in the press only.
    expect(ruleSet.uncertainties).toEqual(
      expect.arrayContaining([expect.stringMatching(/^effectiveTo: .*transitional article not read \(not verified\)/)]),
    );
  });

  it('2026-2030 has the 12 indicators of Decree 351/2025: the old 12 without information_access, telecom merged into digital_use, plus waste_treatment', () => {
    const ruleSet = parseRuleSet(readRules('2026-2030'), '2026-2030.yaml');
    expect(ruleSet.indicators.map((i) => i.code)).toEqual([
      'employment',
      'dependants',
      'nutrition',
      'health_insurance',
      'adult_education',
      'child_school_attendance',
      'housing_quality',
      'housing_area',
      'water_source',
      'latrine',
      'waste_treatment',
      'digital_use',
    ]);
    expect(ruleSet.indicatorCount).toBe(12);
    expect(ruleSet.citation).toBe('Nghị định 351/2025/NĐ-CP');
    expect([ruleSet.effectiveFrom, ruleSet.effectiveTo]).toEqual(['2027-01-01', '2030-12-31']);
    expect(ruleSet.areas.rural).toEqual({
      povertyLine: 2_200_000,
      nearPoorLine: 2_200_000,
      averageLine: null,
      deprivationThreshold: 3,
    });
    expect(ruleSet.areas.urban).toMatchObject({ povertyLine: 2_800_000, averageLine: null, deprivationThreshold: 3 });
    // What was not read in the Decree stays marked: the transitional article, the near-poor rule, the wording.
    expect(ruleSet.uncertainties).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^effectiveFrom: .*not verified/),
        expect.stringMatching(/^areas\.\*\.nearPoorLine/),
        expect.stringMatching(/^indicators: 12 .*recalled \(R\)/),
        expect.stringMatching(/^lowIncomeWorkers: .*not verified/),
      ]),
    );
  });

  it('refuses the 2026-2030 set as it was shipped before, with "no internet" counted twice (13 indicators for 12)', () => {
    const ruleSet = structuredClone(readRules('2026-2030')) as RuleSet;
    ruleSet.indicators.push({
      code: 'telecom',
      name: 'Sử dụng dịch vụ viễn thông',
      nameEn: 'Use of telecommunication services',
      service: 'information',
      deprivedWhen: 'Hộ không có thành viên nào sử dụng dịch vụ internet.',
    });
    expect(issuesOf(ruleSet)).toEqual(['test.yaml: indicators: 13 indicators listed, but indicatorCount declares 12']);
  });
});

describe('RuleSetSchema errors name the path', () => {
  it.each<[string, (r: RuleSet) => void, string]>([
    [
      'a line that is not an integer',
      (r) => Object.assign(r.areas.rural, { povertyLine: '1.500.000' }),
      'test.yaml: areas.rural.povertyLine: expected a whole number of đồng',
    ],
    [
      'a missing average line (null must be written)',
      (r) => Reflect.deleteProperty(r.areas.urban, 'averageLine'),
      'test.yaml: areas.urban.averageLine: required: VND per person per month, or null when the period has none',
    ],
    [
      'an unknown key',
      (r) => Object.assign(r.areas.rural, { povertyLin: 1 }),
      'test.yaml: areas.rural.povertyLin: unknown key',
    ],
    [
      'a third area',
      (r) => Object.assign(r.areas, { mountain: r.areas.rural }),
      'test.yaml: areas.mountain: unknown key',
    ],
    [
      'a code listed twice',
      (r) => (r.indicators[11].code = 'telecom'),
      'test.yaml: indicators[11].code: "telecom" is listed twice',
    ],
    [
      'a code that is not snake_case',
      (r) => (r.indicators[0].code = 'Employment'),
      'test.yaml: indicators[0].code: must be a snake_case code: lower-case letters, digits, "_"',
    ],
    [
      'an unknown service',
      (r) => (r.indicators[2].service = 'healthcare'),
      'test.yaml: indicators[2].service: unknown service "healthcare" (services: employment, health, education, housing, water_sanitation, information)',
    ],
    [
      'a near-poor line below the poverty line',
      (r) => (r.areas.urban.nearPoorLine = 1_999_999),
      'test.yaml: areas.urban.nearPoorLine: 1999999 is below povertyLine 2000000',
    ],
    [
      'an average line not above the near-poor line',
      (r) => (r.areas.rural.averageLine = 1_500_000),
      'test.yaml: areas.rural.averageLine: 1500000 must be above nearPoorLine 1500000',
    ],
    [
      'a threshold above the number of indicators',
      (r) => (r.areas.rural.deprivationThreshold = 13),
      'test.yaml: areas.rural.deprivationThreshold: 13 is more than the 12 indicators',
    ],
    [
      'an end before the start',
      (r) => (r.effectiveTo = '2021-12-31'),
      'test.yaml: effectiveTo: 2021-12-31 is before effectiveFrom 2022-01-01',
    ],
    ['a bad date', (r) => (r.effectiveFrom = '2022-02-30'), 'test.yaml: effectiveFrom: Invalid ISO date'],
    ['a bad period', (r) => (r.period = '2022'), 'test.yaml: period: must be YYYY-YYYY'],
    [
      'an indicator left out of the declared count',
      (r) => r.indicators.pop(),
      'test.yaml: indicators: 11 indicators listed, but indicatorCount declares 12',
    ],
    [
      'a missing low-income worker entry (null must be written)',
      (r) => Reflect.deleteProperty(r, 'lowIncomeWorkers'),
      'test.yaml: lowIncomeWorkers: required: { incomeLine, source }, or null when the period identifies no low-income workers',
    ],
    [
      'an income-only poverty line above the poverty line',
      (r) => (r.areas.rural.incomeOnlyPovertyLine = 1_500_001),
      'test.yaml: areas.rural.incomeOnlyPovertyLine: 1500001 is above povertyLine 1500000',
    ],
    [
      'a near-poor threshold above the number of indicators',
      (r) => (r.areas.urban.nearPoorDeprivationThreshold = 13),
      'test.yaml: areas.urban.nearPoorDeprivationThreshold: 13 is more than the 12 indicators',
    ],
  ])('%s', (_name, edit, expected) => {
    expect(issuesOf(edited(edit))).toEqual([expected]);
  });

  it('reports a value that is not an object at the root', () => {
    expect(issuesOf('not a rule set')).toEqual(['test.yaml: Invalid input: expected object, received string']);
  });
});
