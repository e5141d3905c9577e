import type { Actor } from '@rasoat/contracts';
import { loadCatalog } from '@rasoat/definition-catalog';
import type { AdminUnit, Campaign } from '@rasoat/persistence';
import { fieldBounds } from '@rasoat/workflow-core';
import type { CampaignsService } from '../campaigns';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import type { UnitsService } from '../units';
import type { ReportIndicatorCatalog } from './report-indicators';
import { COUNT_METRICS, type CountMetric } from './report-metrics';
import type { IndicatorCountRow, OutOfRangeRow, ReportRepository, SummaryRowData } from './report.repository';
import { ReportInvalidException } from './reports.exception';
import { ReportsService } from './reports.service';

const NOW = new Date('2026-12-20T03:00:00Z');
const KEY = 'periodic-review@1';
const definition = loadCatalog().get(KEY)!.definition;
const admin: Actor = { sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' };

const unit = (code: string, level: AdminUnit['level'], path: string, provinceCode = 'T1'): AdminUnit => ({
  code,
  name: `Đơn vị ${code}`,
  level,
  path,
  provinceCode,
  parentCode: null,
});
const PROVINCE = unit('T1', 'province', '/T1/');
const DISTRICTS = [unit('T1D1', 'district', '/T1/T1D1/'), unit('T1D2', 'district', '/T1/T1D2/')];
const campaign = { id: 'campaign-t1', year: 2026, provinceCode: 'T1', definitionKey: KEY } as Campaign;

/** A summary row as the query returns it: sums as text (bigint), unknown figures null. */
const summaryRow = (
  child: string | null,
  values: Partial<Record<CountMetric, string | number | null>>,
): SummaryRowData =>
  ({
    child,
    is_total: child === null,
    ...Object.fromEntries(COUNT_METRICS.map((m) => [m, m.startsWith('villages') ? 0 : '0'])),
    ...values,
  }) as SummaryRowData;

function setup() {
  const reports = {
    summary: jest.fn<Promise<SummaryRowData[]>, Parameters<ReportRepository['summary']>>().mockResolvedValue([]),
    outOfRange: jest.fn<Promise<OutOfRangeRow[]>, Parameters<ReportRepository['outOfRange']>>().mockResolvedValue([]),
    indicatorCounts: jest
      .fn<Promise<IndicatorCountRow[]>, Parameters<ReportRepository['indicatorCounts']>>()
      .mockResolvedValue([]),
  } satisfies Record<keyof ReportRepository, jest.Mock>;
  const units = {
    getWithChildren: jest.fn(async (code: string) =>
      code === 'T1'
        ? { unit: PROVINCE, children: DISTRICTS }
        : { unit: unit(code, 'commune', `/T2/${code}/`, 'T2'), children: [] },
    ),
  };
  const campaigns = { get: jest.fn().mockResolvedValue(campaign) };
  const registry = { get: jest.fn().mockResolvedValue({ definition }) };
  const indicatorCatalog = {
    indicators: jest.fn((period: string) =>
      period === '2022-2025'
        ? [
            { code: 'nutrition', name: { vi: 'Dinh dưỡng', en: 'Nutrition' } },
            { code: 'latrine', name: { vi: 'Nhà tiêu hợp vệ sinh', en: 'Hygienic latrine' } },
            { code: 'telecom', name: { vi: 'Sử dụng dịch vụ viễn thông', en: 'Use of telecommunication services' } },
          ]
        : period === '2026-2030'
          ? [
              { code: 'latrine', name: { vi: 'Nhà tiêu hợp vệ sinh', en: 'Hygienic latrine' } },
              { code: 'digital_use', name: { vi: 'Sử dụng dịch vụ số', en: 'Use of digital services' } },
            ]
          : null,
    ),
  };
  const service = new ReportsService(
    reports as unknown as ReportRepository,
    units as unknown as UnitsService,
    campaigns as unknown as CampaignsService,
    registry as unknown as DefinitionRegistry,
    indicatorCatalog as unknown as ReportIndicatorCatalog,
    new ManualClock(NOW),
  );
  return { service, reports, indicatorCatalog };
}

describe('ReportsService', () => {
  it('reads the figures of the unit’s children and its total with the ranges the campaign’s definition gives its snapshot fields', async () => {
    const { service, reports } = setup();
    await service.summary('campaign-t1', 'T1', admin);
    const [ranges, campaignId, path, childStart] = reports.summary.mock.calls[0];
    expect([campaignId, path, childStart]).toEqual(['campaign-t1', '/T1/', 5]);
    expect(Object.keys(ranges)).toEqual([
      'householdsReviewed',
      'poor',
      'nearPoor',
      'escapedPoverty',
      'escapedNearPoverty',
    ]);
    const spec = definition.events.REVIEW_LIST_SUBMITTED.fields.householdCount as { min?: number; max?: number };
    expect(ranges.householdsReviewed).toEqual(fieldBounds(spec));
    expect(reports.outOfRange).toHaveBeenCalledWith(ranges, 'campaign-t1', '/T1/');
    expect(reports.indicatorCounts).toHaveBeenCalledWith('campaign-t1', '/T1/', 5);
  });

  it('gives a row per child in code order (zeros for a child without cases), the total, exact numbers from bigint text, and unknown figures as null', async () => {
    const { service, reports } = setup();
    reports.summary.mockResolvedValue([
      summaryRow('T1D1', {
        villagesTotal: 3,
        villagesRecognised: 2,
        householdsReviewed: '120',
        poor: '12',
        nearPoor: '6',
        newlyPoor: null,
      }),
      summaryRow(null, {
        villagesTotal: 3,
        villagesRecognised: 2,
        householdsReviewed: '120',
        poor: '12',
        nearPoor: '6',
        newlyPoor: null,
      }),
    ]);
    const report = await service.summary('campaign-t1', 'T1', admin);

    expect(report).toMatchObject({
      unit: { code: 'T1', level: 'province' },
      campaign: { id: 'campaign-t1', year: 2026, provinceCode: 'T1', definitionKey: KEY },
      generatedAt: NOW.toISOString(),
      outOfRange: [],
    });
    expect(report.rows.map((r) => r.code)).toEqual(['T1D1', 'T1D2']);
    expect(report.rows[0].values).toMatchObject({
      villagesTotal: 3,
      householdsReviewed: 120,
      poor: 12,
      nearPoor: 6,
      newlyPoor: null,
      poorRate: 0.1,
      poorAndNearPoor: 18,
      poorAndNearPoorRate: 0.15,
    });
    expect(report.rows[1].values).toMatchObject({
      villagesTotal: 0,
      householdsReviewed: 0,
      poor: 0,
      newlyPoor: 0,
      poorRate: null,
    });
    expect(report.total.values).toEqual(report.rows[0].values);
    expect(report.indicators).toEqual([]);
  });

  it('names the indicators of the periods counted, in the rule files’ order, and counts them per row where every recognised village has a household list', async () => {
    const { service, reports, indicatorCatalog } = setup();
    const lists = { villagesTotal: 2, villagesRecognised: 2, villagesWithHouseholdList: 2, poor: '3', nearPoor: '1' };
    reports.summary.mockResolvedValue([
      summaryRow('T1D1', lists),
      // One village recognised from its form's totals only: the district's counts per indicator are not known.
      summaryRow('T1D2', { villagesTotal: 2, villagesRecognised: 2, villagesWithHouseholdList: 1, poor: '2' }),
      summaryRow(null, { villagesTotal: 4, villagesRecognised: 4, villagesWithHouseholdList: 3, poor: '5' }),
    ]);
    const counted = (child: string | null, period: string | null, code: string | null, poor: number, nearPoor = 0) =>
      ({ child, is_total: child === null, period, code, poor, nearPoor, unknown: 0 }) satisfies IndicatorCountRow;
    reports.indicatorCounts.mockResolvedValue([
      counted('T1D1', '2022-2025', 'telecom', 2, 1),
      counted('T1D1', '2022-2025', 'latrine', 3),
      counted('T1D1', '2026-2030', 'latrine', 1),
      counted('T1D1', '2022-2025', null, 0, 0),
      counted('T1D2', '2022-2025', 'internet_old', 1),
      counted(null, '2022-2025', 'telecom', 2, 1),
      counted(null, '2022-2025', 'latrine', 3),
      counted(null, '2026-2030', 'latrine', 1),
      counted(null, '2022-2025', 'internet_old', 1),
    ]);
    const report = await service.summary('campaign-t1', 'T1', admin);

    expect(indicatorCatalog.indicators).toHaveBeenCalledWith('2022-2025');
    expect(report.indicators.map((i) => i.code)).toEqual([
      'nutrition',
      'latrine',
      'telecom',
      'digital_use',
      'internet_old',
    ]);
    expect(report.indicators[4].name.vi).toBe('Chỉ số "internet_old" (không có trong tệp tiêu chí)');
    // A code counted under two periods is added up.
    expect(report.rows[0].indicators).toEqual({ telecom: { poor: 2, nearPoor: 1 }, latrine: { poor: 4, nearPoor: 0 } });
    expect(report.rows[1].indicators).toBeNull();
    expect(report.total.indicators).toBeNull();
  });

  it('gives no counts per indicator for a row with poor or near-poor households whose deprivations are not recorded', async () => {
    const { service, reports } = setup();
    const lists = { villagesTotal: 1, villagesRecognised: 1, villagesWithHouseholdList: 1, poor: '2' };
    reports.summary.mockResolvedValue([summaryRow('T1D1', lists), summaryRow(null, lists)]);
    reports.indicatorCounts.mockResolvedValue([
      { child: 'T1D1', is_total: false, period: '2022-2025', code: 'latrine', poor: 1, nearPoor: 0, unknown: 0 },
      { child: 'T1D1', is_total: false, period: '2022-2025', code: null, poor: 1, nearPoor: 0, unknown: 1 },
      { child: null, is_total: true, period: '2022-2025', code: 'latrine', poor: 1, nearPoor: 0, unknown: 0 },
      { child: null, is_total: true, period: '2022-2025', code: null, poor: 1, nearPoor: 0, unknown: 1 },
    ]);
    const report = await service.summary('campaign-t1', 'T1', admin);
    expect(report.rows[0].indicators).toBeNull();
    expect(report.rows[1].indicators).toEqual({});
    expect(report.total.indicators).toBeNull();
  });

  it('lists the recorded values it left out, with the range they broke', async () => {
    const { service, reports } = setup();
    reports.outOfRange.mockResolvedValue([
      {
        caseId: 'case-1',
        villageCode: 'T1D1C1V1',
        metric: 'poor',
        event: 'LISTS_RECOGNISED',
        field: 'poorCount',
        value: '1e300',
      },
    ]);
    const report = await service.summary('campaign-t1', 'T1', admin);
    const range = reports.summary.mock.calls[0][0].poor;
    expect(report.outOfRange).toEqual([
      {
        caseId: 'case-1',
        villageCode: 'T1D1C1V1',
        metric: 'poor',
        event: 'LISTS_RECOGNISED',
        field: 'poorCount',
        value: '1e300',
        range,
      },
    ]);
  });

  it('refuses (400) a unit outside the campaign’s province, before reading any figure', async () => {
    const { service, reports } = setup();
    await expect(
      service.summary('campaign-t1', 'T2C1', { sub: 'n', role: 'national_admin', unit: 'VN' }),
    ).rejects.toBeInstanceOf(ReportInvalidException);
    expect(reports.summary).not.toHaveBeenCalled();
  });
});
