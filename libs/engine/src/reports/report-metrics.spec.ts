import { classifyTransition } from '@rasoat/poverty-rules';
import type { HouseholdClassification, HouseholdListSource } from '@rasoat/persistence';
import {
  CASE_COUNT_METRICS,
  HOUSEHOLD_CLASSES,
  HOUSEHOLD_SOURCES,
  householdCounts,
  withDerived,
  type CaseCountMetric,
  type CountMetric,
} from './report-metrics';

const counted = (source: HouseholdListSource, cls: HouseholdClassification) =>
  Object.fromEntries(CASE_COUNT_METRICS.map((m) => [m, householdCounts(m, source, cls) ? 1 : 0])) as Record<
    CaseCountMetric,
    number
  >;

describe('report metrics: household source × classification', () => {
  const cells = HOUSEHOLD_SOURCES.flatMap((source) => HOUSEHOLD_CLASSES.map((cls) => [source, cls] as const));

  it.each(cells)('%s → %s keeps both lists balanced', (source, cls) => {
    const c = counted(source, cls);
    expect(c.householdsReviewed).toBe(1);
    expect(c.poor).toBe(c.previousPoor - c.escapedPoverty + c.newlyPoor);
    expect(c.nearPoor).toBe(c.previousNearPoor - c.escapedNearPoverty - c.nearPoorToPoor + c.newlyNearPoor);
    // "Of which" columns are parts of their totals.
    expect(c.poorToNearPoor).toBeLessThanOrEqual(c.escapedPoverty);
    expect(c.poorToNearPoor).toBeLessThanOrEqual(c.newlyNearPoor);
    expect(c.nearPoorToPoor).toBeLessThanOrEqual(c.newlyPoor);
  });

  it.each(cells)('%s → %s agrees with classifyTransition', (source, cls) => {
    const c = counted(source, cls);
    const previous = source === 'previous_poor' ? 'poor' : source === 'previous_near_poor' ? 'near_poor' : null;
    const t = classifyTransition(previous, cls);
    expect(c.escapedPoverty === 1).toBe(t === 'escaped_poverty' || t === 'escaped_poverty_to_near_poor');
    expect(c.poorToNearPoor === 1).toBe(t === 'escaped_poverty_to_near_poor');
    expect(c.escapedNearPoverty === 1).toBe(t === 'escaped_near_poverty');
    expect(c.newlyPoor === 1).toBe(t === 'new_poor');
    expect(c.newlyNearPoor - c.poorToNearPoor === 1).toBe(t === 'new_near_poor');
  });

  it('an unclassified household counts as reviewed and by source only', () => {
    const reviewedOnly = CASE_COUNT_METRICS.filter((m) => householdCounts(m, 'previous_poor', null));
    expect(reviewedOnly.sort()).toEqual(['householdsReviewed', 'previousPoor']);
  });
});

describe('derived figures', () => {
  const base = (over: Partial<Record<CountMetric, number | null>>) =>
    ({
      villagesTotal: 1,
      villagesRecognised: 1,
      villagesWithHouseholdList: 0,
      householdsReviewed: 40,
      poor: 4,
      nearPoor: 6,
      previousPoor: null,
      escapedPoverty: 1,
      poorToNearPoor: null,
      newlyPoor: null,
      nearPoorToPoor: null,
      previousNearPoor: null,
      escapedNearPoverty: 0,
      newlyNearPoor: null,
      ...over,
    }) as Record<CountMetric, number | null>;

  it('rates are shares of the households reviewed', () => {
    expect(withDerived(base({}))).toMatchObject({
      poorRate: 0.1,
      nearPoorRate: 0.15,
      poorAndNearPoor: 10,
      poorAndNearPoorRate: 0.25,
    });
  });

  it('no households or unknown counts give no rate', () => {
    expect(withDerived(base({ householdsReviewed: 0, poor: 0, nearPoor: 0 }))).toMatchObject({
      poorRate: null,
      nearPoorRate: null,
      poorAndNearPoor: 0,
    });
    expect(withDerived(base({ poor: null }))).toMatchObject({
      poorRate: null,
      poorAndNearPoor: null,
      poorAndNearPoorRate: null,
      nearPoorRate: 0.15,
    });
  });
});
