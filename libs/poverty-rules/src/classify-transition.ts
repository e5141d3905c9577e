import type { HouseholdClass } from './classify-household';

/**
 * How a household moved between two reviews, for the lists and summary tables:
 * - `escaped_poverty`: poor → average or not poor (thoát nghèo, also out of near-poverty)
 * - `escaped_poverty_to_near_poor`: poor → near-poor (thoát nghèo, vào danh sách cận nghèo)
 * - `escaped_near_poverty`: near-poor → average or not poor (thoát cận nghèo)
 * - `new_poor`: poor now, not poor before or not reviewed (hộ nghèo phát sinh: mới, từ cận nghèo
 *   or tái nghèo; telling tái nghèo apart needs the household's history, not just last year's class)
 * - `new_near_poor`: near-poor now, neither poor nor near-poor before (hộ cận nghèo phát sinh)
 * - `remained_poor`, `remained_near_poor`: on the same list again
 * - `off_lists`: neither poor nor near-poor, before or now (average ↔ not poor included)
 */
export type HouseholdTransition =
  | 'escaped_poverty'
  | 'escaped_poverty_to_near_poor'
  | 'escaped_near_poverty'
  | 'new_poor'
  | 'new_near_poor'
  | 'remained_poor'
  | 'remained_near_poor'
  | 'off_lists';

/** The transition from last review's class (`null`: not classified before) to this review's. */
export function classifyTransition(
  previousClass: HouseholdClass | null,
  newClass: HouseholdClass,
): HouseholdTransition {
  if (previousClass === 'poor') {
    if (newClass === 'poor') return 'remained_poor';
    return newClass === 'near_poor' ? 'escaped_poverty_to_near_poor' : 'escaped_poverty';
  }
  if (newClass === 'poor') return 'new_poor';
  if (previousClass === 'near_poor') return newClass === 'near_poor' ? 'remained_near_poor' : 'escaped_near_poverty';
  return newClass === 'near_poor' ? 'new_near_poor' : 'off_lists';
}
