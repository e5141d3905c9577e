import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import type { UnitLevel } from '@rasoat/persistence';
import { fieldBounds, type Definition } from '@rasoat/workflow-core';
import { CampaignsService } from '../campaigns';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitsService } from '../units';
import {
  COUNT_METRICS,
  SNAPSHOT_METRICS,
  withDerived,
  type CaseCountMetric,
  type CountMetric,
  type MetricValues,
} from './report-metrics';
import { ReportRepository, type SnapshotRanges } from './report.repository';
import { ReportInvalidException } from './reports.exception';

export interface SummaryRow {
  code: string;
  name: string;
  level: UnitLevel;
  values: MetricValues;
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
 * The summary tables' figures (Biểu 7.x) for a unit and a campaign: one set-based query over the
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
    const [rows, outOfRange] = await Promise.all([
      this.reports.summary(ranges, campaign.id, unit.path, unit.path.length + 1),
      this.reports.outOfRange(ranges, campaign.id, unit.path),
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
    return {
      unit: { code: unit.code, name: unit.name, level: unit.level },
      campaign: {
        id: campaign.id,
        year: campaign.year,
        provinceCode: campaign.provinceCode,
        definitionKey: campaign.definitionKey,
      },
      generatedAt,
      rows: children.map((c) => ({
        code: c.code,
        name: c.name,
        level: c.level,
        values: withDerived(counts(byChild.get(c.code))),
      })),
      total: { code: unit.code, name: unit.name, level: unit.level, values: withDerived(counts(totalRow)) },
      outOfRange: outOfRange.map((v) => ({ ...v, range: ranges[v.metric] as { min: number; max: number } })),
    };
  }
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
