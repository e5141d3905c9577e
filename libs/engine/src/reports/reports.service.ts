import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import type { UnitLevel } from '@rasoat/persistence';
import { CampaignsService } from '../campaigns/campaigns.service';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { UnitsService } from '../units/units.service';
import {
  CASE_COUNT_METRICS,
  COUNT_METRICS,
  HOUSEHOLD_METRICS,
  RECOGNITION_EVENT,
  SNAPSHOT_METRICS,
  withDerived,
  type CountMetric,
  type HouseholdFilter,
  type MetricValues,
} from './report-metrics';
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
}

/**
 * The summary tables' figures (Biểu 7.x) for a unit and a campaign: one set-based query over the
 * campaign's cases under the unit, grouped by the child unit read from each case's materialised
 * path, with the unit's total as a grouping set of the same query. Per case, the figures come
 * from its household rows when it has any, otherwise from its snapshot (the recognition form's
 * totals); the counting rules are `report-metrics.ts`.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly em: EntityManager,
    private readonly units: UnitsService,
    private readonly campaigns: CampaignsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async summary(campaignId: string, unitCode: string, actor: Actor): Promise<SummaryReport> {
    // Both throw 403 outside the actor's scope (the unit's subtree; the campaign's province).
    const { unit, children } = await this.units.getWithChildren(unitCode, actor);
    const campaign = await this.campaigns.get(campaignId, actor);
    if (unit.provinceCode !== campaign.provinceCode) {
      throw new ReportInvalidException('unit', `đơn vị ${unit.code} không thuộc tỉnh ${campaign.provinceCode} của đợt rà soát / the unit is outside the campaign's province`, { unit: unit.code });
    }
    const generatedAt = this.clock.now().toISOString();
    const rows = await this.em.fork().execute<(Record<CountMetric, number | null> & { child: string | null; is_total: boolean })[]>(SUMMARY_SQL, [unit.path.length + 1, campaign.id, `${unit.path}%`]);
    const counts = (row: (typeof rows)[number] | undefined): Record<CountMetric, number | null> =>
      Object.fromEntries(COUNT_METRICS.map((m) => [m, row?.[m] ?? (m.startsWith('villages') || row === undefined ? 0 : null)])) as Record<CountMetric, number | null>;
    const byChild = new Map(rows.filter((r) => !r.is_total).map((r) => [r.child, r]));
    const totalRow = rows.find((r) => r.is_total);
    return {
      unit: { code: unit.code, name: unit.name, level: unit.level },
      campaign: { id: campaign.id, year: campaign.year, provinceCode: campaign.provinceCode, definitionKey: campaign.definitionKey },
      generatedAt,
      rows: children.map((c) => ({ code: c.code, name: c.name, level: c.level, values: withDerived(counts(byChild.get(c.code))) })),
      total: { code: unit.code, name: unit.name, level: unit.level, values: withDerived(counts(totalRow)) },
    };
  }
}

// ── The query, generated from the metric tables so that code and documentation cannot drift ──

const IDENT = /^[a-z_]+$/;

/** `h.source in ('previous_poor')`: the values come from closed enums in code, never from a request. */
function inList(column: string, values: readonly string[] | 'any'): string {
  if (values === 'any') return 'true';
  for (const v of values) if (!IDENT.test(v)) throw new Error(`not an enum value: ${v}`);
  return `${column} in (${values.map((v) => `'${v}'`).join(', ')})`;
}

function householdFilter(filter: HouseholdFilter): string {
  return `${inList('h.source', filter.sources)} and ${inList('h.classification', filter.classes)}`;
}

/** The integer at `context.data.<event>.<field>` of a case's snapshot (null when absent). */
function snapshotInt(event: string, field: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(event) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`bad snapshot path ${event}.${field}`);
  return `(c.snapshot #>> '{context,data,${event},${field}}')::numeric::int`;
}

const q = (metric: string) => `"${metric}"`;

/**
 * Parameters: 1. the length of the unit's path + 1 (where a child's code starts in a case's
 * path), 2. the campaign, 3. the unit's path prefix. Grouping set `()` is the unit's total.
 */
const SUMMARY_SQL = `
with c as (
  select c.id, c.snapshot,
         split_part(substr(c.unit_path, ?), '/', 1) as child,
         (c.households_locked_at is not null or c.snapshot #> '{context,data,${RECOGNITION_EVENT}}' is not null) as recognised
  from review_case c
  where c.campaign_id = ? and c.unit_path like ?
),
h as (
  select h.case_id,
         ${CASE_COUNT_METRICS.map((m) => `count(*) filter (where ${householdFilter(HOUSEHOLD_METRICS[m])})::int as ${q(m)}`).join(',\n         ')}
  from household h join c on c.id = h.case_id
  group by h.case_id
),
per_case as (
  select c.child, c.recognised, h.case_id is not null as from_households,
         ${CASE_COUNT_METRICS.map((m) => {
           const snap = SNAPSHOT_METRICS[m];
           return `case when h.case_id is not null then h.${q(m)} else ${snap ? snapshotInt(snap.event, snap.field) : 'null'} end as ${q(m)}`;
         }).join(',\n         ')}
  from c left join h on h.case_id = c.id
)
select child, grouping(child) = 1 as is_total,
       count(*)::int as "villagesTotal",
       count(*) filter (where recognised)::int as "villagesRecognised",
       count(*) filter (where recognised and from_households)::int as "villagesWithHouseholdList",
       ${CASE_COUNT_METRICS.map((m) => `(case when bool_or(recognised and ${q(m)} is null) then null else coalesce(sum(${q(m)}) filter (where recognised), 0) end)::int as ${q(m)}`).join(',\n       ')}
from per_case
group by grouping sets ((child), ())
`;

/** For tests and the curious: the generated query. */
export const REPORT_SUMMARY_SQL = SUMMARY_SQL;
