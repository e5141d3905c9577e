import { SYSTEM_ACTOR, type Actor, type StartCampaignBody } from '@rasoat/contracts';
import { loadCatalog } from '@rasoat/definition-catalog';
import type { AdminUnit, Campaign } from '@rasoat/persistence';
import { AuthException } from '../auth';
import type { ArmedDeadline, DeadlineRecomputeService, DeadlineScheduler, TimersProducer } from '../deadlines';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import { PovertyStandards } from '../standards';
import type { UnitsService } from '../units';
import type { CampaignRepository, CampaignStartStatements, CreatedCaseRow } from './campaign.repository';
import { CampaignConflictException, CampaignNotFoundException } from './campaigns.exception';
import { campaignWindow, CampaignsService } from './campaigns.service';

const NOW = new Date('2026-09-01T02:00:00Z');
const KEY = 'periodic-review@1';
const TWO_LEVEL = 'periodic-review@2';
/** The two-level review with the provincial chairman's opinion and the meeting rule, from 1 July 2025. */
const CORRECTED = 'periodic-review@4';
/** The three-level review with the meeting rule, for campaigns starting on or before 30 June 2025. */
const THREE_LEVEL = 'periodic-review@5';
const BAC_GIANG = 'bac-giang-periodic-review-2021@1';
const catalog = loadCatalog();
const compiledOf = (key: string) => {
  const entry = catalog.get(key);
  if (!entry) throw new Error(`unknown ${key}`);
  return entry.compiled;
};

const unit = (code: string, level: AdminUnit['level'], path: string, provinceCode = path.split('/')[1]): AdminUnit => ({
  code,
  name: `Đơn vị ${code}`,
  level,
  path,
  provinceCode,
  parentCode: null,
});
const UNITS = new Map([
  ['T1', unit('T1', 'province', '/T1/')],
  ['24', unit('24', 'province', '/24/')],
  ['T2', unit('T2', 'province', '/T2/')],
  ['T1C1', unit('T1C1', 'commune', '/T1/T1C1/')],
]);
const provinceAdmin: Actor = { sub: 'admin@T1', role: 'province_admin', unit: 'T1' };
const national: Actor = { sub: 'admin@VN', role: 'national_admin', unit: 'VN' };
const body = (fields: Partial<StartCampaignBody> = {}): StartCampaignBody => ({
  provinceCode: 'T1',
  year: 2026,
  definitionKey: KEY,
  windowStart: '2026-09-01',
  windowEnd: '2026-12-14',
  ...fields,
});

const campaign = (fields: Partial<Campaign> = {}): Campaign => ({
  id: 'campaign-1',
  provinceCode: 'T1',
  year: 2026,
  definitionId: 'periodic-review',
  definitionKey: KEY,
  windowStart: '2026-09-01',
  windowEnd: '2026-12-14',
  status: 'running',
  caseCount: 0,
  createdAt: NOW,
  createdBy: 'admin@T1',
  listsYear: 2027,
  ruleSetPeriod: '2026-2030',
  ruleSetReason: { vi: 'lý do', en: 'reason' },
  ...fields,
});
const standards = new PovertyStandards();

const plan: ArmedDeadline = {
  dueDate: '2026-12-14',
  dueAt: new Date('2026-12-14T16:59:59.999Z'),
  alarms: [],
  firstAlarmAt: new Date('2026-11-16T01:00:00Z'),
};

/** The names of the mocks called, in the order of their calls. */
const callOrder = (mocks: Record<string, jest.Mock>) =>
  Object.entries(mocks)
    .flatMap(([name, mock]) => mock.mock.invocationCallOrder.map((order) => ({ name, order })))
    .sort((a, b) => a.order - b.order)
    .map((c) => c.name);

/** Makes the repository find the campaign just inserted (its version and window), as a first start does. */
function findsInserted(tx: { insertIfAbsent: jest.Mock; findByProvinceYearDefinition: jest.Mock }) {
  tx.findByProvinceYearDefinition.mockImplementation(async () => {
    const row = tx.insertIfAbsent.mock.lastCall?.[0] as Campaign;
    return campaign({
      year: row.year,
      definitionKey: row.definitionKey,
      windowStart: row.windowStart,
      windowEnd: row.windowEnd,
    });
  });
}

/** The service over a mocked repository, registry, units and deadline planner. */
function setup() {
  const tx = {
    insertIfAbsent: jest.fn().mockResolvedValue(undefined),
    findByProvinceYearDefinition: jest.fn<Promise<Campaign>, [string, number, string]>().mockResolvedValue(campaign()),
    createCases: jest.fn<Promise<CreatedCaseRow[]>, unknown[]>().mockResolvedValue([]),
    recordStarted: jest.fn().mockResolvedValue(undefined),
    armDeadlines: jest.fn().mockResolvedValue(undefined),
    countInStep: jest.fn().mockResolvedValue(undefined),
    countStagesReached: jest.fn().mockResolvedValue(undefined),
    addToCaseCount: jest.fn().mockResolvedValue(undefined),
    recordStandard: jest.fn().mockResolvedValue(true),
  } satisfies Record<keyof CampaignStartStatements, jest.Mock>;
  const campaigns = {
    findById: jest.fn<Promise<Campaign | null>, [string]>().mockResolvedValue(null),
    listAll: jest.fn().mockResolvedValue([]),
    listInProvince: jest.fn().mockResolvedValue([]),
    setWindow: jest.fn().mockResolvedValue(undefined),
    withoutStandard: jest.fn<Promise<Campaign[]>, []>().mockResolvedValue([]),
    recordStandard: jest.fn().mockResolvedValue(true),
    transaction: jest.fn(async (work: (statements: CampaignStartStatements) => Promise<unknown>) =>
      work(tx as unknown as CampaignStartStatements),
    ),
  } satisfies Record<keyof CampaignRepository, jest.Mock>;
  const registry = {
    get: jest.fn(async (key: string) => compiledOf(key)),
    isRetired: jest.fn().mockResolvedValue(false),
    // The shipped versions of a process, the newest first (none rolled back).
    liveKeys: jest.fn(async (id: string) =>
      [...catalog.values()]
        .filter((e) => e.definition.id === id)
        .sort((a, b) => b.definition.version - a.definition.version)
        .map((e) => e.key),
    ),
  };
  const units = {
    get: jest.fn(async (code: string) => {
      const found = UNITS.get(code);
      if (!found) throw new Error(`unknown unit ${code}`);
      return found;
    }),
  };
  const deadlines = { plan: jest.fn(() => plan), calendarVersion: 7 };
  const timers = { wakeAt: jest.fn().mockResolvedValue(undefined) };
  const recompute = { recomputeCampaign: jest.fn().mockResolvedValue({ checked: 40, moved: 12 }) };
  const service = new CampaignsService(
    campaigns as unknown as CampaignRepository,
    registry as unknown as DefinitionRegistry,
    units as unknown as UnitsService,
    deadlines as unknown as DeadlineScheduler,
    timers as unknown as TimersProducer,
    recompute as unknown as DeadlineRecomputeService,
    standards,
    new ManualClock(NOW),
  );
  return { service, campaigns, tx, registry, deadlines, timers, recompute };
}

describe('CampaignsService', () => {
  describe('start', () => {
    it('creates the campaign, a case per missing village, their history, deadlines and counters in one transaction, then wakes the first alarm', async () => {
      const { service, campaigns, tx, deadlines, timers } = setup();
      tx.createCases.mockResolvedValue([
        { id: 'case-1', commune_code: 'T1C1' },
        { id: 'case-2', commune_code: 'T1C1' },
        { id: 'case-3', commune_code: 'T1C2' },
      ]);

      const started = await service.start(body(), provinceAdmin);

      expect(campaigns.transaction).toHaveBeenCalledTimes(1);
      expect(started).toEqual({
        campaign: expect.objectContaining({ id: 'campaign-1', caseCount: 3 }),
        casesCreated: 3,
      });
      expect(tx.insertIfAbsent).toHaveBeenCalledWith(
        expect.objectContaining({
          provinceCode: 'T1',
          year: 2026,
          definitionId: 'periodic-review',
          definitionKey: KEY,
          windowStart: '2026-09-01',
          windowEnd: '2026-12-14',
          createdAt: NOW,
          createdBy: 'admin@T1',
        }),
      );
      expect(tx.findByProvinceYearDefinition).toHaveBeenCalledWith('T1', 2026, 'periodic-review');
      expect(tx.createCases).toHaveBeenCalledWith(
        'campaign-1',
        '/T1/',
        expect.objectContaining({ definitionKey: KEY, step: 'listing', stage: 1, now: NOW }),
      );
      const ids = ['case-1', 'case-2', 'case-3'];
      expect(tx.recordStarted).toHaveBeenCalledWith(ids, NOW, provinceAdmin, 'listing', {
        campaignId: 'campaign-1',
        definitionKey: KEY,
      });
      // One plan for every case: the listing deadline on the campaign's window, with the calendar it was computed on.
      expect(deadlines.plan).toHaveBeenCalledTimes(1);
      expect(deadlines.plan).toHaveBeenCalledWith(
        expect.objectContaining({
          step: 'listing',
          window: { start: '2026-09-01', end: '2026-12-14' },
          provinceCode: 'T1',
          now: NOW,
        }),
      );
      expect(tx.armDeadlines).toHaveBeenCalledWith(
        ids,
        'listing',
        expect.objectContaining({ due: { kind: 'windowEnd' } }),
        plan,
        NOW,
        7,
      );
      expect(tx.countInStep).toHaveBeenCalledWith('campaign-1', 'listing', ['T1C1', 'T1C1', 'T1C2']);
      expect(tx.countStagesReached).toHaveBeenCalledWith('campaign-1', ['T1C1', 'T1C1', 'T1C2'], 1);
      expect(tx.addToCaseCount).toHaveBeenCalledWith('campaign-1', 3);
      expect(callOrder(tx)).toEqual([
        'insertIfAbsent',
        'findByProvinceYearDefinition',
        'createCases',
        'recordStarted',
        'armDeadlines',
        'countInStep',
        'countStagesReached',
        'addToCaseCount',
      ]);
      expect(timers.wakeAt).toHaveBeenCalledWith([plan.firstAlarmAt], NOW);
    });

    it('is idempotent: when every village has its case, nothing more is written and no alarm is woken', async () => {
      const { service, tx, timers } = setup();
      tx.findByProvinceYearDefinition.mockResolvedValue(campaign({ caseCount: 50 }));
      expect(await service.start(body(), SYSTEM_ACTOR)).toEqual({
        campaign: expect.objectContaining({ caseCount: 50 }),
        casesCreated: 0,
      });
      expect(callOrder(tx)).toEqual(['insertIfAbsent', 'findByProvinceYearDefinition', 'createCases']);
      expect(timers.wakeAt).not.toHaveBeenCalled();
    });

    it('refuses (409) a campaign of the same province, year and process that exists with another version or window', async () => {
      const { service, tx } = setup();
      tx.findByProvinceYearDefinition.mockResolvedValue(campaign({ windowEnd: '2026-12-31' }));
      const refused = service.start(body(), provinceAdmin);
      await expect(refused).rejects.toBeInstanceOf(CampaignConflictException);
      await expect(refused).rejects.toMatchObject({ details: { campaignId: 'campaign-1', windowEnd: '2026-12-31' } });
      expect(callOrder(tx)).toEqual(['insertIfAbsent', 'findByProvinceYearDefinition']);
    });

    it('refuses (403) a province outside the actor’s, before writing anything', async () => {
      const { service, campaigns } = setup();
      await expect(service.start(body({ provinceCode: 'T2' }), provinceAdmin)).rejects.toBeInstanceOf(AuthException);
      expect(campaigns.transaction).not.toHaveBeenCalled();
    });

    it('refuses (400) a unit that is not a province, a retired version, a version of another province and a version not yet in effect', async () => {
      const { service, campaigns, registry } = setup();
      await expect(service.start(body({ provinceCode: 'T1C1' }), national)).rejects.toMatchObject({
        code: 'CAMPAIGN_INVALID',
        details: { field: 'provinceCode' },
      });
      registry.isRetired.mockResolvedValueOnce(true);
      await expect(service.start(body(), national)).rejects.toMatchObject({
        code: 'CAMPAIGN_INVALID',
        details: { field: 'definitionKey' },
      });
      await expect(service.start(body({ definitionKey: BAC_GIANG }), national)).rejects.toThrow(
        `${BAC_GIANG} belongs to province 24, not T1`,
      );
      // The two-level review takes effect on 1 July 2025.
      await expect(
        service.start(
          body({ definitionKey: TWO_LEVEL, year: 2025, windowStart: '2025-06-01', windowEnd: '2025-12-14' }),
          national,
        ),
      ).rejects.toThrow(
        `definitionKey: ${TWO_LEVEL} có hiệu lực từ ngày 01/07/2025, sau ngày bắt đầu đợt rà soát (01/06/2025) / ${TWO_LEVEL} takes effect on 2025-07-01, after the window starts (2025-06-01)`,
      );
      expect(campaigns.transaction).not.toHaveBeenCalled();
    });

    it('refuses (400) a version whose last day is before the window starts, naming the version and both dates; its last day itself is allowed', async () => {
      const { service, campaigns, tx } = setup();
      findsInserted(tx);
      const refused = service.start(body({ definitionKey: THREE_LEVEL }), national);
      await expect(refused).rejects.toMatchObject({ code: 'CAMPAIGN_INVALID', details: { field: 'definitionKey' } });
      await expect(refused).rejects.toThrow(
        `definitionKey: ${THREE_LEVEL} chỉ áp dụng cho đợt rà soát bắt đầu đến hết ngày 30/06/2025; đợt này bắt đầu ngày 01/09/2026 / ${THREE_LEVEL} applies to campaigns starting on or before 2025-06-30; this one starts on 2026-09-01`,
      );
      expect(campaigns.transaction).not.toHaveBeenCalled();

      const lastDay = await service.start(
        body({ definitionKey: THREE_LEVEL, year: 2025, windowStart: '2025-06-30', windowEnd: '2025-12-14' }),
        national,
      );
      expect(lastDay.campaign).toBeDefined();
      expect(campaigns.transaction).toHaveBeenCalledTimes(1);
    });

    it('starts again a campaign already running on a version whose last day has passed (villages added since): only new campaigns are refused', async () => {
      const { service, campaigns, tx } = setup();
      const running = campaign({ definitionKey: THREE_LEVEL });
      campaigns.listInProvince.mockResolvedValue([campaign({ year: 2025 }), running]);
      tx.findByProvinceYearDefinition.mockResolvedValue(running);
      tx.createCases.mockResolvedValue([{ id: 'case-9', commune_code: 'T1C2' }]);
      expect(await service.start(body({ definitionKey: THREE_LEVEL }), national)).toMatchObject({ casesCreated: 1 });
      expect(campaigns.listInProvince).toHaveBeenCalledWith('T1');
      // Another year of the province is a new campaign.
      await expect(service.start(body({ definitionKey: THREE_LEVEL, year: 2027 }), national)).rejects.toThrow(
        `${THREE_LEVEL} applies to campaigns starting on or before 2025-06-30`,
      );
    });

    it('pins the newest version in effect on the window start when the process is named alone', async () => {
      const { service, tx, registry } = setup();
      findsInserted(tx);
      await service.start(body({ definitionKey: 'periodic-review' }), national);
      expect(tx.insertIfAbsent).toHaveBeenLastCalledWith(expect.objectContaining({ definitionKey: CORRECTED }));
      expect(tx.createCases).toHaveBeenLastCalledWith(
        'campaign-1',
        '/T1/',
        expect.objectContaining({ definitionKey: CORRECTED }),
      );

      // Before 1 July 2025 the newest version in effect is the corrected three-level one.
      await service.start(
        body({ definitionKey: 'periodic-review', year: 2024, windowStart: '2024-09-01', windowEnd: '2024-12-14' }),
        national,
      );
      expect(tx.insertIfAbsent).toHaveBeenLastCalledWith(
        expect.objectContaining({ definitionKey: THREE_LEVEL, windowStart: '2024-09-01' }),
      );

      // Without a window, each version's own default window decides: version 4's, placed in 2027.
      await service.start(
        body({ definitionKey: 'periodic-review', year: 2027, windowStart: undefined, windowEnd: undefined }),
        national,
      );
      expect(tx.insertIfAbsent).toHaveBeenLastCalledWith(
        expect.objectContaining({ definitionKey: CORRECTED, windowStart: '2027-09-01', windowEnd: '2027-12-14' }),
      );

      // A rolled-back version is not a candidate (the registry lists live versions only).
      registry.liveKeys.mockResolvedValueOnce(['periodic-review@3', 'periodic-review@2', 'periodic-review@1']);
      await service.start(body({ definitionKey: 'periodic-review' }), national);
      expect(tx.insertIfAbsent).toHaveBeenLastCalledWith(
        expect.objectContaining({ definitionKey: 'periodic-review@3' }),
      );
    });

    it('refuses (400) a process alone when no live version can be pinned, saying why for each', async () => {
      const { service, campaigns, registry } = setup();
      registry.liveKeys.mockResolvedValueOnce([]);
      await expect(service.start(body({ definitionKey: 'no-such-review' }), national)).rejects.toThrow(
        'no published version of "no-such-review"',
      );
      // 2024 without a window: version 5 declares none, version 4's (1/9/2024) is before it takes effect.
      registry.liveKeys.mockResolvedValueOnce(['periodic-review@5', 'periodic-review@4']);
      const refused = service.start(
        body({ definitionKey: 'periodic-review', year: 2024, windowStart: undefined, windowEnd: undefined }),
        national,
      );
      await expect(refused).rejects.toMatchObject({ code: 'CAMPAIGN_INVALID', details: { field: 'definitionKey' } });
      await expect(refused).rejects.toThrow(
        /periodic-review@5: không có thời gian rà soát mặc định \/ no default window; periodic-review@4 có hiệu lực từ ngày 01\/07\/2025/,
      );
      registry.liveKeys.mockResolvedValueOnce([BAC_GIANG]);
      await expect(
        service.start(body({ definitionKey: 'bac-giang-periodic-review-2021', year: 2021 }), national),
      ).rejects.toThrow(`${BAC_GIANG}: của tỉnh 24 / of province 24`);
      expect(campaigns.transaction).not.toHaveBeenCalled();
    });
  });

  describe('the poverty standard', () => {
    const reason2026 =
      'Rà soát định kỳ năm 2026: danh sách áp dụng năm 2027 → chuẩn nghèo 2026–2030, Nghị định 351/2025/NĐ-CP';

    it('records the rule set in force for the year the lists apply, and why: an autumn 2026 review → lists of 2027 → Decree 351/2025', async () => {
      const { service, tx } = setup();
      await service.start(body(), provinceAdmin);
      expect(tx.insertIfAbsent).toHaveBeenCalledWith(
        expect.objectContaining({
          standard: {
            listsYear: 2027,
            ruleSetPeriod: '2026-2030',
            ruleSetReason: {
              vi: expect.stringContaining(reason2026),
              en: expect.stringContaining('the lists apply in 2027'),
            },
          },
        }),
      );
    });

    it.each<[string, Partial<StartCampaignBody>, number, string]>([
      [
        'an autumn 2025 review (lists of 2026)',
        { year: 2025, windowStart: '2025-09-01', windowEnd: '2025-12-14' },
        2026,
        '2022-2025',
      ],
      // A province overlay is of the kind at the root of its `extends` chain (periodic-review).
      [
        'Bắc Giang’s 2021 overlay (lists of 2022)',
        {
          provinceCode: '24',
          definitionKey: BAC_GIANG,
          year: 2021,
          windowStart: '2021-09-01',
          windowEnd: '2021-12-14',
        },
        2022,
        '2022-2025',
      ],
      [
        'a regular review of 2026 (lists of the same year)',
        { definitionKey: 'regular-review@1', year: 2026, windowStart: '2026-10-15', windowEnd: '2026-11-14' },
        2026,
        '2022-2025',
      ],
    ])('%s', async (_name, fields, listsYear, period) => {
      const { service, tx } = setup();
      const given = body(fields);
      tx.findByProvinceYearDefinition.mockResolvedValue(
        campaign({
          ...given,
          definitionKey: given.definitionKey,
          windowStart: given.windowStart,
          windowEnd: given.windowEnd,
        }),
      );
      await service.start(given, national);
      expect(tx.insertIfAbsent).toHaveBeenCalledWith(
        expect.objectContaining({ standard: expect.objectContaining({ listsYear, ruleSetPeriod: period }) }),
      );
    });

    it('refuses (400) a year whose lists no rule set covers, and a process whose lists year is not declared, writing nothing', async () => {
      const { service, campaigns, registry } = setup();
      await expect(
        service.start(body({ year: 2030, windowStart: '2030-09-01', windowEnd: '2030-12-14' }), national),
      ).rejects.toMatchObject({
        code: 'CAMPAIGN_INVALID',
        details: { field: 'year' },
        message: expect.stringContaining('lập danh sách áp dụng năm 2031'),
      });
      const base = compiledOf(KEY);
      registry.get.mockImplementation(async (key: string) =>
        key === 'x-review@1' ? { ...base, definition: { ...base.definition, id: 'x-review' } } : compiledOf(key),
      );
      await expect(service.start(body({ definitionKey: 'x-review@1' }), national)).rejects.toMatchObject({
        code: 'CAMPAIGN_INVALID',
        details: { field: 'definitionKey' },
        message: expect.stringContaining('Chưa khai báo năm áp dụng danh sách của quy trình "x-review"'),
      });
      expect(campaigns.transaction).not.toHaveBeenCalled();
    });

    it('records the standard of an existing campaign that has none when it is started again, and keeps a recorded one', async () => {
      const { service, tx } = setup();
      tx.findByProvinceYearDefinition.mockResolvedValue(
        campaign({ listsYear: null, ruleSetPeriod: null, ruleSetReason: null }),
      );
      const { campaign: started } = await service.start(body(), provinceAdmin);
      expect(tx.recordStandard).toHaveBeenCalledWith(
        'campaign-1',
        expect.objectContaining({ ruleSetPeriod: '2026-2030' }),
      );
      expect(started).toMatchObject({ listsYear: 2027, ruleSetPeriod: '2026-2030' });
      tx.recordStandard.mockClear();
      tx.findByProvinceYearDefinition.mockResolvedValue(campaign({ ruleSetPeriod: '2022-2025', listsYear: 2026 }));
      expect((await service.start(body(), provinceAdmin)).campaign).toMatchObject({ ruleSetPeriod: '2022-2025' });
      expect(tx.recordStandard).not.toHaveBeenCalled();
    });

    it('gives campaigns started before campaigns recorded their standard one at start-up; one that cannot be chosen is left without', async () => {
      const { service, campaigns } = setup();
      campaigns.withoutStandard.mockResolvedValue([
        campaign({ id: 'c-2025', year: 2025, ruleSetPeriod: null, listsYear: null }),
        campaign({ id: 'c-2030', year: 2030, ruleSetPeriod: null, listsYear: null }),
      ]);
      expect(await service.recordMissingStandards()).toEqual({ recorded: 1, failed: 1 });
      expect(campaigns.recordStandard).toHaveBeenCalledTimes(1);
      expect(campaigns.recordStandard).toHaveBeenCalledWith(
        'c-2025',
        expect.objectContaining({ listsYear: 2026, ruleSetPeriod: '2022-2025' }),
      );
    });
  });

  describe('get', () => {
    it('shows a campaign to everyone working in its province and to national actors; 403 to another province; 404 when unknown', async () => {
      const { service, campaigns } = setup();
      campaigns.findById.mockImplementation(async (id) => (id === 'campaign-1' ? campaign() : null));
      expect(await service.get('campaign-1', { sub: 'bcd', role: 'commune_committee', unit: 'T1C1' })).toMatchObject({
        id: 'campaign-1',
      });
      expect(await service.get('campaign-1', national)).toMatchObject({ id: 'campaign-1' });
      await expect(
        service.get('campaign-1', { sub: 'admin@T2', role: 'province_admin', unit: 'T2' }),
      ).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
      await expect(service.get('campaign-9', national)).rejects.toBeInstanceOf(CampaignNotFoundException);
    });
  });

  describe('list', () => {
    it('lists every campaign for a national actor, the province’s campaigns for anyone else', async () => {
      const { service, campaigns } = setup();
      await service.list(national);
      expect(campaigns.listAll).toHaveBeenCalledTimes(1);
      await service.list({ sub: 'bcd', role: 'commune_committee', unit: 'T1C1' });
      expect(campaigns.listInProvince).toHaveBeenCalledWith('T1');
    });
  });

  describe('changeWindow', () => {
    it('moves the window and recomputes the deadlines that depend on it, with the reason in their history', async () => {
      const { service, campaigns, recompute } = setup();
      campaigns.findById.mockResolvedValue(campaign());
      const changed = await service.changeWindow(
        'campaign-1',
        { windowStart: '2026-09-15', windowEnd: '2026-12-31', reason: 'lũ lụt' },
        provinceAdmin,
      );
      expect(campaigns.setWindow).toHaveBeenCalledWith('campaign-1', '2026-09-15', '2026-12-31');
      expect(recompute.recomputeCampaign).toHaveBeenCalledWith(
        'campaign-1',
        'thời gian rà soát đổi thành 2026-09-15 – 2026-12-31: lũ lụt',
      );
      expect(changed).toEqual({
        campaign: expect.objectContaining({ windowStart: '2026-09-15', windowEnd: '2026-12-31' }),
        recomputed: 40,
        moved: 12,
      });
    });

    it('refuses (403) another province’s campaign without moving anything', async () => {
      const { service, campaigns } = setup();
      campaigns.findById.mockResolvedValue(campaign({ provinceCode: 'T2' }));
      await expect(
        service.changeWindow(
          'campaign-1',
          { windowStart: '2026-09-15', windowEnd: '2026-12-31', reason: 'lũ lụt' },
          provinceAdmin,
        ),
      ).rejects.toBeInstanceOf(AuthException);
      expect(campaigns.setWindow).not.toHaveBeenCalled();
    });
  });
});

describe('campaignWindow', () => {
  it('takes the window given, else places the definition’s recurring window in the year (across the new year when it ends before it starts)', () => {
    expect(
      campaignWindow(
        { year: 2026, windowStart: '2026-10-01', windowEnd: '2026-12-01' },
        { start: '09-01', end: '12-14' },
      ),
    ).toEqual({ start: '2026-10-01', end: '2026-12-01' });
    expect(campaignWindow({ year: 2026 }, { start: '09-01', end: '12-14' })).toEqual({
      start: '2026-09-01',
      end: '2026-12-14',
    });
    expect(campaignWindow({ year: 2026 }, { start: '11-01', end: '02-15' })).toEqual({
      start: '2026-11-01',
      end: '2027-02-15',
    });
    expect(campaignWindow({ year: 2026 }, { start: '2025-09-15', end: '2025-12-10' })).toEqual({
      start: '2025-09-15',
      end: '2025-12-10',
    });
    expect(campaignWindow({ year: 2026 })).toBeUndefined();
  });
});
