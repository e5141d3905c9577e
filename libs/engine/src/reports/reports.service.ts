import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import type { UnitLevel } from '@rasoat/persistence';
import { fieldBounds, type Definition } from '@rasoat/workflow-core';
import { CampaignsService } from '../campaigns';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitsService } from '../units';
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
    private readonly registry: DefinitionRegistry,
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
    const ranges = snapshotRanges((await this.registry.get(campaign.definitionKey)).definition);
    const em = this.em.fork();
    const [rows, outOfRange] = await Promise.all([
      em.execute<(Record<CountMetric, number | string | null> & { child: string | null; is_total: boolean })[]>(SUMMARY_SQL, [JSON.stringify(ranges), unit.path.length + 1, campaign.id, `${unit.path}%`]),
      em.execute<Omit<OutOfRangeValue, 'range'>[]>(OUT_OF_RANGE_SQL, [JSON.stringify(ranges), campaign.id, `${unit.path}%`]),
    ]);
    // Sums come back as bigint, i.e. as text; every one is exact in a number (field-limits.ts).
    const counts = (row: (typeof rows)[number] | undefined): Record<CountMetric, number | null> =>
      Object.fromEntries(COUNT_METRICS.map((m) => {
        const value = row?.[m];
        return [m, value === null || value === undefined ? (m.startsWith('villages') || row === undefined ? 0 : null) : Number(value)];
      })) as Record<CountMetric, number | null>;
    const byChild = new Map(rows.filter((r) => !r.is_total).map((r) => [r.child, r]));
    const totalRow = rows.find((r) => r.is_total);
    return {
      unit: { code: unit.code, name: unit.name, level: unit.level },
      campaign: { id: campaign.id, year: campaign.year, provinceCode: campaign.provinceCode, definitionKey: campaign.definitionKey },
      generatedAt,
      rows: children.map((c) => ({ code: c.code, name: c.name, level: c.level, values: withDerived(counts(byChild.get(c.code))) })),
      total: { code: unit.code, name: unit.name, level: unit.level, values: withDerived(counts(totalRow)) },
      outOfRange: outOfRange.map((v) => ({ ...v, range: ranges[v.metric] as { min: number; max: number } })),
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

type SnapshotMetric = keyof typeof SNAPSHOT_METRICS;
const SNAPSHOT_METRIC_NAMES = Object.keys(SNAPSHOT_METRICS) as SnapshotMetric[];

/** The range each snapshot figure's field allows in the definition (its `min`/`max`, else the default range). */
function snapshotRanges(definition: Definition): Partial<Record<CountMetric, { min: number; max: number }>> {
  return Object.fromEntries(
    SNAPSHOT_METRIC_NAMES.map((m) => {
      const { event, field } = SNAPSHOT_METRICS[m] as { event: string; field: string };
      const spec = definition.events[event]?.fields[field];
      return [m, fieldBounds(spec && (spec.type === 'integer' || spec.type === 'number') ? spec : {})];
    }),
  );
}

/** `context.data.<event>.<field>` of a case's snapshot, as jsonb (null when absent). */
function snapshotJson(event: string, field: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(event) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`bad snapshot path ${event}.${field}`);
  return `(c.snapshot #> '{context,data,${event},${field}}')`;
}

/**
 * True when a jsonb value is a whole number inside a metric's range, read from the ranges
 * parameter `r.ranges` (`{ metric: { min, max } }`; `metric` is SQL: a quoted name or a column).
 * Compared as numeric, so that no stored value — a string, 2^53, 1e300 — can make the query fail.
 */
function inRange(value: string, metric: string): string {
  // A case, not an "and": PostgreSQL may evaluate the operands of "and" in any order, and a cast of a string to numeric fails.
  return `(case when jsonb_typeof(${value}) = 'number'
    then (${value})::numeric = trunc((${value})::numeric)
     and (${value})::numeric between (r.ranges -> ${metric} ->> 'min')::numeric and (r.ranges -> ${metric} ->> 'max')::numeric
    else false end)`;
}

/** The figure a case's snapshot gives for a metric: the recorded integer when it is in range, else null (unknown). */
function snapshotFigure(metric: SnapshotMetric): string {
  const { event, field } = SNAPSHOT_METRICS[metric] as { event: string; field: string };
  const value = snapshotJson(event, field);
  return `case when ${inRange(value, `'${metric}'`)} then (${value})::numeric end`;
}

const q = (metric: string) => `"${metric}"`;

/**
 * Parameters: 1. the snapshot figures' ranges (`snapshotRanges`, JSON), 2. the length of the
 * unit's path + 1 (where a child's code starts in a case's path), 3. the campaign, 4. the unit's
 * path prefix. Grouping set `()` is the unit's total. Sums are numeric, returned as bigint.
 */
const SUMMARY_SQL = `
with r as (select ?::jsonb as ranges),
c as (
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
           return `case when h.case_id is not null then h.${q(m)}::numeric else ${snap ? snapshotFigure(m as SnapshotMetric) : 'null'} end as ${q(m)}`;
         }).join(',\n         ')}
  from c cross join r left join h on h.case_id = c.id
)
select child, grouping(child) = 1 as is_total,
       count(*)::int as "villagesTotal",
       count(*) filter (where recognised)::int as "villagesRecognised",
       count(*) filter (where recognised and from_households)::int as "villagesWithHouseholdList",
       ${CASE_COUNT_METRICS.map((m) => `(case when bool_or(recognised and ${q(m)} is null) then null else coalesce(sum(${q(m)}) filter (where recognised), 0) end)::bigint as ${q(m)}`).join(',\n       ')}
from per_case
group by grouping sets ((child), ())
`;

/**
 * The recorded values the summary leaves out (`inRange` false), per case and metric. Parameters:
 * 1. the ranges (JSON), 2. the campaign, 3. the unit's path prefix.
 */
const OUT_OF_RANGE_SQL = `
with r as (select ?::jsonb as ranges)
select c.id as "caseId", c.village_code as "villageCode", m.metric, m.event, m.field, m.value::text as value
from review_case c cross join r
cross join lateral (values
  ${SNAPSHOT_METRIC_NAMES.map((m) => {
    const { event, field } = SNAPSHOT_METRICS[m] as { event: string; field: string };
    return `('${m}', '${event}', '${field}', ${snapshotJson(event, field)})`;
  }).join(',\n  ')}
) as m(metric, event, field, value)
where c.campaign_id = ? and c.unit_path like ? and m.value is not null and jsonb_typeof(m.value) <> 'null' and not ${inRange('m.value', 'm.metric')}
order by c.village_code, m.metric
`;

/** For tests and the curious: the generated query. */
export const REPORT_SUMMARY_SQL = SUMMARY_SQL;
