import type { HouseholdClassification, HouseholdListSource } from '@rasoat/persistence';

/**
 * The figures of the summary tables (Biểu 7.x), per administrative unit. Every figure except the
 * village counts covers **recognised villages only** (lists recognised by the commune chairman —
 * `LISTS_RECOGNISED` recorded — or household lists locked): a report of results, not of work in
 * progress. Rates are shares of the households reviewed, not of every resident household (which
 * the engine does not know).
 *
 * A figure is `null` when it is not known for every recognised village of the row (villages
 * whose case only carries the recognition form's totals cannot tell e.g. how many households
 * newly entered the poor list); it is never a partial sum.
 */
export const COUNT_METRICS = [
  'villagesTotal',
  'villagesRecognised',
  'villagesWithHouseholdList',
  'householdsReviewed',
  'poor',
  'nearPoor',
  'previousPoor',
  'escapedPoverty',
  'poorToNearPoor',
  'newlyPoor',
  'nearPoorToPoor',
  'previousNearPoor',
  'escapedNearPoverty',
  'newlyNearPoor',
] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

/** Figures derived from the counts of the same row (never summed). */
export const DERIVED_METRICS = ['poorRate', 'nearPoorRate', 'poorAndNearPoor', 'poorAndNearPoorRate'] as const;
export type DerivedMetric = (typeof DERIVED_METRICS)[number];

export const REPORT_METRICS = [...COUNT_METRICS, ...DERIVED_METRICS] as const;
export type ReportMetric = CountMetric | DerivedMetric;
export type MetricValues = Record<ReportMetric, number | null>;

/** How a metric is shown: whole numbers, or a share (a fraction; XLSX formats it as %). */
export function metricFormat(metric: ReportMetric): 'integer' | 'percent' {
  return metric.endsWith('Rate') ? 'percent' : 'integer';
}

/** Counts computed per case (the village counts are counted over cases instead). */
export type CaseCountMetric = Exclude<
  CountMetric,
  'villagesTotal' | 'villagesRecognised' | 'villagesWithHouseholdList'
>;
export const CASE_COUNT_METRICS = COUNT_METRICS.filter((m): m is CaseCountMetric => !m.startsWith('villages'));

export const HOUSEHOLD_SOURCES: readonly HouseholdListSource[] = [
  'previous_poor',
  'previous_near_poor',
  'newly_arising',
  'request',
];
export const HOUSEHOLD_CLASSES: readonly HouseholdClassification[] = ['poor', 'near_poor', 'average', 'not_poor'];

/** Which household rows a metric counts: a source and a classification filter (`any`: no filter, unclassified rows included). */
export interface HouseholdFilter {
  sources: readonly HouseholdListSource[] | 'any';
  classes: readonly HouseholdClassification[] | 'any';
}

const NOT_POOR_OR_NEAR: readonly HouseholdClassification[] = ['average', 'not_poor'];

/**
 * Household rows → figures: why the household is on the review list (`source`) against the
 * recognised result (`classification`). The lists move like this (— : counted in no movement):
 *
 * | source \ classification   | poor                                 | near_poor                                               | average / not_poor  |
 * |---------------------------|--------------------------------------|---------------------------------------------------------|---------------------|
 * | previous_poor             | — (still poor)                       | escapedPoverty, poorToNearPoor, newlyNearPoor           | escapedPoverty      |
 * | previous_near_poor        | newlyPoor, nearPoorToPoor            | — (still near-poor)                                     | escapedNearPoverty  |
 * | newly_arising, request    | newlyPoor                            | newlyNearPoor                                           | —                   |
 *
 * Plus, for every row: `householdsReviewed`; `previousPoor` / `previousNearPoor` by source;
 * `poor` / `nearPoor` by classification. So each list balances:
 * poor = previousPoor − escapedPoverty + newlyPoor, and
 * nearPoor = previousNearPoor − escapedNearPoverty − nearPoorToPoor + newlyNearPoor
 * (for classified households; `report-metrics.spec.ts` checks every cell).
 *
 * "Escaped poverty" counts a poor household that became near-poor (thoát nghèo sang cận nghèo,
 * shown again as "of which"), like `classifyTransition`'s `escaped_poverty_to_near_poor`;
 * "newly poor / near-poor" counts every household *entering* the list, including from the other
 * list (shown as "of which"). `classifyTransition`'s `new_near_poor` excludes poor → near-poor:
 * it is newlyNearPoor − poorToNearPoor here.
 */
export const HOUSEHOLD_METRICS: Record<CaseCountMetric, HouseholdFilter> = {
  householdsReviewed: { sources: 'any', classes: 'any' },
  poor: { sources: 'any', classes: ['poor'] },
  nearPoor: { sources: 'any', classes: ['near_poor'] },
  previousPoor: { sources: ['previous_poor'], classes: 'any' },
  escapedPoverty: { sources: ['previous_poor'], classes: ['near_poor', ...NOT_POOR_OR_NEAR] },
  poorToNearPoor: { sources: ['previous_poor'], classes: ['near_poor'] },
  newlyPoor: { sources: ['previous_near_poor', 'newly_arising', 'request'], classes: ['poor'] },
  nearPoorToPoor: { sources: ['previous_near_poor'], classes: ['poor'] },
  previousNearPoor: { sources: ['previous_near_poor'], classes: 'any' },
  escapedNearPoverty: { sources: ['previous_near_poor'], classes: NOT_POOR_OR_NEAR },
  newlyNearPoor: { sources: ['previous_poor', 'newly_arising', 'request'], classes: ['near_poor'] },
};

/**
 * A case without household rows: its figures come from its snapshot, i.e. the last accepted
 * payload of an event (`context.data.<EVENT>.<field>`, periodic-review@1). Metrics not listed
 * here are unknown for such a case. The recognition form's "escaped poverty" is taken to mean
 * the same as above (including poor → near-poor): the form does not say.
 */
export const SNAPSHOT_METRICS: Partial<Record<CaseCountMetric, { event: string; field: string }>> = {
  householdsReviewed: { event: 'REVIEW_LIST_SUBMITTED', field: 'householdCount' },
  poor: { event: 'LISTS_RECOGNISED', field: 'poorCount' },
  nearPoor: { event: 'LISTS_RECOGNISED', field: 'nearPoorCount' },
  escapedPoverty: { event: 'LISTS_RECOGNISED', field: 'escapedPovertyCount' },
  escapedNearPoverty: { event: 'LISTS_RECOGNISED', field: 'escapedNearPovertyCount' },
};

/** The event whose payload in the snapshot means "lists recognised". */
export const RECOGNITION_EVENT = 'LISTS_RECOGNISED';

/** True when a household with this source and classification counts in `metric` (the table above, as a predicate). */
export function householdCounts(
  metric: CaseCountMetric,
  source: HouseholdListSource,
  classification: HouseholdClassification | null,
): boolean {
  const filter = HOUSEHOLD_METRICS[metric];
  const sourceOk = filter.sources === 'any' || filter.sources.includes(source);
  const classOk = filter.classes === 'any' || (classification !== null && filter.classes.includes(classification));
  return sourceOk && classOk;
}

/** The derived figures of a row from its counts: rates over the households reviewed (null when unknown or zero). */
export function withDerived(counts: Record<CountMetric, number | null>): MetricValues {
  const share = (n: number | null) =>
    n === null || counts.householdsReviewed === null || counts.householdsReviewed === 0
      ? null
      : n / counts.householdsReviewed;
  const both = counts.poor === null || counts.nearPoor === null ? null : counts.poor + counts.nearPoor;
  return {
    ...counts,
    poorRate: share(counts.poor),
    nearPoorRate: share(counts.nearPoor),
    poorAndNearPoor: both,
    poorAndNearPoorRate: share(both),
  };
}
