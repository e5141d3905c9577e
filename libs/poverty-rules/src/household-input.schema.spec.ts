import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseHouseholdInput } from './household-input.schema';
import { parseRuleSet } from './rule-set.schema';

const rules = parseRuleSet(
  parse(readFileSync(join(__dirname, '../../../config/poverty-rules/2022-2025.yaml'), 'utf8')),
  '2022-2025.yaml',
);
const valid = { id: 'H1', area: 'urban', incomePerCapitaMonthly: 0, deprivations: ['telecom'] };

describe('parseHouseholdInput', () => {
  it('returns the household, dropping unknown keys and duplicate codes', () => {
    expect(
      parseHouseholdInput({ ...valid, village: 'Thôn 3', deprivations: ['telecom', 'latrine', 'telecom'] }, rules),
    ).toEqual({
      ok: true,
      household: { id: 'H1', area: 'urban', incomePerCapitaMonthly: 0, deprivations: ['telecom', 'latrine'] },
    });
  });

  it('takes the count of low-income workers when given, and leaves it out otherwise', () => {
    expect(parseHouseholdInput({ ...valid, lowIncomeWorkers: 2 }, rules)).toEqual({
      ok: true,
      household: { ...valid, lowIncomeWorkers: 2 },
    });
    const parsed = parseHouseholdInput(valid, rules);
    expect(parsed.ok && Object.keys(parsed.household)).toEqual([
      'id',
      'area',
      'incomePerCapitaMonthly',
      'deprivations',
    ]);
  });

  it.each<[string, unknown, string[]]>([
    [
      'a negative count of low-income workers',
      { ...valid, lowIncomeWorkers: -1 },
      ['lowIncomeWorkers: expected a non-negative integer, got -1'],
    ],
    [
      'a count of low-income workers as text',
      { ...valid, lowIncomeWorkers: '2' },
      ['lowIncomeWorkers: expected an integer'],
    ],
    [
      'a decimal income',
      { ...valid, incomePerCapitaMonthly: 1_500_000.5 },
      ['incomePerCapitaMonthly: expected an integer'],
    ],
    [
      'an income as text',
      { ...valid, incomePerCapitaMonthly: '1500000' },
      ['incomePerCapitaMonthly: expected an integer'],
    ],
    [
      'a negative income',
      { ...valid, incomePerCapitaMonthly: -1 },
      ['incomePerCapitaMonthly: expected a non-negative integer, got -1'],
    ],
    ['an unknown area', { ...valid, area: 'mountain' }, ['area: expected "rural" or "urban"']],
    ['an empty id', { ...valid, id: '' }, ['id: must not be empty']],
    ['a numeric id', { ...valid, id: 7 }, ['id: expected a string']],
    [
      'deprivations that are not a list',
      { ...valid, deprivations: 'telecom' },
      ['deprivations: expected an array of indicator codes'],
    ],
    [
      'an unknown code',
      { ...valid, deprivations: ['telecom', 'internet'] },
      [
        expect.stringMatching(
          /^deprivations\[1\]: unknown indicator "internet" for period 2022-2025 \(known: employment, .*information_access\)$/,
        ),
      ] as unknown as string[],
    ],
    ['a code that is not a string', { ...valid, deprivations: [3] }, ['deprivations[0]: expected an indicator code']],
    [
      'every field missing',
      {},
      ['id: required', 'area: required', 'incomePerCapitaMonthly: required', 'deprivations: required'],
    ],
    ['an array', [valid], ['expected a JSON object']],
    ['null', null, ['expected a JSON object']],
  ])('reports %s with its path', (_name, value, errors) => {
    expect(parseHouseholdInput(value, rules)).toEqual({ ok: false, errors });
  });
});
