import type { Actor } from '@rasoat/contracts';
import { loadCatalog } from '@rasoat/definition-catalog';
import type { AdminUnit, Campaign } from '@rasoat/persistence';
import { fieldBounds } from '@rasoat/workflow-core';
import type { CampaignsService } from '../campaigns';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import type { UnitsService } from '../units';
import { COUNT_METRICS, type CountMetric } from './report-metrics';
import type { OutOfRangeRow, ReportRepository, SummaryRowData } from './report.repository';
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
  const service = new ReportsService(
    reports as unknown as ReportRepository,
    units as unknown as UnitsService,
    campaigns as unknown as CampaignsService,
    registry as unknown as DefinitionRegistry,
    new ManualClock(NOW),
  );
  return { service, reports };
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
