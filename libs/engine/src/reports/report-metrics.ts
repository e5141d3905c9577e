import type { HouseholdClassification, HouseholdListSource } from '@rasoat/persistence';

/**
 * The figures of the summary tables (Biểu mẫu 7.1–7.11), per administrative unit. Every figure
 * except the village counts covers **recognised villages only** (lists recognised by the commune
 * chairman — `LISTS_RECOGNISED` recorded — or household lists locked): a report of results, not
 * of work in progress. Rates are shares of the households reviewed, not of every resident
 * household (which the engine does not know).
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
  'poorMembers',
  'nearPoor',
  'nearPoorMembers',
  'averageLiving',
  'averageLivingMembers',
  'previousPoor',
  'escapedPoverty',
  'poorToNearPoor',
  'poorLeftBothLists',
  'newlyPoor',
  'nearPoorToPoor',
  'newlyPoorFromOutside',
  'previousNearPoor',
  'nearPoorDecrease',
  'escapedNearPoverty',
  'newlyNearPoor',
  'newlyNearPoorFromOutside',
] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

/** Figures derived from the counts of the same row (never summed). */
export const DERIVED_METRICS = ['poorRate', 'nearPoorRate', 'poorAndNearPoor', 'poorAndNearPoorRate'] as const;
export type DerivedMetric = (typeof DERIVED_METRICS)[number];

export const REPORT_METRICS = [...COUNT_METRICS, ...DERIVED_METRICS] as const;
export type ReportMetric = CountMetric | DerivedMetric;
export type MetricValues = Record<ReportMetric, number | null>;

/**
 * Figures per deprivation indicator (Biểu 7.4, 7.5): how many poor (near-poor) households are
 * deprived in the indicator, and that count as a share of the poor (near-poor) households of the
 * row. A table column with one of these keys becomes one column per indicator of the rule set(s)
 * the row's households were classified with (`report-columns.ts`).
 */
export const INDICATOR_METRICS = [
  'poorDeprived',
  'poorDeprivedRate',
  'nearPoorDeprived',
  'nearPoorDeprivedRate',
] as const;
export type IndicatorMetric = (typeof INDICATOR_METRICS)[number];

/**
 * Per indicator code: the poor and near-poor households deprived in it. A row carries these only
 * when they are known for every recognised village of the row (`null` otherwise); a code absent
 * here counts 0.
 */
export type IndicatorCounts = Record<string, { poor: number; nearPoor: number }>;

/** A deprivation indicator as the tables name it (from the rule set the households were classified with). */
export interface ReportIndicator {
  code: string;
  name: { vi: string; en: string };
}

/** How a metric is shown: whole numbers, or a share (a fraction; XLSX formats it as %). */
export function metricFormat(metric: ReportMetric | IndicatorMetric): 'integer' | 'percent' {
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

/**
 * Which household rows a metric counts: a source and a classification filter (`any`: no filter,
 * unclassified rows included), and what it adds up: one per household, or its members (số nhân
 * khẩu, `member_count`).
 */
export interface HouseholdFilter {
  sources: readonly HouseholdListSource[] | 'any';
  classes: readonly HouseholdClassification[] | 'any';
  measure?: 'households' | 'members';
}

const NOT_POOR_OR_NEAR: readonly HouseholdClassification[] = ['average', 'not_poor'];
const OUTSIDE_LISTS: readonly HouseholdListSource[] = ['newly_arising', 'request'];

/**
 * Household rows → figures: why the household is on the review list (`source`) against the
 * recognised result (`classification`). The lists move like this (— : counted in no movement):
 *
 * | source \ classification   | poor                                                | near_poor                                                              | average / not_poor                      |
 * |---------------------------|-----------------------------------------------------|------------------------------------------------------------------------|-----------------------------------------|
 * | previous_poor             | — (still poor)                                      | escapedPoverty, poorToNearPoor, newlyNearPoor                          | escapedPoverty, poorLeftBothLists       |
 * | previous_near_poor        | newlyPoor, nearPoorToPoor, nearPoorDecrease         | — (still near-poor)                                                    | escapedNearPoverty, nearPoorDecrease    |
 * | newly_arising, request    | newlyPoor, newlyPoorFromOutside                     | newlyNearPoor, newlyNearPoorFromOutside                                | —                                       |
 *
 * Plus, for every row: `householdsReviewed`; `previousPoor` / `previousNearPoor` by source;
 * `poor` / `nearPoor` / `averageLiving` by classification, and their members (`…Members`). So each
 * list balances, and its movements add up:
 * - poor = previousPoor − escapedPoverty + newlyPoor; escapedPoverty = poorToNearPoor +
 *   poorLeftBothLists; newlyPoor = nearPoorToPoor + newlyPoorFromOutside;
 * - nearPoor = previousNearPoor − nearPoorDecrease + newlyNearPoor; nearPoorDecrease =
 *   nearPoorToPoor + escapedNearPoverty; newlyNearPoor = poorToNearPoor + newlyNearPoorFromOutside
 * (for classified households; `report-metrics.spec.ts` checks every cell).
 *
 * "Escaped poverty" counts a poor household that became near-poor (thoát nghèo sang cận nghèo,
 * shown again as "of which"), like `classifyTransition`'s `escaped_poverty_to_near_poor`;
 * "newly poor / near-poor" counts every household *entering* the list, including from the other
 * list (shown as "of which"). `classifyTransition`'s `new_near_poor` excludes poor → near-poor:
 * it is newlyNearPoor − poorToNearPoor here. A household that enters from outside both lists
 * may be one that was poor in an earlier year (tái nghèo): the list of one year cannot tell, so
 * `newlyPoorFromOutside` includes it. Households that left the village or died are not on the
 * review list: the forms' "other decreases / increases" are not known to the engine.
 * `averageLiving` is the income band of the rule set (hộ có mức sống trung bình); whether the
 * household farms, fishes or makes salt (QĐ 24/2021 Art. 6) is not recorded.
 */
export const HOUSEHOLD_METRICS: Record<CaseCountMetric, HouseholdFilter> = {
  householdsReviewed: { sources: 'any', classes: 'any' },
  poor: { sources: 'any', classes: ['poor'] },
  poorMembers: { sources: 'any', classes: ['poor'], measure: 'members' },
  nearPoor: { sources: 'any', classes: ['near_poor'] },
  nearPoorMembers: { sources: 'any', classes: ['near_poor'], measure: 'members' },
  averageLiving: { sources: 'any', classes: ['average'] },
  averageLivingMembers: { sources: 'any', classes: ['average'], measure: 'members' },
  previousPoor: { sources: ['previous_poor'], classes: 'any' },
  escapedPoverty: { sources: ['previous_poor'], classes: ['near_poor', ...NOT_POOR_OR_NEAR] },
  poorToNearPoor: { sources: ['previous_poor'], classes: ['near_poor'] },
  poorLeftBothLists: { sources: ['previous_poor'], classes: NOT_POOR_OR_NEAR },
  newlyPoor: { sources: ['previous_near_poor', ...OUTSIDE_LISTS], classes: ['poor'] },
  nearPoorToPoor: { sources: ['previous_near_poor'], classes: ['poor'] },
  newlyPoorFromOutside: { sources: OUTSIDE_LISTS, classes: ['poor'] },
  previousNearPoor: { sources: ['previous_near_poor'], classes: 'any' },
  nearPoorDecrease: { sources: ['previous_near_poor'], classes: ['poor', ...NOT_POOR_OR_NEAR] },
  escapedNearPoverty: { sources: ['previous_near_poor'], classes: NOT_POOR_OR_NEAR },
  newlyNearPoor: { sources: ['previous_poor', ...OUTSIDE_LISTS], classes: ['near_poor'] },
  newlyNearPoorFromOutside: { sources: OUTSIDE_LISTS, classes: ['near_poor'] },
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

/** What one household adds to `metric`: 1, or its members for a `…Members` figure, when it counts; else 0. */
export function householdContribution(
  metric: CaseCountMetric,
  household: { source: HouseholdListSource; classification: HouseholdClassification | null; memberCount: number },
): number {
  if (!householdCounts(metric, household.source, household.classification)) return 0;
  return HOUSEHOLD_METRICS[metric].measure === 'members' ? household.memberCount : 1;
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

/**
 * The figure of an indicator column for one row: the count of poor (near-poor) households deprived
 * in `code`, or that count over the row's poor (near-poor) households. Null when the count is not
 * known, or for a share when there is no such household. An indicator that no household of the
 * row is deprived in counts 0 once the row's counts are known.
 */
export function indicatorValue(
  metric: IndicatorMetric,
  row: { values: MetricValues; indicators: IndicatorCounts | null },
  code: string,
): number | null {
  if (row.indicators === null) return null;
  const poorSide = metric === 'poorDeprived' || metric === 'poorDeprivedRate';
  const counts = row.indicators[code];
  const count = counts === undefined ? 0 : poorSide ? counts.poor : counts.nearPoor;
  if (metric === 'poorDeprived' || metric === 'nearPoorDeprived') return count;
  const total = poorSide ? row.values.poor : row.values.nearPoor;
  return total === null || total === 0 ? null : count / total;
}
