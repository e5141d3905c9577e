import { ProgressRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const P9 = '00000000-0000-4000-8000-0000000000a9'; // province P9, 2026
const Q8 = '00000000-0000-4000-8000-0000000000b8'; // province Q8, 2026
const Q8_2025 = '00000000-0000-4000-8000-0000000000c8'; // province Q8, 2025
const OTHER = '00000000-0000-4000-8000-0000000000d9'; // province P9, 2026, another process
const TODAY = '2026-09-11';
const IN_A_WEEK = '2026-09-18';

/**
 * The progress reads on a real PostgreSQL, each test on a fresh database: the counters summed
 * per commune (a unit's subtree) and per province (the nation). How the counters follow the
 * cases is tested through the engine in progress.int-spec.ts.
 */
describe('ProgressRepository', () => {
  let db: TestOrm;
  let progress: ProgressRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const sorted = <T>(rows: T[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  beforeEach(async () => {
    db = await createTestOrm();
    progress = new ProgressRepository(db.em);
    await sql(`insert into admin_unit (code, name, level, parent_code, path, province_code) values
      ('P9', 'Tỉnh P9', 'province', null, '/P9/', 'P9'), ('P9D1', 'Huyện 1', 'district', 'P9', '/P9/P9D1/', 'P9'),
      ('P9C1', 'Xã 1', 'commune', 'P9D1', '/P9/P9D1/P9C1/', 'P9'), ('P9C2', 'Xã 2', 'commune', 'P9D1', '/P9/P9D1/P9C2/', 'P9'),
      ('P9C3', 'Xã 3', 'commune', 'P9', '/P9/P9C3/', 'P9'),
      ('P9C1V2', 'Thôn 2', 'village', 'P9C1', '/P9/P9D1/P9C1/P9C1V2/', 'P9'), ('P9C1V1', 'Thôn 1', 'village', 'P9C1', '/P9/P9D1/P9C1/P9C1V1/', 'P9'),
      ('Q8', 'Tỉnh Q8', 'province', null, '/Q8/', 'Q8'), ('Q8C1', 'Xã 1', 'commune', 'Q8', '/Q8/Q8C1/', 'Q8')`);
    await sql(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by) values
       (?, 'P9', 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-09-10', 'running', 0, '2026-09-01T02:00:00Z', 'test'),
       (?, 'Q8', 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-09-10', 'running', 0, '2026-09-01T03:00:00Z', 'test'),
       (?, 'Q8', 2025, 'periodic-review', 'periodic-review@1', '2025-09-01', '2025-09-10', 'closed', 0, '2025-09-01T03:00:00Z', 'test'),
       (?, 'P9', 2026, 'regular-review', 'regular-review@1', '2026-09-01', '2026-09-10', 'running', 0, '2026-08-01T03:00:00Z', 'test')`,
      [P9, Q8, Q8_2025, OTHER],
    );
    await sql(
      `insert into progress_counter (campaign_id, commune_code, step, current) values
       (?, 'P9C1', 'listing', 2), (?, 'P9C1', 'survey', 8), (?, 'P9C2', 'listing', 10), (?, 'P9C3', 'survey', 5),
       (?, 'Q8C1', 'listing', 2), (?, 'Q8C1', 'completed', 7), (?, 'P9C1', 'listing', 99)`,
      [P9, P9, P9, P9, Q8, Q8_2025, OTHER],
    );
    await sql(
      `insert into stage_counter (campaign_id, commune_code, stage, reached) values
       (?, 'P9C1', 1, 10), (?, 'P9C1', 2, 8), (?, 'P9C2', 1, 10), (?, 'P9C3', 1, 5), (?, 'P9C3', 2, 5), (?, 'Q8C1', 1, 2), (?, 'P9C1', 2, 99)`,
      [P9, P9, P9, P9, P9, Q8, OTHER],
    );
    await sql(
      `insert into open_deadline_counter (campaign_id, commune_code, due_date, open) values
       (?, 'P9C1', '2026-09-10', 2), (?, 'P9C1', '2026-09-11', 3), (?, 'P9C2', '2026-09-18', 4), (?, 'P9C2', '2026-09-19', 6),
       (?, 'P9C3', '2026-09-01', 0), (?, 'Q8C1', '2026-09-10', 2), (?, 'P9C1', '2026-09-10', 99)`,
      [P9, P9, P9, P9, P9, Q8, OTHER],
    );
  });
  afterEach(async () => {
    await db?.close();
  });

  it('reads the step and stage counters of the communes under a unit, with each commune’s path', async () => {
    expect(sorted(await progress.stepCounts(P9, '/P9/P9D1/'))).toEqual([
      { path: '/P9/P9D1/P9C1/', step: 'listing', n: 2 },
      { path: '/P9/P9D1/P9C1/', step: 'survey', n: 8 },
      { path: '/P9/P9D1/P9C2/', step: 'listing', n: 10 },
    ]);
    expect(await progress.stepCounts(P9, '/P9/')).toHaveLength(4);
    expect(sorted(await progress.stageCounts(P9, '/P9/P9C3/'))).toEqual([
      { path: '/P9/P9C3/', stage: 1, n: 5 },
      { path: '/P9/P9C3/', stage: 2, n: 5 },
    ]);
  });

  it('sums open deadlines per commune: due before today, and due from today to a week later; communes with none open are left out', async () => {
    expect(sorted(await progress.openDeadlines(P9, '/P9/', TODAY, IN_A_WEEK))).toEqual([
      { path: '/P9/P9D1/P9C1/', overdue: 2, soon: 3 },
      { path: '/P9/P9D1/P9C2/', overdue: null, soon: 4 },
    ]);
  });

  it('reads the daily copy of the stage counters from stage 2 on, summed per day in day order, and copies the running campaigns’ counters for a day', async () => {
    expect(await progress.copyStageCountersForDay('2026-09-10')).toBe(7); // every stage counter of the three running campaigns
    await sql(`update stage_counter set reached = 10 where campaign_id = ? and commune_code = 'P9C1' and stage = 2`, [
      P9,
    ]);
    expect(await progress.copyStageCountersForDay('2026-09-11')).toBe(7);
    await sql(`update stage_counter set reached = 9 where campaign_id = ? and commune_code = 'P9C3' and stage = 2`, [
      P9,
    ]);
    expect(await progress.copyStageCountersForDay('2026-09-11')).toBe(7); // the last copy of a day stands for it

    expect(await progress.stageHistory(P9, '/P9/')).toEqual([
      { day: '2026-09-10', stage: 2, n: 13 },
      { day: '2026-09-11', stage: 2, n: 19 },
    ]);
    expect(await progress.stageHistory(P9, '/P9/P9D1/')).toEqual([
      { day: '2026-09-10', stage: 2, n: 8 },
      { day: '2026-09-11', stage: 2, n: 10 },
    ]);
    await sql(`update campaign set status = 'closed' where id = ?`, [P9]);
    expect(await progress.copyStageCountersForDay('2026-09-12')).toBe(2); // only the running campaigns
  });

  it('lists a commune’s villages with their case, by village code', async () => {
    await sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at) values
       ('00000000-0000-4000-8000-000000000002', ?, 'P9C1V2', 'P9C1', '/P9/P9D1/P9C1/P9C1V2/', 'periodic-review@1', 'survey', 'active', 2, '{}', 0, 0, now(), now()),
       ('00000000-0000-4000-8000-000000000001', ?, 'P9C1V1', 'P9C1', '/P9/P9D1/P9C1/P9C1V1/', 'periodic-review@1', 'listing', 'active', 1, '{}', 0, 0, now(), now()),
       ('00000000-0000-4000-8000-000000000003', ?, 'P9C1V1', 'P9C1', '/P9/P9D1/P9C1/P9C1V1/', 'regular-review@1', 'listing', 'active', 1, '{}', 0, 0, now(), now())`,
      [P9, P9, OTHER],
    );
    expect(await progress.villageCases(P9, 'P9C1')).toEqual([
      { code: 'P9C1V1', name: 'Thôn 1', step: 'listing', id: '00000000-0000-4000-8000-000000000001' },
      { code: 'P9C1V2', name: 'Thôn 2', step: 'survey', id: '00000000-0000-4000-8000-000000000002' },
    ]);
  });

  it('finds the nation’s campaigns of a process and year (by default its latest year), one per province, and the latest campaign’s process', async () => {
    expect(await progress.latestProcess()).toBe('periodic-review'); // 2026, created after the other process's
    expect(
      (await progress.nationCampaigns('periodic-review', 2026)).map((c) => [
        c.id,
        c.province_code,
        c.province_name,
        c.definition_key,
        c.year,
      ]),
    ).toEqual([
      [P9, 'P9', 'Tỉnh P9', 'periodic-review@1', 2026],
      [Q8, 'Q8', 'Tỉnh Q8', 'periodic-review@1', 2026],
    ]);
    expect((await progress.nationCampaigns('periodic-review', undefined)).map((c) => c.id)).toEqual([P9, Q8]);
    expect((await progress.nationCampaigns('periodic-review', 2025)).map((c) => c.id)).toEqual([Q8_2025]);
    expect(await progress.nationCampaigns('no-such-process', undefined)).toEqual([]);
    await sql(`delete from campaign`);
    expect(await progress.latestProcess()).toBeUndefined();
  });

  it('sums the counters of the named campaigns per province, in four statements', async () => {
    const counters = await progress.nationCounters([P9, Q8], TODAY, IN_A_WEEK);
    expect(sorted(counters.steps)).toEqual([
      { province: 'P9', step: 'listing', n: 12 },
      { province: 'P9', step: 'survey', n: 13 },
      { province: 'Q8', step: 'listing', n: 2 },
    ]);
    expect(counters.stages).toEqual([{ province: 'P9', stage: 2, n: 13 }]);
    expect(sorted(counters.open)).toEqual([
      { province: 'P9', overdue: 2, soon: 7 },
      { province: 'Q8', overdue: 2, soon: null },
    ]);
    expect(counters.history).toEqual([]);
    await progress.copyStageCountersForDay(TODAY);
    expect((await progress.nationCounters([P9, Q8], TODAY, IN_A_WEEK)).history).toEqual([
      { day: TODAY, stage: 2, n: 13 },
    ]);
  });
});
