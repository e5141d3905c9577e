import { mulberry32 } from './prng';
import { answersFor, expectedClass, householdList, type SurveyProfile } from './village-households';

/** The lines of the 2026–2030 standard (config/poverty-rules/2026-2030.yaml), as the model receives them. */
const PROFILE: SurveyProfile = {
  indicators: [
    'employment',
    'dependants',
    'nutrition',
    'health_insurance',
    'adult_education',
    'child_school_attendance',
    'housing_quality',
    'housing_area',
    'water_source',
    'latrine',
    'waste_treatment',
    'digital_use',
  ],
  areas: {
    rural: { povertyLine: 2_200_000, nearPoorLine: 2_200_000, deprivationThreshold: 3 },
    urban: { povertyLine: 2_800_000, nearPoorLine: 2_800_000, deprivationThreshold: 3 },
  },
};

describe('the households of a village’s review list', () => {
  it('draws answers that the lines classify as intended, in both areas', () => {
    const random = mulberry32(7);
    for (const area of ['rural', 'urban'] as const)
      for (const target of ['poor', 'near_poor', 'not_poor'] as const)
        for (let i = 0; i < 200; i++) {
          const a = answersFor(random, target, area, PROFILE);
          expect(a.expected).toBe(target);
          expect(expectedClass(a.incomePerCapitaMonthly, a.deprivations, area, PROFILE)).toBe(target);
          expect(new Set(a.deprivations).size).toBe(a.deprivations.length);
          expect(a.deprivations.every((d) => PROFILE.indicators.includes(d))).toBe(true);
          expect(a.incomePerCapitaMonthly % 1000).toBe(0);
        }
  });

  it('lists last year’s households, those arising and the requests, with unique codes and names', () => {
    const list = householdList(mulberry32(3), { previous: 10, newlyArising: 2, requests: 3 }, 'urban', PROFILE);
    expect(list).toHaveLength(15);
    expect(new Set(list.map((h) => h.code)).size).toBe(15);
    expect(list.filter((h) => h.source === 'newly_arising')).toHaveLength(2);
    expect(list.filter((h) => h.source === 'request')).toHaveLength(3);
    expect(list.filter((h) => h.source.startsWith('previous_'))).toHaveLength(10);
    expect(list.every((h) => h.area === 'urban' && h.memberCount >= 1 && h.headName.split(' ').length === 3)).toBe(
      true,
    );
  });

  it('is the same list for the same seed', () => {
    const a = householdList(mulberry32(11), { previous: 6, newlyArising: 1, requests: 1 }, 'rural', PROFILE);
    const b = householdList(mulberry32(11), { previous: 6, newlyArising: 1, requests: 1 }, 'rural', PROFILE);
    expect(a).toEqual(b);
  });
});
