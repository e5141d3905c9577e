import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  CASE_COUNT_METRICS,
  HOUSEHOLD_METRICS,
  RECOGNITION_EVENT,
  SNAPSHOT_METRICS,
  type CountMetric,
  type HouseholdFilter,
} from './report-metrics';

/** The range each snapshot figure's field allows in the campaign's definition. */
export type SnapshotRanges = Partial<Record<CountMetric, { min: number; max: number }>>;

/** One group of the summary: a child unit's figures, or the unit's total (`is_total`); sums come back as text (bigint). */
export type SummaryRowData = Record<CountMetric, number | string | null> & { child: string | null; is_total: boolean };

/** A recorded snapshot value outside its range; `value` is its JSON text, exactly as stored. */
export interface OutOfRangeRow {
  caseId: string;
  villageCode: string;
  metric: CountMetric;
  event: string;
  field: string;
  value: string;
}

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

/** A household metric over the rows of a case: a count, or the sum of the members (0 when none). */
function householdAggregate(filter: HouseholdFilter): string {
  return filter.measure === 'members'
    ? `coalesce(sum(h.member_count) filter (where ${householdFilter(filter)}), 0)::bigint`
    : `count(*) filter (where ${householdFilter(filter)})::int`;
}

type SnapshotMetric = keyof typeof SNAPSHOT_METRICS;
const SNAPSHOT_METRIC_NAMES = Object.keys(SNAPSHOT_METRICS) as SnapshotMetric[];

/** `context.data.<event>.<field>` of a case's snapshot, as jsonb (null when absent). */
function snapshotJson(event: string, field: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(event) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field))
    throw new Error(`bad snapshot path ${event}.${field}`);
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
         ${CASE_COUNT_METRICS.map((m) => `${householdAggregate(HOUSEHOLD_METRICS[m])} as ${q(m)}`).join(',\n         ')}
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

/** One group of the per-indicator counts: a child unit's (or, `is_total`, the unit's) poor and near-poor households by rule-set period and indicator. */
export interface IndicatorCountRow {
  child: string | null;
  is_total: boolean;
  /** The period of the rule set that classified the households (`2022-2025` of `2022-2025+24`); null when none is recorded. */
  period: string | null;
  /** The indicator; null for the households deprived in nothing or whose deprivations are not recorded. */
  code: string | null;
  poor: number;
  nearPoor: number;
  /** Poor or near-poor households of the group whose deprivations are not recorded (their counts are unknown). */
  unknown: number;
}

/**
 * The poor and near-poor households of the recognised villages, counted per deprivation indicator
 * they are deprived in, per child unit and in total (grouping set `(period, code)`). Parameters:
 * 1. where a child's code starts in a case's path, 2. the campaign, 3. the unit's path prefix.
 */
const INDICATOR_SQL = `
with c as (
  select c.id, split_part(substr(c.unit_path, ?), '/', 1) as child
  from review_case c
  where c.campaign_id = ? and c.unit_path like ?
    and (c.households_locked_at is not null or c.snapshot #> '{context,data,${RECOGNITION_EVENT}}' is not null)
),
h as (
  select c.child, h.classification, split_part(h.rule_set, '+', 1) as period,
         case when jsonb_typeof(h.deprivations) = 'array' then h.deprivations end as deprivations
  from household h join c on c.id = h.case_id
  where h.classification in ('poor', 'near_poor')
)
select h.child, grouping(h.child) = 1 as is_total, h.period, d.code,
       count(*) filter (where h.classification = 'poor')::int as poor,
       count(*) filter (where h.classification = 'near_poor')::int as "nearPoor",
       count(*) filter (where h.deprivations is null)::int as unknown
from h left join lateral jsonb_array_elements_text(h.deprivations) as d(code) on true
group by grouping sets ((h.child, h.period, d.code), (h.period, d.code))
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

/**
 * The SQL of the summary tables (Biểu mẫu 7.1–7.11): one set-based query over a campaign's cases
 * under a unit, grouped by the child unit read from each case's materialised path, with the
 * unit's total as a grouping set of the same query; the poor and near-poor households per
 * deprivation indicator, grouped the same way; and the recorded values the summary leaves out.
 * The summary is generated from the metric tables (`report-metrics.ts`) so that code and
 * documentation cannot drift.
 */
@Injectable()
export class ReportRepository {
  constructor(private readonly em: EntityManager) {}

  /** The figures per child unit under `unitPath` (the child's code starts at `childStart` in a case's path) and the total. */
  summary(ranges: SnapshotRanges, campaignId: string, unitPath: string, childStart: number): Promise<SummaryRowData[]> {
    return this.em
      .fork()
      .execute<SummaryRowData[]>(SUMMARY_SQL, [JSON.stringify(ranges), childStart, campaignId, `${unitPath}%`]);
  }

  /** Poor and near-poor households of the recognised villages per deprivation indicator, per child unit and in total. */
  indicatorCounts(campaignId: string, unitPath: string, childStart: number): Promise<IndicatorCountRow[]> {
    return this.em.fork().execute<IndicatorCountRow[]>(INDICATOR_SQL, [childStart, campaignId, `${unitPath}%`]);
  }

  /** The snapshot values under `unitPath` that the summary leaves out, by village and metric. */
  outOfRange(ranges: SnapshotRanges, campaignId: string, unitPath: string): Promise<OutOfRangeRow[]> {
    return this.em
      .fork()
      .execute<OutOfRangeRow[]>(OUT_OF_RANGE_SQL, [JSON.stringify(ranges), campaignId, `${unitPath}%`]);
  }
}
