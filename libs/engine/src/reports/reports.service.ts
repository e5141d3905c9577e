import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import type { UnitLevel } from '@rasoat/persistence';
import { fieldBounds, type Definition } from '@rasoat/workflow-core';
import { CampaignsService } from '../campaigns';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitsService } from '../units';
import { ReportIndicatorCatalog } from './report-indicators';
import {
  COUNT_METRICS,
  SNAPSHOT_METRICS,
  withDerived,
  type CaseCountMetric,
  type CountMetric,
  type IndicatorCounts,
  type MetricValues,
  type ReportIndicator,
} from './report-metrics';
import { ReportRepository, type IndicatorCountRow, type SnapshotRanges } from './report.repository';
import { ReportInvalidException } from './reports.exception';

export interface SummaryRow {
  code: string;
  name: string;
  level: UnitLevel;
  values: MetricValues;
  /**
   * Poor and near-poor households per deprivation indicator code; null when not known for every
   * recognised village of the row (a village recognised by its form's totals only, or households
   * whose deprivations are not recorded).
   */
  indicators: IndicatorCounts | null;
}

export interface SummaryReport {
  unit: { code: string; name: string; level: UnitLevel };
  campaign: { id: string; year: number; provinceCode: string; definitionKey: string };
  /** ISO instant the figures were read. */
  generatedAt: string;
  /** One row per child unit of `unit` (districts or communes of a province, villages of a commune), in code order. */
  rows: SummaryRow[];
  /** The unit itself: the sum over all its villages (not the sum of the rows' rates). */
  total: SummaryRow;
  /**
   * The deprivation indicators of the rule set(s) that classified the households counted, in the
   * rule set's order (then any code no rule file names): the per-indicator columns of Biểu 7.4
   * and 7.5. Empty when no household of a recognised village is classified.
   */
  indicators: ReportIndicator[];
  /**
   * Values recorded in cases' forms that lie outside their field's range in the campaign's
   * definition (written before the limits existed): not summed — the figures they would enter
   * are unknown (`null`) — and listed here so that an administrator corrects them
   * (`POST /api/cases/:id/corrections`).
   */
  outOfRange: OutOfRangeValue[];
}

/** One recorded value the summary could not use; `value` is its JSON text, exactly as stored. */
export interface OutOfRangeValue {
  caseId: string;
  villageCode: string;
  metric: CountMetric;
  event: string;
  field: string;
  value: string;
  range: { min: number; max: number };
}

/**
 * The summary tables' figures (Biểu mẫu 7.1–7.11) for a unit and a campaign: one set-based query over the
 * campaign's cases under the unit (`ReportRepository`), a row per child unit and the unit's
 * total. Per case, the figures come from its household rows when it has any, otherwise from its
 * snapshot (the recognition form's totals) when in the range its field allows; the counting rules
 * are `report-metrics.ts`.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportRepository,
    private readonly units: UnitsService,
    private readonly campaigns: CampaignsService,
    private readonly registry: DefinitionRegistry,
    private readonly indicatorCatalog: ReportIndicatorCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async summary(campaignId: string, unitCode: string, actor: Actor): Promise<SummaryReport> {
    // Both throw 403 outside the actor's scope (the unit's subtree; the campaign's province).
    const { unit, children } = await this.units.getWithChildren(unitCode, actor);
    const campaign = await this.campaigns.get(campaignId, actor);
    if (unit.provinceCode !== campaign.provinceCode) {
      throw new ReportInvalidException(
        'unit',
        `đơn vị ${unit.code} không thuộc tỉnh ${campaign.provinceCode} của đợt rà soát / the unit is outside the campaign's province`,
        { unit: unit.code },
      );
    }
    const generatedAt = this.clock.now().toISOString();
    const ranges = snapshotRanges((await this.registry.get(campaign.definitionKey)).definition);
    const [rows, outOfRange, indicatorRows] = await Promise.all([
      this.reports.summary(ranges, campaign.id, unit.path, unit.path.length + 1),
      this.reports.outOfRange(ranges, campaign.id, unit.path),
      this.reports.indicatorCounts(campaign.id, unit.path, unit.path.length + 1),
    ]);
    // Sums come back as bigint, i.e. as text; every one is exact in a number (field-limits.ts).
    const counts = (row: (typeof rows)[number] | undefined): Record<CountMetric, number | null> =>
      Object.fromEntries(
        COUNT_METRICS.map((m) => {
          const value = row?.[m];
          return [
            m,
            value === null || value === undefined
              ? m.startsWith('villages') || row === undefined
                ? 0
                : null
              : Number(value),
          ];
        }),
      ) as Record<CountMetric, number | null>;
    const byChild = new Map(rows.filter((r) => !r.is_total).map((r) => [r.child, r]));
    const totalRow = rows.find((r) => r.is_total);
    const indicators = this.indicatorsOf(indicatorRows, campaign.provinceCode);
    const row = (
      code: string,
      name: string,
      level: UnitLevel,
      data: (typeof rows)[number] | undefined,
      total: boolean,
    ) => {
      const values = withDerived(counts(data));
      return { code, name, level, values, indicators: indicatorCounts(indicatorRows, total ? null : code, values) };
    };
    return {
      unit: { code: unit.code, name: unit.name, level: unit.level },
      campaign: {
        id: campaign.id,
        year: campaign.year,
        provinceCode: campaign.provinceCode,
        definitionKey: campaign.definitionKey,
      },
      generatedAt,
      rows: children.map((c) => row(c.code, c.name, c.level, byChild.get(c.code), false)),
      total: row(unit.code, unit.name, unit.level, totalRow, true),
      indicators,
      outOfRange: outOfRange.map((v) => ({ ...v, range: ranges[v.metric] as { min: number; max: number } })),
    };
  }

  /**
   * The indicators to show: those of each rule-set period the counted households were classified
   * with (in the rule file's order, a code once), then any counted code that no rule file names
   * (shown with its code and a warning rather than dropped).
   */
  private indicatorsOf(rows: readonly IndicatorCountRow[], provinceCode: string): ReportIndicator[] {
    const periods = [...new Set(rows.map((r) => r.period).filter((p): p is string => p !== null && p !== ''))].sort();
    const shown = new Map<string, ReportIndicator>();
    for (const period of periods) {
      for (const indicator of this.indicatorCatalog.indicators(period) ?? []) {
        if (!shown.has(indicator.code)) shown.set(indicator.code, indicator);
      }
    }
    const unnamed = [
      ...new Set(rows.map((r) => r.code).filter((c): c is string => c !== null && !shown.has(c))),
    ].sort();
    for (const code of unnamed) {
      shown.set(code, {
        code,
        name: {
          vi: `Chỉ số "${code}" (không có trong tệp tiêu chí)`,
          en: `Indicator "${code}" (not in the rule files)`,
        },
      });
    }
    return [...shown.values()];
  }
}

/**
 * A row's per-indicator counts (`child` null: the total): known only when every recognised village
 * of the row has a household list and every poor or near-poor household of it has its
 * deprivations recorded.
 */
function indicatorCounts(
  rows: readonly IndicatorCountRow[],
  child: string | null,
  values: MetricValues,
): IndicatorCounts | null {
  if (values.villagesRecognised !== values.villagesWithHouseholdList) return null;
  const mine = rows.filter((r) => (child === null ? r.is_total : !r.is_total && r.child === child));
  if (mine.some((r) => r.unknown > 0)) return null;
  const counts: IndicatorCounts = {};
  for (const r of mine) {
    if (r.code === null) continue;
    const entry = (counts[r.code] ??= { poor: 0, nearPoor: 0 });
    entry.poor += Number(r.poor);
    entry.nearPoor += Number(r.nearPoor);
  }
  return counts;
}

/** The range each snapshot figure's field allows in the definition (its `min`/`max`, else the default range). */
function snapshotRanges(definition: Definition): SnapshotRanges {
  return Object.fromEntries(
    (Object.keys(SNAPSHOT_METRICS) as CaseCountMetric[]).map((m) => {
      const { event, field } = SNAPSHOT_METRICS[m] as { event: string; field: string };
      const spec = definition.events[event]?.fields[field];
      return [m, fieldBounds(spec && (spec.type === 'integer' || spec.type === 'number') ? spec : {})];
    }),
  );
}
