import type { Actor } from '@rasoat/contracts';
import type { UnitSeed } from '@rasoat/engine';

/** The shipped definition every bench campaign runs (workflows/national/2022-2025/periodic-review.yaml). */
export const DEFINITION_KEY = 'periodic-review@1';

/**
 * A generated province: `villages` villages, ten per commune, communes directly under the
 * province (the post-2025 shape) or grouped in districts of `communesPerDistrict`.
 * Codes are unique across provinces because every code starts with the province's.
 */
export function generatedProvince(
  code: string,
  villages: number,
  options: { villagesPerCommune?: number; communesPerDistrict?: number } = {},
): UnitSeed[] {
  const perCommune = options.villagesPerCommune ?? 10;
  const units: UnitSeed[] = [{ code, name: `Tỉnh bench ${code}`, level: 'province', parentCode: null }];
  const communes = Math.ceil(villages / perCommune);
  let made = 0;
  for (let c = 0; c < communes; c++) {
    let parent = code;
    if (options.communesPerDistrict) {
      const d = Math.floor(c / options.communesPerDistrict);
      parent = `${code}D${String(d).padStart(3, '0')}`;
      if (c % options.communesPerDistrict === 0)
        units.push({ code: parent, name: `Huyện ${d}`, level: 'district', parentCode: code });
    }
    const commune = `${code}C${String(c).padStart(5, '0')}`;
    units.push({ code: commune, name: `Xã ${c}`, level: 'commune', parentCode: parent });
    for (let v = 0; v < perCommune && made < villages; v++, made++) {
      units.push({
        code: `${commune}V${String(v).padStart(2, '0')}`,
        name: `Thôn ${v + 1}`,
        level: 'village',
        parentCode: commune,
      });
    }
  }
  return units;
}

/**
 * The regular review (rà soát thường xuyên): its first event, a household's request registered by
 * the commune committee, is what a commune office enters for its villages in one batch.
 */
export const COMMUNE_DEFINITION_KEY = 'regular-review@1';

/** The i-th village's request, registered by its commune (regular-review's first step → survey). */
export function requestRegistered(i: number): BenchEvent {
  return {
    type: 'REQUEST_REGISTERED',
    data: {
      requestType: 'enter',
      householdRef: `H${String(i).padStart(6, '0')}`,
      headOfHousehold: `Hộ ${i}`,
      currentList: i % 2 === 0 ? 'none' : 'near_poor',
      receivedOn: campaignWindow().windowStart,
    },
  };
}

/** The village's review board: the role that may send REVIEW_LIST_SUBMITTED and SURVEY_COMPLETED. */
export function villageBoard(villageCode: string): Actor {
  return { sub: `bench-board-${villageCode}`, role: 'village_board', unit: villageCode };
}

export interface BenchEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * A valid opening of the periodic review for the i-th village: the list (listing → survey),
 * then the survey covering every listed household (survey → meeting, the guard
 * `householdsSurveyed >= householdCount` holds).
 */
export function openingEvents(i: number): [BenchEvent, BenchEvent] {
  const householdCount = 30 + (i % 40);
  return [
    {
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount, fromPreviousLists: householdCount - 6, newlyArising: 4, requests: 2 },
    },
    {
      type: 'SURVEY_COMPLETED',
      data: { householdsSurveyed: householdCount, poorCount: 3 + (i % 5), nearPoorCount: 5 + (i % 7) },
    },
  ];
}

/** A campaign window around today (Asia/Ho_Chi_Minh) so that no deadline falls due during a run. */
export function campaignWindow(now = new Date()): { windowStart: string; windowEnd: string; year: number } {
  const day = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  return {
    windowStart: day(now),
    windowEnd: day(new Date(now.getTime() + 90 * 86_400_000)),
    year: Number(day(now).slice(0, 4)),
  };
}
