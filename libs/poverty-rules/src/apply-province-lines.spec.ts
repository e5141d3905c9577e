import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyProvinceLines } from './apply-province-lines';
import { PovertyRulesErrorCode } from './poverty-rules-error';
import { parseProvinceLines, type ProvinceLines } from './province-lines.schema';
import { parseRuleSet } from './rule-set.schema';

const RULES_DIR = join(__dirname, '../../../config/poverty-rules');
const readYaml = (file: string): unknown => parse(readFileSync(join(RULES_DIR, file), 'utf8'));
const rules = parseRuleSet(readYaml('2022-2025.yaml'), '2022-2025.yaml');
const bacNinh = parseProvinceLines(readYaml('provinces/24/2022-2025.yaml'), 'bac-ninh.yaml');

const issuesOf = (lines: ProvinceLines) => {
  try {
    applyProvinceLines(rules, lines, 'p.yaml');
  } catch (error) {
    expect(error).toMatchObject({ code: PovertyRulesErrorCode.InvalidProvinceLines });
    return (error as { issues: string[] }).issues;
  }
  throw new Error('expected the province lines to be rejected');
};

describe('province lines', () => {
  it('replaces only the lines the province sets, from its date, and records the province', () => {
    const merged = applyProvinceLines(rules, bacNinh);
    expect(merged.areas).toEqual({
      rural: { povertyLine: 1_750_000, nearPoorLine: 1_750_000, averageLine: 2_250_000, deprivationThreshold: 3 },
      urban: { povertyLine: 2_250_000, nearPoorLine: 2_250_000, averageLine: 3_000_000, deprivationThreshold: 3 },
    });
    // Bound to its years (the lists of 2025), not to the whole national period.
    expect([merged.effectiveFrom, merged.effectiveTo]).toEqual(['2025-01-01', '2025-12-31']);
    expect(merged.province).toMatchObject({ code: '24', name: 'tỉnh Bắc Ninh' });
    expect(merged.indicators).toEqual(rules.indicators);
  });

  it('rejects a line below the national one, another period, a date outside it, and lines out of order', () => {
    expect(
      issuesOf({
        ...bacNinh,
        period: '2026-2030',
        effectiveFrom: '2021-06-01',
        areas: { rural: { povertyLine: 1_400_000 }, urban: { nearPoorLine: 3_100_000 } },
      }),
    ).toEqual([
      "p.yaml: period: 2026-2030 is not the rule set's period 2022-2025",
      'p.yaml: effectiveFrom: 2021-06-01 is outside the period 2022-01-01 – 2026-12-31',
      'p.yaml: areas.rural.povertyLine: 1400000 is below the national line 1500000',
      'p.yaml: areas.urban.averageLine: 3000000 must be above nearPoorLine 3100000',
    ]);
  });

  it('keeps an open end within the national period, and refuses an end after it', () => {
    expect(applyProvinceLines(rules, { ...bacNinh, effectiveTo: null }).effectiveTo).toBe('2026-12-31');
    expect(issuesOf({ ...bacNinh, effectiveTo: '2027-12-31' })).toEqual([
      'p.yaml: effectiveTo: 2027-12-31 is after the end of the period 2026-12-31',
    ]);
    expect(() => parseProvinceLines({ ...bacNinh, effectiveTo: '2024-12-31' }, 'p.yaml')).toThrow(
      expect.objectContaining({ issues: ['p.yaml: effectiveTo: 2024-12-31 is before effectiveFrom 2025-01-01'] }),
    );
  });

  it('names the path of schema errors in a province file', () => {
    expect(() =>
      parseProvinceLines(
        { ...bacNinh, areas: { rural: {}, urban: { povertyLine: 'x', deprivationThreshold: 2 } } },
        'p.yaml',
      ),
    ).toThrow(
      expect.objectContaining({
        code: PovertyRulesErrorCode.InvalidProvinceLines,
        issues: [
          'p.yaml: areas.rural: must set at least one line (or leave the area out)',
          'p.yaml: areas.urban.povertyLine: expected a whole number of đồng',
          'p.yaml: areas.urban.deprivationThreshold: unknown key',
        ],
      }),
    );
  });
});
