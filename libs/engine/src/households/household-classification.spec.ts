import { loadRuleSetCatalog, POVERTY_RULES_DIR } from '../standards';
import { classifyAnswers, ruleSetName, sameAnswers } from './household-classification';

const catalog = loadRuleSetCatalog(POVERTY_RULES_DIR);
const national = catalog.ruleSet('2022-2025')!;
const THREE = ['health_insurance', 'latrine', 'telecom'];
/** The national 2022–2025 rules only: a province without lines of its own. */
const nationalOnly = { national, provincial: undefined };

describe('classification of survey answers', () => {
  it('uses the national lines for a province without its own', () => {
    expect(national.province).toBeUndefined();
    expect(ruleSetName(national)).toBe('2022-2025');
    expect(national.areas.rural.povertyLine).toBe(1_500_000);
  });

  it('puts an income exactly on the rural line below it, and one đồng above over it', () => {
    const on = classifyAnswers(nationalOnly, 'H1', {
      area: 'rural',
      incomePerCapitaMonthly: 1_500_000,
      deprivations: THREE,
    });
    const above = classifyAnswers(nationalOnly, 'H2', {
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
      const r = classifyAnswers(nationalOnly, 'H', { area, incomePerCapitaMonthly: income, deprivations });
      return r.ok ? r.result.classification : r.issues;
    };
    expect(cls('rural', 1_200_000, ['telecom'])).toBe('near_poor');
    expect(cls('rural', 1_200_000, [])).toBe('near_poor');
    expect(cls('rural', 2_250_001, THREE)).toBe('not_poor');
    expect(cls('urban', 2_000_000, THREE)).toBe('poor');
    expect(cls('urban', 2_500_000, THREE)).toBe('average');
  });

  it('keeps each deprivation once, in the order given', () => {
    const r = classifyAnswers(nationalOnly, 'H', {
      area: 'rural',
      incomePerCapitaMonthly: 1,
      deprivations: ['telecom', 'latrine', 'telecom'],
    });
    expect(r.ok && r.result.deprivations).toEqual(['telecom', 'latrine']);
    expect(r.ok && r.result.explanation.explanation.deprivationCount).toBe(2);
  });

  it('names each unknown indicator and a bad income by field, with a prefix inside a larger body', () => {
    const r = classifyAnswers(
      nationalOnly,
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

describe('national and provincial classifications side by side', () => {
  it("classifies by the province's own lines beside the national ones, each named by its rule set", () => {
    const bacNinh = catalog.provincialRuleSet('2022-2025', '24', 2025)!;
    expect(ruleSetName(bacNinh)).toBe('2022-2025+24');
    const r = classifyAnswers({ national, provincial: bacNinh }, 'H', {
      area: 'rural',
      incomePerCapitaMonthly: 1_600_000,
      deprivations: THREE,
    });
    if (!r.ok) throw new Error('expected a classification');
    expect(r.result).toMatchObject({ classification: 'average', ruleSet: '2022-2025' });
    expect(r.result.provincial).toMatchObject({ classification: 'poor', ruleSet: '2022-2025+24' });
    expect(r.result.provincial?.explanation.explanation.incomeLine).toBe(1_750_000);
    expect(r.result.explanation.explanation.incomeLine).toBe(1_500_000);
  });

  it('names a count of low-income workers that is negative, or refused by a period without the line', () => {
    const withoutLine = { ...national, lowIncomeWorkers: null };
    const answers = { area: 'rural' as const, incomePerCapitaMonthly: 1, deprivations: [] };
    const negative = classifyAnswers(nationalOnly, 'H', { ...answers, lowIncomeWorkers: -1 }, 'survey.');
    expect(!negative.ok && negative.issues.map((i) => i.field)).toEqual(['survey.lowIncomeWorkers']);
    const refused = classifyAnswers({ national: withoutLine, provincial: undefined }, 'H', {
      ...answers,
      lowIncomeWorkers: 1,
    });
    expect(!refused.ok && refused.issues[0].message).toContain(
      'không có mức thu nhập xác định người lao động có thu nhập thấp',
    );
    // Not counted: nothing to refuse.
    expect(classifyAnswers({ national: withoutLine, provincial: undefined }, 'H', answers).ok).toBe(true);
  });

  it('compares the count of low-income workers with the stored one', () => {
    const answers = { area: 'rural' as const, incomePerCapitaMonthly: 1, deprivations: [], lowIncomeWorkers: 1 };
    expect(
      sameAnswers(answers, { area: 'rural', incomePerCapitaMonthly: 1, deprivations: [], lowIncomeWorkers: 1 }),
    ).toBe(true);
    expect(
      sameAnswers(answers, { area: 'rural', incomePerCapitaMonthly: 1, deprivations: [], lowIncomeWorkers: null }),
    ).toBe(false);
    expect(
      sameAnswers(
        { ...answers, lowIncomeWorkers: null },
        { area: 'rural', incomePerCapitaMonthly: 1, deprivations: [] },
      ),
    ).toBe(true);
  });
});
