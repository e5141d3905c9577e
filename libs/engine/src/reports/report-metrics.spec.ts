import { classifyTransition } from '@rasoat/poverty-rules';
import type { HouseholdClassification, HouseholdListSource } from '@rasoat/persistence';
import {
  CASE_COUNT_METRICS,
  COUNT_METRICS,
  HOUSEHOLD_CLASSES,
  HOUSEHOLD_SOURCES,
  householdContribution,
  householdCounts,
  indicatorValue,
  withDerived,
  type CaseCountMetric,
  type CountMetric,
} from './report-metrics';

const MEMBERS = 4;
const counted = (source: HouseholdListSource, cls: HouseholdClassification) =>
  Object.fromEntries(
    CASE_COUNT_METRICS.map((m) => [m, householdContribution(m, { source, classification: cls, memberCount: MEMBERS })]),
  ) as Record<CaseCountMetric, number>;

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

  it.each(cells)('%s → %s: the movements of forms 7.2 and 7.3 add up to their totals', (source, cls) => {
    const c = counted(source, cls);
    // 7.2: decrease = became near-poor + above the near-poor line; increase = from near-poor + new.
    expect(c.escapedPoverty).toBe(c.poorToNearPoor + c.poorLeftBothLists);
    expect(c.newlyPoor).toBe(c.nearPoorToPoor + c.newlyPoorFromOutside);
    // 7.3: decrease = became poor + escaped near-poverty; increase = from poor + new.
    expect(c.nearPoorDecrease).toBe(c.nearPoorToPoor + c.escapedNearPoverty);
    expect(c.newlyNearPoor).toBe(c.poorToNearPoor + c.newlyNearPoorFromOutside);
    expect(c.nearPoor).toBe(c.previousNearPoor - c.nearPoorDecrease + c.newlyNearPoor);
  });

  it.each(cells)(
    '%s → %s: members are counted with the household’s class, average living standard apart',
    (source, cls) => {
      const c = counted(source, cls);
      expect(c.poorMembers).toBe(c.poor * MEMBERS);
      expect(c.nearPoorMembers).toBe(c.nearPoor * MEMBERS);
      expect(c.averageLiving).toBe(cls === 'average' ? 1 : 0);
      expect(c.averageLivingMembers).toBe(c.averageLiving * MEMBERS);
    },
  );

  it('a household entering from outside both lists is "new" (tái nghèo included); one from the other list is not', () => {
    expect(counted('newly_arising', 'poor')).toMatchObject({
      newlyPoor: 1,
      newlyPoorFromOutside: 1,
      nearPoorToPoor: 0,
    });
    expect(counted('request', 'near_poor')).toMatchObject({ newlyNearPoor: 1, newlyNearPoorFromOutside: 1 });
    expect(counted('previous_near_poor', 'poor')).toMatchObject({
      newlyPoor: 1,
      newlyPoorFromOutside: 0,
      nearPoorDecrease: 1,
    });
    expect(counted('previous_poor', 'not_poor')).toMatchObject({
      escapedPoverty: 1,
      poorLeftBothLists: 1,
      poorToNearPoor: 0,
    });
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
    expect(
      householdContribution('poorMembers', { source: 'previous_poor', classification: null, memberCount: 5 }),
    ).toBe(0);
  });
});

describe('derived figures', () => {
  const base = (over: Partial<Record<CountMetric, number | null>>) =>
    ({
      ...Object.fromEntries(COUNT_METRICS.map((m) => [m, null])),
      villagesTotal: 1,
      villagesRecognised: 1,
      villagesWithHouseholdList: 0,
      householdsReviewed: 40,
      poor: 4,
      nearPoor: 6,
      escapedPoverty: 1,
      escapedNearPoverty: 0,
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

describe('figures per deprivation indicator (forms 7.4, 7.5)', () => {
  const values = (poor: number | null, nearPoor: number | null) =>
    withDerived({
      ...(Object.fromEntries(COUNT_METRICS.map((m) => [m, 0])) as Record<CountMetric, number>),
      householdsReviewed: 20,
      poor,
      nearPoor,
    });

  it('counts the poor and near-poor households deprived in an indicator, and their share of that class', () => {
    const row = { values: values(8, 5), indicators: { latrine: { poor: 6, nearPoor: 1 } } };
    expect(indicatorValue('poorDeprived', row, 'latrine')).toBe(6);
    expect(indicatorValue('poorDeprivedRate', row, 'latrine')).toBe(0.75);
    expect(indicatorValue('nearPoorDeprived', row, 'latrine')).toBe(1);
    expect(indicatorValue('nearPoorDeprivedRate', row, 'latrine')).toBe(0.2);
  });

  it('an indicator no household of a known row is deprived in counts 0; an unknown row gives no figure', () => {
    const known = { values: values(8, 0), indicators: {} };
    expect(indicatorValue('poorDeprived', known, 'telecom')).toBe(0);
    expect(indicatorValue('poorDeprivedRate', known, 'telecom')).toBe(0);
    // No near-poor household: no share.
    expect(indicatorValue('nearPoorDeprivedRate', known, 'telecom')).toBeNull();
    const unknown = { values: values(8, 5), indicators: null };
    for (const metric of ['poorDeprived', 'poorDeprivedRate', 'nearPoorDeprived', 'nearPoorDeprivedRate'] as const)
      expect(indicatorValue(metric, unknown, 'latrine')).toBeNull();
  });
});
