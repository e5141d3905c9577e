import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuleSetUnavailableException } from './households.exception';
import { classifyAnswers, ruleSetName, sameAnswers } from './household-classification';
import { HouseholdRuleSets, loadCaseRuleSet, POVERTY_RULES_DIR } from './household-rule-sets';

const national = loadCaseRuleSet(POVERTY_RULES_DIR, '2022-2025', 'T1');
const THREE = ['health_insurance', 'latrine', 'telecom'];

describe('classification of survey answers', () => {
  it('uses the national lines for a province without its own', () => {
    expect(national.province).toBeUndefined();
    expect(ruleSetName(national)).toBe('2022-2025');
    expect(national.areas.rural.povertyLine).toBe(1_500_000);
  });

  it('puts an income exactly on the rural line below it, and one đồng above over it', () => {
    const on = classifyAnswers(national, 'H1', {
      area: 'rural',
      incomePerCapitaMonthly: 1_500_000,
      deprivations: THREE,
    });
    const above = classifyAnswers(national, 'H2', {
      area: 'rural',
      incomePerCapitaMonthly: 1_500_001,
      deprivations: THREE,
    });
    if (!on.ok || !above.ok) throw new Error('expected classifications');
    expect(on.result.classification).toBe('poor');
    expect(on.result.explanation.explanation).toMatchObject({
      incomeLine: 1_500_000,
      income: 1_500_000,
      deprivationCount: 3,
      threshold: 3,
      area: 'rural',
      province: null,
    });
    expect(on.result.explanation.reasons[0]).toContain('≤ chuẩn nghèo nông thôn 1.500.000 đồng');
    expect(above.result.classification).toBe('average');
    expect(above.result.explanation.reasons[1]).toContain('không xét vì thu nhập trên chuẩn nghèo');
  });

  it('maps near-poor, not-poor and urban lines', () => {
    const cls = (area: 'rural' | 'urban', income: number, deprivations: string[]) => {
      const r = classifyAnswers(national, 'H', { area, incomePerCapitaMonthly: income, deprivations });
      return r.ok ? r.result.classification : r.issues;
    };
    expect(cls('rural', 1_200_000, ['telecom'])).toBe('near_poor');
    expect(cls('rural', 1_200_000, [])).toBe('near_poor');
    expect(cls('rural', 2_250_001, THREE)).toBe('not_poor');
    expect(cls('urban', 2_000_000, THREE)).toBe('poor');
    expect(cls('urban', 2_500_000, THREE)).toBe('average');
  });

  it('keeps each deprivation once, in the order given', () => {
    const r = classifyAnswers(national, 'H', {
      area: 'rural',
      incomePerCapitaMonthly: 1,
      deprivations: ['telecom', 'latrine', 'telecom'],
    });
    expect(r.ok && r.result.deprivations).toEqual(['telecom', 'latrine']);
    expect(r.ok && r.result.explanation.explanation.deprivationCount).toBe(2);
  });

  it('names each unknown indicator and a bad income by field, with a prefix inside a larger body', () => {
    const r = classifyAnswers(
      national,
      'H',
      { area: 'rural', incomePerCapitaMonthly: -1, deprivations: ['telecom', 'car'] },
      'survey.',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((issue) => issue.field)).toEqual(['survey.deprivations[1]', 'survey.incomePerCapitaMonthly']);
    expect(r.issues[0].message).toContain('unknown indicator "car" for period 2022-2025');
  });

  it('compares answers as sets, and never equal to a household not surveyed', () => {
    const answers = { area: 'rural' as const, incomePerCapitaMonthly: 1_000_000, deprivations: ['telecom', 'latrine'] };
    expect(
      sameAnswers(answers, { area: 'rural', incomePerCapitaMonthly: 1_000_000, deprivations: ['latrine', 'telecom'] }),
    ).toBe(true);
    expect(
      sameAnswers(answers, { area: 'urban', incomePerCapitaMonthly: 1_000_000, deprivations: ['latrine', 'telecom'] }),
    ).toBe(false);
    expect(
      sameAnswers(answers, { area: 'rural', incomePerCapitaMonthly: 1_000_001, deprivations: ['latrine', 'telecom'] }),
    ).toBe(false);
    expect(sameAnswers(answers, { area: 'rural', incomePerCapitaMonthly: null, deprivations: null })).toBe(false);
  });
});

describe('rule sets per case', () => {
  it("applies a province's own lines when it has a file for the period", () => {
    const bacNinh = loadCaseRuleSet(POVERTY_RULES_DIR, '2022-2025', '24');
    expect(ruleSetName(bacNinh)).toBe('2022-2025+24');
    const r = classifyAnswers(bacNinh, 'H', { area: 'rural', incomePerCapitaMonthly: 1_600_000, deprivations: THREE });
    expect(r.ok && r.result.classification).toBe('poor');
    expect(r.ok && r.result.explanation.explanation.incomeLine).toBe(1_750_000);
  });

  it('refuses a definition without a period or a period without rules, naming the known periods', () => {
    const ruleSets = new HouseholdRuleSets();
    expect(() => ruleSets.forCase(undefined, 'T1')).toThrow(RuleSetUnavailableException);
    expect(() => ruleSets.forCase('2016-2020', 'T1')).toThrow(/known|2022-2025/);
  });

  it('reads the files once per process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      mkdirSync(join(dir, 'provinces'));
      writeFileSync(join(dir, '2022-2025.yaml'), readFileSync(join(POVERTY_RULES_DIR, '2022-2025.yaml')));
      const ruleSets = new HouseholdRuleSets();
      ruleSets.useDirectory(dir);
      const first = ruleSets.forCase('2022-2025', 'T1');
      rmSync(join(dir, '2022-2025.yaml'));
      expect(ruleSets.forCase('2022-2025', 'T1')).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
