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

  it('gives only the total row for a unit without cases', async () => {
    const rows = await reports.summary(RANGES, CAMPAIGN, '/T9/', 5);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ child: null, is_total: true, villagesTotal: 0 });
  });
});
