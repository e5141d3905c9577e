import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyProvinceLines } from './apply-province-lines';
import { classifyHousehold, type HouseholdClass } from './classify-household';
import type { Household } from './household-input.schema';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import { parseProvinceLines } from './province-lines.schema';
import { parseRuleSet, type Area, type RuleSet } from './rule-set.schema';

const RULES_DIR = join(__dirname, '../../../config/poverty-rules');
const readYaml = (file: string): unknown => parse(readFileSync(join(RULES_DIR, file), 'utf8'));
const rules2022 = parseRuleSet(readYaml('2022-2025.yaml'), '2022-2025.yaml');
const rules2026 = parseRuleSet(readYaml('2026-2030.yaml'), '2026-2030.yaml');

const TWO = ['employment', 'nutrition'];
const THREE = ['employment', 'nutrition', 'latrine'];

const household = (area: Area, incomePerCapitaMonthly: number, deprivations: string[]): Household => ({
  id: 'H1',
  area,
  incomePerCapitaMonthly,
  deprivations,
});

describe('classifyHousehold, 2022–2025 (Decree 07/2021 Art. 3)', () => {
  // [area, income, deprivations, class]: every boundary of both areas, on the line and one đồng above.
  it.each<[Area, number, string[], HouseholdClass]>([
    ['rural', 0, THREE, 'poor'],
    ['rural', 0, [], 'near_poor'],
    ['rural', 1_500_000, THREE, 'poor'],
    ['rural', 1_500_000, TWO, 'near_poor'],
    ['rural', 1_500_001, THREE, 'average'],
    ['rural', 1_500_001, TWO, 'average'],
    ['rural', 2_250_000, THREE, 'average'],
    ['rural', 2_250_001, [], 'not_poor'],
    ['urban', 0, THREE, 'poor'],
    ['urban', 0, TWO, 'near_poor'],
    ['urban', 2_000_000, THREE, 'poor'],
    ['urban', 2_000_000, TWO, 'near_poor'],
    ['urban', 2_000_001, THREE, 'average'],
    ['urban', 2_000_001, TWO, 'average'],
    ['urban', 3_000_000, THREE, 'average'],
    ['urban', 3_000_001, THREE, 'not_poor'],
    // An urban income that would be above the rural lines is still judged by the urban ones.
    ['urban', 1_800_000, THREE, 'poor'],
    ['rural', 2_500_000, [], 'not_poor'],
  ])('%s, income %d, deprived in %j → %s', (area, income, deprivations, expected) => {
    expect(classifyHousehold(rules2022, household(area, income, deprivations)).class).toBe(expected);
  });

  it('explains a poor household: the line, the income and each deprived indicator', () => {
    expect(classifyHousehold(rules2022, household('rural', 1_500_000, ['latrine', 'employment', 'nutrition']))).toEqual(
      {
        id: 'H1',
        class: 'poor',
        reasons: [
          'Thu nhập bình quân 1.500.000 đồng/người/tháng ≤ chuẩn nghèo nông thôn 1.500.000 đồng',
          'Thiếu hụt 3/12 chỉ số (≥ 3): Việc làm, Dinh dưỡng, Nhà tiêu hợp vệ sinh',
        ],
        explanation: {
          period: '2022-2025',
          province: null,
          area: 'rural',
          incomeLine: 1_500_000,
          nearPoorLine: 1_500_000,
          averageLine: 2_250_000,
          income: 1_500_000,
          deprivedIndicators: [
            { code: 'employment', name: 'Việc làm' },
            { code: 'nutrition', name: 'Dinh dưỡng' },
            { code: 'latrine', name: 'Nhà tiêu hợp vệ sinh' },
          ],
          deprivationCount: 3,
          indicatorCount: 12,
          threshold: 3,
          nearPoorThreshold: 0,
          incomeOnlyPovertyLine: null,
          lowIncomeWorkers: null,
        },
      },
    );
  });

  it.each<[Household, string[]]>([
    [
      household('urban', 2_000_000, TWO),
      [
        'Thu nhập bình quân 2.000.000 đồng/người/tháng ≤ chuẩn nghèo thành thị 2.000.000 đồng',
        'Thiếu hụt 2/12 chỉ số (< 3): Việc làm, Dinh dưỡng',
      ],
    ],
    [
      household('rural', 0, []),
      [
        'Thu nhập bình quân 0 đồng/người/tháng ≤ chuẩn nghèo nông thôn 1.500.000 đồng',
        'Không thiếu hụt chỉ số nào (0/12, < 3)',
      ],
    ],
    [
      household('urban', 3_000_000, THREE),
      [
        'Thu nhập bình quân 3.000.000 đồng/người/tháng > chuẩn cận nghèo thành thị 2.000.000 đồng và ≤ chuẩn hộ có mức sống trung bình thành thị 3.000.000 đồng',
        'Thiếu hụt 3/12 chỉ số: Việc làm, Dinh dưỡng, Nhà tiêu hợp vệ sinh — không xét vì thu nhập trên chuẩn nghèo',
      ],
    ],
    [
      household('rural', 2_250_001, []),
      [
        'Thu nhập bình quân 2.250.001 đồng/người/tháng > chuẩn hộ có mức sống trung bình nông thôn 2.250.000 đồng',
        'Không thiếu hụt chỉ số nào (0/12) — không xét vì thu nhập trên chuẩn nghèo',
      ],
    ],
  ])('gives Vietnamese reasons for %j', (input, reasons) => {
    expect(classifyHousehold(rules2022, input).reasons).toEqual(reasons);
  });

  it('counts a code listed twice once', () => {
    const result = classifyHousehold(
      rules2022,
      household('rural', 1_000_000, ['employment', 'employment', 'nutrition']),
    );
    expect(result.class).toBe('near_poor');
    expect(result.explanation.deprivationCount).toBe(2);
  });

  it('rejects a deprivation code the period does not have, naming it', () => {
    const classify = () => classifyHousehold(rules2022, household('rural', 1_000_000, ['employment', 'digital_use']));
    expect(classify).toThrow(PovertyRulesError);
    expect(classify).toThrow(
      expect.objectContaining({
        code: PovertyRulesErrorCode.InvalidHousehold,
        issues: [expect.stringMatching(/^deprivations\[1\]: unknown indicator "digital_use" for period 2022-2025/)],
      }),
    );
  });

  it.each([-1, 1.5, Number.NaN])('rejects income %d', (income) => {
    expect(() => classifyHousehold(rules2022, household('rural', income, []))).toThrow(
      expect.objectContaining({ issues: [expect.stringMatching(/^incomePerCapitaMonthly: expected/)] }),
    );
  });
});

describe('the same household under the standard of its lists year', () => {
  // Rural, 2,000,000 đồng/person/month, 3 deprivations: above the 2022–2025 line (lists of 2026),
  // at or below the 2026–2030 line (lists of 2027, Decree 351/2025).
  const golden = household('rural', 2_000_000, ['employment', 'health_insurance', 'latrine']);

  it('is not poor for the lists of 2026 (2022–2025 standard, line 1,500,000)', () => {
    const result = classifyHousehold(rules2022, golden);
    expect(result.class).toBe('average');
    expect(result.reasons[0]).toBe(
      'Thu nhập bình quân 2.000.000 đồng/người/tháng > chuẩn cận nghèo nông thôn 1.500.000 đồng và ≤ chuẩn hộ có mức sống trung bình nông thôn 2.250.000 đồng',
    );
  });

  it('is poor for the lists of 2027 (2026–2030 standard, line 2,200,000)', () => {
    const result = classifyHousehold(rules2026, golden);
    expect(result.class).toBe('poor');
    expect(result.reasons).toEqual([
      'Thu nhập bình quân 2.000.000 đồng/người/tháng ≤ chuẩn nghèo nông thôn 2.200.000 đồng',
      'Thiếu hụt 3/12 chỉ số (≥ 3): Việc làm, Bảo hiểm y tế, Nhà tiêu hợp vệ sinh',
    ]);
    expect(result.explanation).toMatchObject({ period: '2026-2030', incomeLine: 2_200_000, indicatorCount: 12 });
  });
});

describe('classifyHousehold, 2026–2030 (Decree 351/2025, uncertain)', () => {
  it.each<[Area, number, string[], HouseholdClass]>([
    ['rural', 2_200_000, ['employment', 'digital_use', 'waste_treatment'], 'poor'],
    ['rural', 2_200_000, ['digital_use', 'waste_treatment'], 'near_poor'],
    ['rural', 2_200_001, [], 'not_poor'],
    ['urban', 2_800_000, THREE, 'poor'],
    ['urban', 2_800_001, THREE, 'not_poor'],
  ])(
    '%s, income %d, deprived in %j → %s (no average band: its line is unknown)',
    (area, income, deprivations, expected) => {
      expect(classifyHousehold(rules2026, household(area, income, deprivations)).class).toBe(expected);
    },
  );

  it('says the period has no average line', () => {
    expect(classifyHousehold(rules2026, household('urban', 2_800_001, [])).reasons[0]).toBe(
      'Thu nhập bình quân 2.800.001 đồng/người/tháng > chuẩn cận nghèo thành thị 2.800.000 đồng; kỳ 2026-2030 chưa có chuẩn hộ có mức sống trung bình',
    );
  });

  it.each(['information_access', 'telecom'])('rejects the 2022–2025 indicator %s, replaced by digital_use', (code) => {
    expect(() => classifyHousehold(rules2026, household('rural', 0, [code]))).toThrow(
      new RegExp(`unknown indicator "${code}" for period 2026-2030`),
    );
  });
});

describe('rules the 2022–2025 standard does not use', () => {
  /** 2022–2025 with other rural lines: the rule language, not any period's values. */
  const withRural = (lines: Partial<RuleSet['areas']['rural']>): RuleSet =>
    parseRuleSet(
      { ...rules2022, areas: { ...rules2022.areas, rural: { ...rules2022.areas.rural, ...lines } } },
      'test',
    );

  it('a two-tier rule: poor under a lower line whatever the deprivations, then by deprivations up to the poverty line', () => {
    // The shape of the 2016–2020 standard (Decision 59/2015/QĐ-TTg), with made-up lines.
    const twoTier = withRural({
      incomeOnlyPovertyLine: 700_000,
      povertyLine: 1_000_000,
      nearPoorLine: 1_300_000,
      averageLine: null,
    });
    const cls = (income: number, deprivations: string[]) =>
      classifyHousehold(twoTier, household('rural', income, deprivations));
    expect(cls(700_000, []).class).toBe('poor');
    expect(cls(700_001, TWO).class).toBe('near_poor');
    expect(cls(1_000_000, THREE).class).toBe('poor');
    expect(cls(1_000_001, THREE).class).toBe('near_poor');
    expect(cls(1_300_001, THREE).class).toBe('not_poor');
    expect(cls(700_000, []).reasons).toEqual([
      'Thu nhập bình quân 700.000 đồng/người/tháng ≤ mức thu nhập xác định hộ nghèo không xét thiếu hụt nông thôn 700.000 đồng',
      'Không thiếu hụt chỉ số nào (0/12) — không xét vì thu nhập dưới mức này',
    ]);
    expect(cls(700_000, []).explanation.incomeOnlyPovertyLine).toBe(700_000);
  });

  it('a near-poor line above the poverty line with a near-poor deprivation threshold of its own', () => {
    const rules = withRural({ nearPoorLine: 1_800_000, nearPoorDeprivationThreshold: 1 });
    const cls = (income: number, deprivations: string[]) =>
      classifyHousehold(rules, household('rural', income, deprivations));
    expect(cls(1_500_000, THREE).class).toBe('poor');
    expect(cls(1_500_000, ['employment']).class).toBe('near_poor');
    expect(cls(1_500_000, []).class).toBe('average');
    expect(cls(1_800_000, THREE).class).toBe('near_poor');
    expect(cls(1_800_000, []).class).toBe('average');
    expect(cls(1_800_001, THREE).class).toBe('average');
    expect(cls(1_500_000, []).reasons[1]).toBe('Không thiếu hụt chỉ số nào (0/12, < 3); < 1, ngưỡng hộ cận nghèo');
    expect(cls(1_800_000, ['employment']).reasons).toEqual([
      'Thu nhập bình quân 1.800.000 đồng/người/tháng > chuẩn nghèo nông thôn 1.500.000 đồng và ≤ chuẩn cận nghèo nông thôn 1.800.000 đồng',
      'Thiếu hụt 1/12 chỉ số: Việc làm (≥ 1, ngưỡng hộ cận nghèo)',
    ]);
    expect(cls(1_800_001, []).reasons[1]).toBe(
      'Không thiếu hụt chỉ số nào (0/12) — không xét vì thu nhập trên chuẩn cận nghèo',
    );
    expect(cls(1_800_000, ['employment']).explanation).toMatchObject({ nearPoorLine: 1_800_000, nearPoorThreshold: 1 });
  });
});

describe('low-income workers (Decree 30/2025/NĐ-CP)', () => {
  it('counts the workers at or below the line beside the class, which they do not change', () => {
    const result = classifyHousehold(rules2022, { ...household('rural', 1_200_000, TWO), lowIncomeWorkers: 2 });
    expect(result.class).toBe('near_poor');
    expect(result.explanation.lowIncomeWorkers).toEqual({ count: 2, incomeLine: 3_000_000 });
    expect(result.reasons[2]).toBe('2 người lao động có thu nhập thấp (≤ 3.000.000 đồng/tháng)');
    expect(
      classifyHousehold(rules2022, { ...household('rural', 1_200_000, TWO), lowIncomeWorkers: 0 }).reasons[2],
    ).toBe('Không có người lao động có thu nhập thấp (≤ 3.000.000 đồng/tháng)');
  });

  it('leaves them out when not counted, and refuses a count where the period has no line', () => {
    expect(classifyHousehold(rules2022, household('rural', 1_200_000, TWO)).reasons).toHaveLength(2);
    const without = parseRuleSet({ ...rules2022, lowIncomeWorkers: null }, 'test');
    expect(() => classifyHousehold(without, { ...household('rural', 0, []), lowIncomeWorkers: 1 })).toThrow(
      expect.objectContaining({
        code: PovertyRulesErrorCode.InvalidHousehold,
        issues: ['lowIncomeWorkers: period 2022-2025 has no low-income worker line: leave the count out'],
      }),
    );
  });
});

describe('classifyHousehold with a province’s own lines (Bắc Ninh, lists of 2025)', () => {
  const bacNinh = applyProvinceLines(
    rules2022,
    parseProvinceLines(readYaml('provinces/24/2022-2025.yaml'), 'provinces/24/2022-2025.yaml'),
  );

  it('uses the raised lines and names the province', () => {
    const result = classifyHousehold(bacNinh, household('rural', 1_750_000, THREE));
    expect(result.class).toBe('poor');
    expect(result.reasons[0]).toBe(
      'Thu nhập bình quân 1.750.000 đồng/người/tháng ≤ chuẩn nghèo nông thôn của tỉnh Bắc Ninh 1.750.000 đồng',
    );
    expect(result.explanation).toMatchObject({ province: '24', incomeLine: 1_750_000, averageLine: 2_250_000 });
    // The national rule set still classifies the same household as the national reports count it.
    expect(classifyHousehold(rules2022, household('rural', 1_750_000, THREE)).class).toBe('average');
  });

  it.each<[Area, number, HouseholdClass]>([
    ['rural', 1_750_001, 'average'],
    ['urban', 2_250_000, 'near_poor'],
    ['urban', 2_250_001, 'average'],
  ])('%s, income %d → %s', (area, income, expected) => {
    expect(classifyHousehold(bacNinh, household(area, income, [])).class).toBe(expected);
  });
});
