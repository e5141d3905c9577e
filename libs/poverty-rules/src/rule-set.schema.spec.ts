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
  it('every config/poverty-rules/*.yaml validates and is named for its period', () => {
    const files = readdirSync(RULES_DIR).filter((name) => name.endsWith('.yaml'));
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

  it('2026-2030 drops information_access, adds digital_use and waste_treatment, has no average line and says it is uncertain', () => {
    const ruleSet = parseRuleSet(readRules('2026-2030'), '2026-2030.yaml');
    const codes = ruleSet.indicators.map((i) => i.code);
    expect(codes).not.toContain('information_access');
    expect(codes).toEqual(expect.arrayContaining(['digital_use', 'waste_treatment']));
    expect(ruleSet.areas.rural).toMatchObject({ povertyLine: 2_200_000, averageLine: null, deprivationThreshold: 3 });
    expect(ruleSet.areas.urban).toMatchObject({ povertyLine: 2_800_000, averageLine: null });
    expect(ruleSet.uncertainties.length).toBeGreaterThan(0);
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
  ])('%s', (_name, edit, expected) => {
    expect(issuesOf(edited(edit))).toEqual([expected]);
  });

  it('reports a value that is not an object at the root', () => {
    expect(issuesOf('not a rule set')).toEqual(['test.yaml: Invalid input: expected object, received string']);
  });
});
