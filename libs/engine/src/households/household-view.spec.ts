import { parseHouseholdFile, writeHouseholdFile } from '@rasoat/household-records';
import { compareCodes, householdRecord, householdView, type HouseholdRow } from './household-view';

const row: HouseholdRow = {
  id: '00000000-0000-4000-8000-000000000001',
  case_id: '00000000-0000-4000-8000-000000000002',
  code: 'H1',
  head_name: 'Nguyễn Văn An',
  id_number: '001090012345',
  address: 'Thôn Đông',
  member_count: 4,
  area: 'rural',
  source: 'previous_poor',
  note: 'Chủ hộ ốm',
  income_per_capita_monthly: '1500000',
  deprivations: ['telecom', 'latrine', 'health_insurance'],
  surveyed_at: '2026-09-10T03:00:00Z',
  surveyed_by: 'surveyor@T1C1V1',
  classification: 'poor',
  explanation: { reasons: ['…'], explanation: { incomeLine: 1_500_000 } },
  rule_set: '2022-2025',
  provincial_classification: null,
  provincial_explanation: null,
  provincial_rule_set: null,
  low_income_workers: 1,
  agree_votes: 4,
  present_votes: 10,
  voted_at: new Date('2026-10-01T00:00:00+07:00'),
  certificate_number: null,
  created_at: '2026-09-02T03:00:00Z',
  updated_at: '2026-10-01T03:00:00Z',
  complaints_total: 2,
  complaints_open: 1,
};

describe('household views', () => {
  it('shows everything to the village and commune officials, bigint income as a number', () => {
    expect(householdView(row, true)).toMatchObject({
      code: 'H1',
      headName: 'Nguyễn Văn An',
      idNumber: '001090012345',
      address: 'Thôn Đông',
      note: 'Chủ hộ ốm',
      incomePerCapitaMonthly: 1_500_000,
      surveyed: true,
      classification: 'poor',
      votes: { agree: 4, present: 10, share: 0.4, votedAt: '2026-09-30T17:00:00.000Z' },
      complaints: { total: 2, open: 1 },
    });
  });

  it('shows the province’s own classification beside the national one, and the low-income workers', () => {
    expect(householdView(row, true)).toMatchObject({ ruleSet: '2022-2025', provincial: null, lowIncomeWorkers: 1 });
    const provincial = { reasons: ['…'], explanation: { province: '24', incomeLine: 1_750_000 } };
    expect(
      householdView(
        {
          ...row,
          classification: 'average',
          provincial_classification: 'poor',
          provincial_explanation: provincial,
          provincial_rule_set: '2022-2025+24',
        },
        false,
      ),
    ).toMatchObject({
      classification: 'average',
      ruleSet: '2022-2025',
      provincial: { classification: 'poor', explanation: provincial, ruleSet: '2022-2025+24' },
    });
  });

  it('masks the same row for everyone else, keeping the classification and its explanation', () => {
    const masked = householdView(row, false);
    expect(masked).toMatchObject({
      headName: 'N*** V*** A',
      idNumber: '********2345',
      address: null,
      note: null,
      classification: 'poor',
      incomePerCapitaMonthly: 1_500_000,
    });
    expect(masked.explanation).toEqual(row.explanation);
  });

  it('writes a masked file that still reads back (no ID number, address or note)', async () => {
    const file = await writeHouseholdFile([householdRecord(row, false)], 'csv');
    const text = file.toString('utf8');
    expect(text).toContain('N*** V*** A');
    expect(text).not.toContain('Nguyễn');
    expect(text).not.toContain('0010900');
    const back = await parseHouseholdFile({ format: 'csv', content: file });
    expect(back.ok && back.households[0]).toEqual({
      householdCode: 'H1',
      headName: 'N*** V*** A',
      memberCount: 4,
      area: 'rural',
      source: 'previous_poor',
      incomePerCapitaMonthly: 1_500_000,
      deprivations: ['telecom', 'latrine', 'health_insurance'],
    });
  });

  it('round-trips the full record for officials', async () => {
    const back = await parseHouseholdFile({
      format: 'xlsx',
      content: await writeHouseholdFile([householdRecord(row, true)], 'xlsx'),
    });
    expect(back.ok && back.households[0]).toEqual(householdRecord(row, true));
  });

  it('orders codes as people expect', () => {
    expect(['H10', 'h2', 'H1', 'A3'].sort(compareCodes)).toEqual(['A3', 'H1', 'h2', 'H10']);
  });
});
