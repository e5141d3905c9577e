import { ReportRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const CAMPAIGN = '00000000-0000-4000-8000-00000000c0de';
const OTHER_CAMPAIGN = '00000000-0000-4000-8000-00000000c0df';
const RANGE = { min: 0, max: 1000 };
const RANGES = {
  householdsReviewed: RANGE,
  poor: RANGE,
  nearPoor: RANGE,
  escapedPoverty: RANGE,
  escapedNearPoverty: RANGE,
};
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * The summary tables' statements on a real PostgreSQL, each test on a fresh database: figures per
 * child unit from household rows or, without them, from the recognition form in the snapshot.
 * The tables through HTTP, with their layouts and exports, are in reports.e2e-spec.ts.
 */
describe('ReportRepository', () => {
  let db: TestOrm;
  let reports: ReportRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  /** A village's case (the village's code: its path below the province, `D1C1V1`); `data` is its snapshot's `context.data`. */
  const villageCase = (
    n: number,
    path: string,
    data: Record<string, unknown> = {},
    fields: { locked?: boolean; campaign?: string } = {},
  ) =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at, households_locked_at)
       values (?, ?, ?, 'x', ?, 'periodic-review@1', 'reporting', 'active', 7, ?::jsonb, 0, 0, now(), now(), ?)`,
      [
        id(n),
        fields.campaign ?? CAMPAIGN,
        path.split('/').filter(Boolean).slice(1).join(''),
        path,
        JSON.stringify({ step: 'reporting', status: 'active', context: { data } }),
        fields.locked ? new Date() : null,
      ],
    );
  const households = (caseNumber: number, rows: [source: string, classification: string | null][]) =>
    sql(
      `insert into household (id, case_id, code, head_name, member_count, area, source, classification, created_at, updated_at)
       select gen_random_uuid(), ?, 'H' || r.ord, 'Chủ hộ', 3, 'rural', r.v->>'source', r.v->>'classification', now(), now()
       from jsonb_array_elements(?::jsonb) with ordinality as r(v, ord)`,
      [id(caseNumber), JSON.stringify(rows.map(([source, classification]) => ({ source, classification })))],
    );
  /** Household rows with their members, deprivations (`undefined`: not recorded) and rule set. */
  const surveyed = (
    caseNumber: number,
    rows: { source: string; classification: string; members?: number; deprivations?: string[]; ruleSet?: string }[],
  ) =>
    sql(
      `insert into household (id, case_id, code, head_name, member_count, area, source, classification, deprivations, rule_set, created_at, updated_at)
       select gen_random_uuid(), ?, 'H' || r.ord, 'Chủ hộ', (r.v->>'members')::int, 'rural', r.v->>'source', r.v->>'classification',
              r.v->'deprivations', r.v->>'ruleSet', now(), now()
       from jsonb_array_elements(?::jsonb) with ordinality as r(v, ord)`,
      [
        id(caseNumber),
        JSON.stringify(
          rows.map((r) => ({ ruleSet: '2022-2025', members: 3, ...r, deprivations: r.deprivations ?? null })),
        ),
      ],
    );
  const recognised = (poorCount: unknown, nearPoorCount: unknown = 1) => ({
    REVIEW_LIST_SUBMITTED: { householdCount: 10 },
    LISTS_RECOGNISED: { poorCount, nearPoorCount, escapedPovertyCount: 0, escapedNearPovertyCount: 0 },
  });
  const figures = (row: Record<string, unknown> | undefined, ...metrics: string[]) =>
    Object.fromEntries(
      metrics.map((m) => [m, row?.[m] === null || row?.[m] === undefined ? row?.[m] : Number(row[m])]),
    );

  beforeEach(async () => {
    db = await createTestOrm();
    reports = new ReportRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('counts per child unit and in total: household rows where a case has them, else the recognition form’s figures', async () => {
    // District D1: a village with a household list (locked), a village recognised by form only, a village not recognised yet.
    await villageCase(1, '/T1/D1/C1/V1/', {}, { locked: true });
    await households(1, [
      ['previous_poor', 'poor'],
      ['previous_poor', 'near_poor'],
      ['newly_arising', 'poor'],
      ['request', 'average'],
    ]);
    await villageCase(2, '/T1/D1/C1/V2/', recognised(3, 2));
    await villageCase(3, '/T1/D1/C2/V1/', { REVIEW_LIST_SUBMITTED: { householdCount: 8 } });
    // District D2: one village recognised by form; another campaign's case is left out.
    await villageCase(4, '/T1/D2/C1/V1/', recognised(5, 0));
    await villageCase(5, '/T1/D2/C1/V2/', recognised(100, 100), { campaign: OTHER_CAMPAIGN });

    const rows = await reports.summary(RANGES, CAMPAIGN, '/T1/', '/T1/'.length + 1);
    const byChild = new Map(rows.map((r) => [r.is_total ? 'total' : r.child, r]));
    expect([...byChild.keys()].sort()).toEqual(['D1', 'D2', 'total']);
    expect(
      figures(
        byChild.get('D1'),
        'villagesTotal',
        'villagesRecognised',
        'villagesWithHouseholdList',
        'householdsReviewed',
        'poor',
        'nearPoor',
        'newlyPoor',
      ),
    ).toEqual({
      villagesTotal: 3,
      villagesRecognised: 2,
      villagesWithHouseholdList: 1,
      householdsReviewed: 14, // 4 households + the form's 10; the village not recognised is not summed
      poor: 5,
      nearPoor: 3,
      newlyPoor: null, // the form cannot tell it
    });
    expect(figures(byChild.get('D2'), 'villagesTotal', 'villagesRecognised', 'poor', 'nearPoor')).toEqual({
      villagesTotal: 1,
      villagesRecognised: 1,
      poor: 5,
      nearPoor: 0,
    });
    expect(
      figures(
        byChild.get('total'),
        'villagesTotal',
        'villagesRecognised',
        'householdsReviewed',
        'poor',
        'nearPoor',
        'newlyPoor',
      ),
    ).toEqual({
      villagesTotal: 4,
      villagesRecognised: 3,
      householdsReviewed: 24,
      poor: 10,
      nearPoor: 3,
      newlyPoor: null,
    });

    // One district: its communes are the children.
    const d1 = await reports.summary(RANGES, CAMPAIGN, '/T1/D1/', '/T1/D1/'.length + 1);
    expect(
      d1
        .filter((r) => !r.is_total)
        .map((r) => [r.child, r.villagesTotal])
        .sort(),
    ).toEqual([
      ['C1', 2],
      ['C2', 1],
    ]);
  });

  it('leaves out of the sums, as unknown, a recorded figure outside its range, and lists it exactly as stored', async () => {
    await villageCase(1, '/T1/D1/C1/V1/', recognised(3));
    await villageCase(2, '/T1/D1/C1/V2/', recognised(2000));
    await villageCase(3, '/T1/D1/C2/V1/', recognised('4'));
    await villageCase(4, '/T1/D2/C1/V1/', recognised(2.5));

    const rows = await reports.summary(RANGES, CAMPAIGN, '/T1/', 5);
    expect(
      figures(
        rows.find((r) => r.is_total),
        'villagesRecognised',
        'poor',
        'nearPoor',
      ),
    ).toEqual({ villagesRecognised: 4, poor: null, nearPoor: 4 });
    expect(await reports.outOfRange(RANGES, CAMPAIGN, '/T1/')).toEqual([
      {
        caseId: id(2),
        villageCode: 'D1C1V2',
        metric: 'poor',
        event: 'LISTS_RECOGNISED',
        field: 'poorCount',
        value: '2000',
      },
      {
        caseId: id(3),
        villageCode: 'D1C2V1',
        metric: 'poor',
        event: 'LISTS_RECOGNISED',
        field: 'poorCount',
        value: '"4"',
      },
      {
        caseId: id(4),
        villageCode: 'D2C1V1',
        metric: 'poor',
        event: 'LISTS_RECOGNISED',
        field: 'poorCount',
        value: '2.5',
      },
    ]);
    expect(await reports.outOfRange(RANGES, CAMPAIGN, '/T1/D2/')).toHaveLength(1);
  });

  it('counts members and the movements of forms 7.2 and 7.3 from household rows; a village recognised by its form alone leaves them unknown', async () => {
    await villageCase(1, '/T1/D1/C1/V1/', {}, { locked: true });
    await surveyed(1, [
      { source: 'previous_poor', classification: 'poor', members: 5 },
      { source: 'previous_poor', classification: 'near_poor', members: 4 },
      { source: 'previous_poor', classification: 'average', members: 2 },
      { source: 'previous_near_poor', classification: 'poor', members: 6 },
      { source: 'previous_near_poor', classification: 'not_poor', members: 1 },
      { source: 'newly_arising', classification: 'poor', members: 7 },
      { source: 'request', classification: 'near_poor', members: 3 },
      { source: 'request', classification: 'average', members: 4 },
    ]);
    await villageCase(2, '/T1/D2/C1/V1/', recognised(3, 2));

    const rows = await reports.summary(RANGES, CAMPAIGN, '/T1/', 5);
    const d1 = rows.find((r) => r.child === 'D1');
    expect(
      figures(
        d1,
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
      ),
    ).toEqual({
      poor: 3,
      poorMembers: 18,
      nearPoor: 2,
      nearPoorMembers: 7,
      averageLiving: 2,
      averageLivingMembers: 6,
      previousPoor: 3,
      escapedPoverty: 2,
      poorToNearPoor: 1,
      poorLeftBothLists: 1,
      newlyPoor: 2,
      nearPoorToPoor: 1,
      newlyPoorFromOutside: 1,
      previousNearPoor: 2,
      nearPoorDecrease: 2,
      escapedNearPoverty: 1,
      newlyNearPoor: 2,
      newlyNearPoorFromOutside: 1,
    });
    expect(
      figures(
        rows.find((r) => r.child === 'D2'),
        'poor',
        'poorMembers',
        'averageLiving',
        'poorLeftBothLists',
      ),
    ).toEqual({
      poor: 3,
      poorMembers: null,
      averageLiving: null,
      poorLeftBothLists: null,
    });
    expect(
      figures(
        rows.find((r) => r.is_total),
        'poor',
        'poorMembers',
      ),
    ).toEqual({ poor: 6, poorMembers: null });
  });

  it('counts the poor and near-poor households of recognised villages per deprivation indicator, per child unit and in total', async () => {
    await villageCase(1, '/T1/D1/C1/V1/', {}, { locked: true });
    await surveyed(1, [
      { source: 'previous_poor', classification: 'poor', deprivations: ['latrine', 'telecom', 'health_insurance'] },
      { source: 'newly_arising', classification: 'poor', deprivations: ['latrine', 'nutrition', 'telecom'] },
      { source: 'previous_near_poor', classification: 'near_poor', deprivations: ['telecom'] },
      { source: 'request', classification: 'near_poor', deprivations: [] },
      // Not poor nor near-poor: not counted per indicator.
      { source: 'request', classification: 'average', deprivations: ['latrine'] },
    ]);
    await villageCase(2, '/T1/D2/C1/V1/', {}, { locked: true });
    await surveyed(2, [
      {
        source: 'previous_poor',
        classification: 'poor',
        deprivations: ['latrine', 'digital_use', 'waste_treatment'],
        ruleSet: '2026-2030+24',
      },
      // Classified, deprivations not recorded: D2's counts are unknown.
      { source: 'previous_poor', classification: 'near_poor' },
    ]);
    // Not recognised yet: left out.
    await villageCase(3, '/T1/D1/C2/V1/', { REVIEW_LIST_SUBMITTED: { householdCount: 8 } });
    await surveyed(3, [{ source: 'previous_poor', classification: 'poor', deprivations: ['latrine'] }]);
    // Another campaign: left out.
    await villageCase(4, '/T1/D1/C1/V2/', {}, { locked: true, campaign: OTHER_CAMPAIGN });
    await surveyed(4, [{ source: 'previous_poor', classification: 'poor', deprivations: ['latrine'] }]);

    const rows = await reports.indicatorCounts(CAMPAIGN, '/T1/', 5);
    const pick = (child: string | null, total: boolean) =>
      Object.fromEntries(
        rows
          .filter((r) => r.is_total === total && (total || r.child === child))
          .map((r) => [`${r.period}|${r.code}`, [r.poor, r.nearPoor, r.unknown]]),
      );
    expect(pick('D1', false)).toEqual({
      '2022-2025|latrine': [2, 0, 0],
      '2022-2025|telecom': [2, 1, 0],
      '2022-2025|health_insurance': [1, 0, 0],
      '2022-2025|nutrition': [1, 0, 0],
      '2022-2025|null': [0, 1, 0],
    });
    expect(pick('D2', false)).toEqual({
      '2026-2030|latrine': [1, 0, 0],
      '2026-2030|digital_use': [1, 0, 0],
      '2026-2030|waste_treatment': [1, 0, 0],
      '2022-2025|null': [0, 1, 1],
    });
    expect(pick(null, true)).toEqual({
      '2022-2025|latrine': [2, 0, 0],
      '2022-2025|telecom': [2, 1, 0],
      '2022-2025|health_insurance': [1, 0, 0],
      '2022-2025|nutrition': [1, 0, 0],
      '2022-2025|null': [0, 2, 1],
      '2026-2030|latrine': [1, 0, 0],
      '2026-2030|digital_use': [1, 0, 0],
      '2026-2030|waste_treatment': [1, 0, 0],
    });
    expect(await reports.indicatorCounts(CAMPAIGN, '/T9/', 5)).toEqual([]);
  });

  it('gives only the total row for a unit without cases', async () => {
    const rows = await reports.summary(RANGES, CAMPAIGN, '/T9/', 5);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ child: null, is_total: true, villagesTotal: 0 });
  });
});
