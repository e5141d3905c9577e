import type { HouseholdClass } from './classify-household';
import { classifyTransition, type HouseholdTransition } from './classify-transition';

describe('classifyTransition', () => {
  it.each<[HouseholdClass | null, HouseholdClass, HouseholdTransition]>([
    ['poor', 'poor', 'remained_poor'],
    ['poor', 'near_poor', 'escaped_poverty_to_near_poor'],
    ['poor', 'average', 'escaped_poverty'],
    ['poor', 'not_poor', 'escaped_poverty'],
    ['near_poor', 'poor', 'new_poor'],
    ['near_poor', 'near_poor', 'remained_near_poor'],
    ['near_poor', 'average', 'escaped_near_poverty'],
    ['near_poor', 'not_poor', 'escaped_near_poverty'],
    ['average', 'poor', 'new_poor'],
    ['average', 'near_poor', 'new_near_poor'],
    ['average', 'not_poor', 'off_lists'],
    ['not_poor', 'poor', 'new_poor'],
    ['not_poor', 'near_poor', 'new_near_poor'],
    ['not_poor', 'average', 'off_lists'],
    [null, 'poor', 'new_poor'],
    [null, 'near_poor', 'new_near_poor'],
    [null, 'not_poor', 'off_lists'],
  ])('%s → %s is %s', (previous, next, expected) => {
    expect(classifyTransition(previous, next)).toBe(expected);
  });
});
