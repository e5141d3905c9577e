import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import {
  CampaignsService,
  HouseholdListService,
  POVERTY_RULES_DIR,
  PovertyStandards,
  type AddHouseholdBody,
} from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

const NATIONAL: Actor = { sub: 'admin@VN', role: 'national_admin', unit: 'VN' };
const BOARD: Actor = { sub: 'board@T2C1V1', role: 'village_board', unit: 'T2C1V1' };

/** The golden household: rural, 2,000,000 đồng/person/month, deprived in 3 indicators both periods have. */
const golden = (code: string): AddHouseholdBody => ({
  code,
  headName: `Chủ hộ ${code}`,
  memberCount: 4,
  area: 'rural',
  source: 'newly_arising',
  incomePerCapitaMonthly: 2_000_000,
  deprivations: ['employment', 'health_insurance', 'latrine'],
});

/**
 * The poverty standard through the engine on a real database: a campaign records the rule set in
 * force for the year its lists apply and why; its households are classified by it, with the
 * province's own lines beside the national ones for the years those lines cover; campaigns
 * started before the standard was recorded get it at start-up.
 */
describe('the poverty standard of a campaign', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let rulesDir: string;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const caseOf = async (campaignId: string) =>
    (
      await sql<{ id: string }>(`select id from review_case where campaign_id = ? and village_code = 'T2C1V1'`, [
        campaignId,
      ])
    )[0].id;
  const start = (year: number) =>
    engine.get(CampaignsService).start(
      {
        provinceCode: 'T2',
        year,
        definitionKey: 'periodic-review@2',
        windowStart: `${year}-09-01`,
        windowEnd: `${year}-12-14`,
      },
      NATIONAL,
    );

  beforeAll(async () => {
    engine = await startTestEngine({ worker: false });
    // The shipped rule files, plus lines of test province T2 for the lists of 2026 only.
    rulesDir = mkdtempSync(join(tmpdir(), 'rasoat-standard-'));
    for (const file of ['2022-2025.yaml', '2026-2030.yaml', 'lists-year.yaml'])
      copyFileSync(join(POVERTY_RULES_DIR, file), join(rulesDir, file));
    mkdirSync(join(rulesDir, 'provinces', 'T2'), { recursive: true });
    writeFileSync(
      join(rulesDir, 'provinces', 'T2', '2026.yaml'),
      [
        'province: T2',
        'name: Tỉnh Thử Hai',
        'period: 2022-2025',
        'source: Nghị quyết thử',
        'effectiveFrom: 2026-01-01',
        'effectiveTo: 2026-12-31',
        'uncertainties: []',
        'areas: { rural: { povertyLine: 2000000, nearPoorLine: 2000000 } }',
      ].join('\n'),
    );
    engine.get(PovertyStandards).useDirectory(rulesDir);
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  it('an autumn-2026 review uses Decree 351/2025 (lists of 2027): the golden household is poor', async () => {
    const { campaign } = await start(2026);
    expect(campaign).toMatchObject({ year: 2026, listsYear: 2027, ruleSetPeriod: '2026-2030' });
    expect(campaign.ruleSetReason?.vi).toMatch(
      /^Rà soát định kỳ năm 2026: danh sách áp dụng năm 2027 → chuẩn nghèo 2026–2030, Nghị định 351\/2025\/NĐ-CP/,
    );
    const { household } = await engine.get(HouseholdListService).add(await caseOf(campaign.id), BOARD, golden('G1'));
    expect(household).toMatchObject({
      classification: 'poor',
      ruleSet: '2026-2030',
      provincial: null,
      lowIncomeWorkers: null,
    });
  });

  it('an autumn-2025 review uses the 2022–2025 standard (lists of 2026): the golden household is not poor nationally, poor by the province’s own lines of 2026 beside it', async () => {
    const { campaign } = await start(2025);
    expect(campaign).toMatchObject({ listsYear: 2026, ruleSetPeriod: '2022-2025' });
    expect(campaign.ruleSetReason?.vi).toContain('chuẩn riêng của Tỉnh Thử Hai (2026-01-01 – 2026-12-31)');
    const { household } = await engine.get(HouseholdListService).add(await caseOf(campaign.id), BOARD, golden('G1'));
    expect(household).toMatchObject({
      classification: 'average',
      ruleSet: '2022-2025',
      provincial: { classification: 'poor', ruleSet: '2022-2025+T2' },
    });
    const [stored] = await sql<{ classification: string; provincial_classification: string }>(
      `select classification, provincial_classification from household where case_id = ?`,
      [await caseOf(campaign.id)],
    );
    // National reports count the national class.
    expect(stored).toEqual({ classification: 'average', provincial_classification: 'poor' });
  });

  it('a campaign started before the standard was recorded cannot classify until start-up records it', async () => {
    const { campaign } = await start(2027);
    expect(campaign).toMatchObject({ listsYear: 2028, ruleSetPeriod: '2026-2030' });
    await sql(`update campaign set lists_year = null, rule_set_period = null, rule_set_reason = null where id = ?`, [
      campaign.id,
    ]);
    const caseId = await caseOf(campaign.id);
    await expect(engine.get(HouseholdListService).add(caseId, BOARD, golden('G1'))).rejects.toMatchObject({
      code: 'RULE_SET_UNAVAILABLE',
    });
    expect(await sql(`select count(*)::int as n from household where case_id = ?`, [caseId])).toEqual([{ n: 0 }]);

    expect(await engine.get(CampaignsService).recordMissingStandards()).toEqual({ recorded: 1, failed: 0 });
    expect(await engine.get(CampaignsService).get(campaign.id, NATIONAL)).toMatchObject({
      listsYear: 2028,
      ruleSetPeriod: '2026-2030',
    });
    expect((await engine.get(HouseholdListService).add(caseId, BOARD, golden('G1'))).household).toMatchObject({
      classification: 'poor',
      ruleSet: '2026-2030',
    });
  });
});
