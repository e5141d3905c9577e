import type { Actor } from '@rasoat/contracts';
import { loadCatalog } from '@rasoat/definition-catalog';
import type { AdminUnit, Campaign } from '@rasoat/persistence';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import type { UnitsService } from '../units';
import type { CampaignsService } from './campaigns.service';
import { CampaignNotFoundException } from './campaigns.exception';
import type { NationCampaignRow, ProgressRepository } from './progress.repository';
import { ProgressService } from './progress.service';

const NOW = new Date('2026-09-11T02:00:00Z'); // 09:00 on 11 Sep in Hà Nội
const KEY = 'periodic-review@1';
const compiled = loadCatalog().get(KEY)!.compiled;

const unit = (code: string, level: AdminUnit['level'], path: string): AdminUnit => ({
  code,
  name: `Đơn vị ${code}`,
  level,
  path,
  provinceCode: 'P9',
  parentCode: null,
});
const PROVINCE = unit('P9', 'province', '/P9/');
const COMMUNES = [unit('P9C1', 'commune', '/P9/P9C1/'), unit('P9C2', 'commune', '/P9/P9C2/')];
const viewer: Actor = { sub: 'p', role: 'province_committee', unit: 'P9' };
const national: Actor = { sub: 'n', role: 'national_admin', unit: 'VN' };
const campaign = { id: 'campaign-p9', year: 2026, provinceCode: 'P9', definitionKey: KEY } as Campaign;

function setup() {
  const progress = {
    stepCounts: jest.fn().mockResolvedValue([]),
    stageCounts: jest.fn().mockResolvedValue([]),
    openDeadlines: jest.fn().mockResolvedValue([]),
    stageHistory: jest.fn().mockResolvedValue([]),
    villageCases: jest.fn().mockResolvedValue([]),
    latestProcess: jest.fn<Promise<string | undefined>, []>().mockResolvedValue(undefined),
    nationCampaigns: jest.fn<Promise<NationCampaignRow[]>, [string, number | undefined]>().mockResolvedValue([]),
    nationCounters: jest.fn().mockResolvedValue({ steps: [], stages: [], open: [], history: [] }),
    copyStageCountersForDay: jest.fn(),
  } satisfies Record<keyof ProgressRepository, jest.Mock>;
  const units = {
    getWithChildren: jest.fn(async (code: string) =>
      code === 'P9' ? { unit: PROVINCE, children: COMMUNES } : { unit: COMMUNES[0], children: [] },
    ),
  };
  const campaigns = { get: jest.fn().mockResolvedValue(campaign) };
  const registry = { get: jest.fn().mockResolvedValue(compiled) };
  const service = new ProgressService(
    progress as unknown as ProgressRepository,
    units as unknown as UnitsService,
    campaigns as unknown as CampaignsService,
    registry as unknown as DefinitionRegistry,
    new ManualClock(NOW),
  );
  return { service, progress };
}

describe('ProgressService', () => {
  it('sums a province’s counters per commune and in total, from the counters only', async () => {
    const { service, progress } = setup();
    progress.stepCounts.mockResolvedValue([
      { path: '/P9/P9C1/', step: 'listing', n: 4 },
      { path: '/P9/P9C1/', step: 'survey', n: 6 },
      { path: '/P9/P9C2/', step: 'listing', n: 10 },
    ]);
    progress.stageCounts.mockResolvedValue([
      { path: '/P9/P9C1/', stage: 1, n: 10 },
      { path: '/P9/P9C1/', stage: 2, n: 6 },
      { path: '/P9/P9C2/', stage: 1, n: 10 },
    ]);
    progress.openDeadlines.mockResolvedValue([
      { path: '/P9/P9C1/', overdue: 4, soon: null },
      { path: '/P9/P9C2/', overdue: null, soon: 10 },
    ]);
    progress.stageHistory.mockResolvedValue([
      { day: '2026-09-10', stage: 2, n: 3 },
      { day: '2026-09-11', stage: 2, n: 6 },
    ]);

    const p = await service.forUnit('P9', 'campaign-p9', viewer);

    for (const read of [progress.stepCounts, progress.stageCounts, progress.stageHistory])
      expect(read).toHaveBeenCalledWith('campaign-p9', '/P9/');
    // Overdue: due before today; soon: from today to a week later (civil dates in Hà Nội).
    expect(progress.openDeadlines).toHaveBeenCalledWith('campaign-p9', '/P9/', '2026-09-11', '2026-09-18');
    expect(progress.villageCases).not.toHaveBeenCalled();
    expect(p.totals).toEqual({
      code: 'P9',
      name: 'Đơn vị P9',
      level: 'province',
      cases: 20,
      byStep: { listing: 14, survey: 6 },
      finishedStage: { 1: 6 },
      overdue: 4,
      dueWithin7Days: 10,
    });
    expect(p.children).toEqual([
      {
        code: 'P9C1',
        name: 'Đơn vị P9C1',
        level: 'commune',
        cases: 10,
        byStep: { listing: 4, survey: 6 },
        finishedStage: { 1: 6 },
        overdue: 4,
        dueWithin7Days: 0,
      },
      {
        code: 'P9C2',
        name: 'Đơn vị P9C2',
        level: 'commune',
        cases: 10,
        byStep: { listing: 10 },
        finishedStage: {},
        overdue: 0,
        dueWithin7Days: 10,
      },
    ]);
    expect(p.history).toEqual([
      { day: '2026-09-10', finishedStage: { 1: 3 } },
      { day: '2026-09-11', finishedStage: { 1: 6 } },
    ]);
    expect(p).toMatchObject({ asOf: '2026-09-11', campaign: { id: 'campaign-p9', year: 2026, definitionKey: KEY } });
    expect(p.steps[0]).toEqual({ id: 'listing', label: 'Bước 1: Lập danh sách hộ cần rà soát', stage: 1 });
  });

  it('lists a commune’s villages with their case and step', async () => {
    const { service, progress } = setup();
    progress.villageCases.mockResolvedValue([{ code: 'P9C1V1', name: 'Thôn 1', step: 'survey', id: 'case-1' }]);
    const p = await service.forUnit('P9C1', 'campaign-p9', viewer);
    expect(progress.villageCases).toHaveBeenCalledWith('campaign-p9', 'P9C1');
    expect(p.children).toEqual([
      { code: 'P9C1V1', name: 'Thôn 1', level: 'village', caseId: 'case-1', step: 'survey' },
    ]);
  });

  describe('the nation', () => {
    const rows: NationCampaignRow[] = [
      { id: 'k-p9', province_code: 'P9', province_name: 'Tỉnh P9', definition_key: KEY, year: 2026 },
      { id: 'k-q8', province_code: 'Q8', province_name: 'Tỉnh Q8', definition_key: KEY, year: 2026 },
    ];

    it('sums every province’s campaign of the process and year, a row per province', async () => {
      const { service, progress } = setup();
      progress.nationCampaigns.mockResolvedValue(rows);
      progress.nationCounters.mockResolvedValue({
        steps: [
          { province: 'P9', step: 'listing', n: 50 },
          { province: 'Q8', step: 'listing', n: 2 },
        ],
        stages: [{ province: 'P9', stage: 2, n: 7 }],
        open: [{ province: 'Q8', overdue: 2, soon: null }],
        history: [{ day: '2026-09-11', stage: 2, n: 7 }],
      });

      const all = await service.forNation('periodic-review', 2026, national);

      expect(progress.nationCampaigns).toHaveBeenCalledWith('periodic-review', 2026);
      expect(progress.nationCounters).toHaveBeenCalledWith(['k-p9', 'k-q8'], '2026-09-11', '2026-09-18');
      expect(all.totals).toMatchObject({
        code: 'VN',
        cases: 52,
        byStep: { listing: 52 },
        finishedStage: { 1: 7 },
        overdue: 2,
      });
      expect(all.children.map((c) => [c.code, c.campaignId, c.cases, c.overdue])).toEqual([
        ['P9', 'k-p9', 50, 0],
        ['Q8', 'k-q8', 2, 2],
      ]);
      expect(all).toMatchObject({
        process: 'periodic-review',
        year: 2026,
        history: [{ day: '2026-09-11', finishedStage: { 1: 7 } }],
      });
    });

    it('takes the latest campaign’s process when none is named; 404 when there is no campaign', async () => {
      const { service, progress } = setup();
      await expect(service.forNation(undefined, undefined, national)).rejects.toBeInstanceOf(CampaignNotFoundException);
      progress.latestProcess.mockResolvedValue('periodic-review');
      progress.nationCampaigns.mockResolvedValue(rows);
      expect((await service.forNation(undefined, undefined, national)).process).toBe('periodic-review');
      expect(progress.nationCampaigns).toHaveBeenLastCalledWith('periodic-review', undefined);
      progress.nationCampaigns.mockResolvedValue([]);
      await expect(service.forNation('no-such-process', 2026, national)).rejects.toMatchObject({
        code: 'CAMPAIGN_NOT_FOUND',
      });
    });

    it('is for national actors only (403), before reading anything', async () => {
      const { service, progress } = setup();
      await expect(service.forNation('periodic-review', 2026, viewer)).rejects.toMatchObject({
        code: 'AUTH_OUT_OF_SCOPE',
      });
      expect(progress.nationCampaigns).not.toHaveBeenCalled();
    });
  });
});
