import { EntityManager } from '@mikro-orm/postgresql';
import {
  CalendarAdminService,
  CampaignsService,
  CaseAcceptanceService,
  CaseDeadlinesService,
  CaseQueryService,
} from '@rasoat/engine';
import { addTestProvinces, eventually, startTestCampaign, startTestEngine, type TestEngine } from '@rasoat/testing';

type Engine = TestEngine & { dropDatabase(): Promise<void> };

const admin = (unit: string) => ({
  sub: `admin@${unit}`,
  role: unit === 'VN' ? ('national_admin' as const) : ('province_admin' as const),
  unit,
});

/**
 * What one test works on: a copy of the test provinces under codes of its own (`code('T1C1V1')`),
 * a campaign in each of its two provinces (window 1 Sept – 30 Oct 2026), and T1C1V1 and T2C1V1
 * taken to posting today (Tue 1 Sept, a holiday): 3 working days → Mon 7/9 (1–2/9 are the National
 * Day holidays, 3/9 a working day: config/calendar/vn-2026.yaml).
 * `due(village, step)` reads the due date of a village's open deadline of that step.
 */
async function postingSeason(engine: Engine) {
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const code = await addTestProvinces(engine);
  const due = async (village: string, step: string) =>
    (
      await sql<{ due_date: string }>(
        `select d.due_date::text from deadline d join review_case c on c.id = d.case_id where c.village_code = ? and d.step = ? and d.status in ('armed', 'overdue')`,
        [code(village), step],
      )
    )[0]?.due_date;
  const campaignT1 = (await startTestCampaign(engine, code('T1'), { windowEnd: '2026-10-30' })).campaign.id;
  await startTestCampaign(engine, code('T2'), { windowEnd: '2026-10-30' });
  const accept = engine.get(CaseAcceptanceService);
  for (const village of [code('T1C1V1'), code('T2C1V1')]) {
    const [c] = await sql<{ id: string }>(`select id from review_case where village_code = ?`, [village]);
    const board = { sub: 'b', role: 'village_board' as const, unit: village };
    await accept.accept(
      c.id,
      {
        type: 'REVIEW_LIST_SUBMITTED',
        data: { householdCount: 1, fromPreviousLists: 1, newlyArising: 0, requests: 0 },
      },
      board,
      `${village}-1`,
    );
    await accept.accept(
      c.id,
      { type: 'SURVEY_COMPLETED', data: { householdsSurveyed: 1, poorCount: 1, nearPoorCount: 0 } },
      board,
      `${village}-2`,
    );
    await accept.accept(
      c.id,
      {
        type: 'MEETING_HELD',
        data: {
          date: '2026-09-01',
          chair: 'Trưởng thôn',
          attendees: 10,
          opinionsGiven: 9,
          householdsPut: 1,
          householdsAgreed: 1,
        },
      },
      board,
      `${village}-3`,
    );
  }
  await eventually(
    async () => (await due('T1C1V1', 'posting')) && (await due('T2C1V1', 'posting')),
    15_000,
    'both cases to be posting',
  );
  return { code, due, campaignT1, sql };
}

/** T1's own day off on Mon 7/9, added by its province admin. */
const addT1DayOff = (engine: Engine, code: (c: string) => string) =>
  engine.get(CalendarAdminService).add(
    {
      date: '2026-09-07',
      kind: 'day_off',
      name: 'Nghỉ lễ địa phương',
      source: 'Quyết định 1/QĐ-UBND tỉnh T1',
      province: code('T1'),
    },
    admin(code('T1')),
  );

/**
 * A holiday added mid-season, and a window moved, re-arm the deadlines already running — with history.
 * One engine for these tests; each works on provinces and campaigns of its own (`postingSeason`),
 * and changes the calendar of its own provinces only.
 */
describe('recomputing armed deadlines', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startTestEngine({ worker: true, start: new Date('2026-09-01T02:00:00Z') });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('starts from the national calendar', async () => {
    const { due } = await postingSeason(engine);
    expect(await due('T1C1V1', 'posting')).toBe('2026-09-07');
    expect(await due('T2C1V1', 'posting')).toBe('2026-09-07');
  });

  it("a province's extra day off moves that province's working-day deadlines only, with a history entry", async () => {
    const { code, due, sql } = await postingSeason(engine);
    const result = await addT1DayOff(engine, code);
    expect(result.moved).toBe(1);
    expect(await due('T1C1V1', 'posting')).toBe('2026-09-08');
    expect(await due('T2C1V1', 'posting')).toBe('2026-09-07');
    expect(await due('T1C1V2', 'listing')).toBe('2026-10-30'); // a window-end date does not move
    const [c] = await sql<{ id: string }>(`select id from review_case where village_code = ?`, [code('T1C1V1')]);
    const view = await engine.get(CaseQueryService).get(c.id, admin(code('T1')));
    expect(view.history[0]).toMatchObject({
      kind: 'deadline',
      toStep: 'posting',
      details: { recomputed: { from: '2026-09-07', to: '2026-09-08' } },
    });
  });

  it('refuses another province, a province-wide worked Saturday, and a clash with a holiday', async () => {
    const code = await addTestProvinces(engine);
    await addT1DayOff(engine, code); // the 7/9 that the last request adds again
    const [t1, t2] = [code('T1'), code('T2')];
    const calendar = engine.get(CalendarAdminService);
    await expect(
      calendar.add({ date: '2026-09-10', kind: 'day_off', name: 'X', source: 'QĐ 2', province: t1 }, admin(t2)),
    ).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
    await expect(
      calendar.add(
        { date: '2026-09-12', kind: 'working_day', name: 'Làm bù', source: 'QĐ 3', province: t1 },
        admin(t1),
      ),
    ).rejects.toMatchObject({ code: 'CALENDAR_INVALID' });
    await expect(
      calendar.add({ date: '2026-09-02', kind: 'working_day', name: 'Làm bù', source: 'QĐ 4' }, admin('VN')),
    ).rejects.toMatchObject({ code: 'CALENDAR_INVALID' });
    await expect(
      calendar.add({ date: '2026-09-07', kind: 'day_off', name: 'again', source: 'QĐ 5', province: t1 }, admin(t1)),
    ).rejects.toMatchObject({ code: 'CALENDAR_INVALID' });
  });

  it('moving the campaign window moves the window-end deadlines of its cases, not of other campaigns', async () => {
    const { code, due, campaignT1, sql } = await postingSeason(engine);
    const result = await engine
      .get(CampaignsService)
      .changeWindow(
        campaignT1,
        { windowStart: '2026-09-01', windowEnd: '2026-11-13', reason: 'Kế hoạch điều chỉnh' },
        admin(code('T1')),
      );
    expect(result.moved).toBe(5); // the five T1 villages still listing
    expect(await due('T1C1V2', 'listing')).toBe('2026-11-13');
    expect(await due('T2C1V2', 'listing')).toBe('2026-10-30');
    const [row] = await sql<{ alarms: { at: string; kind: string }[] }>(
      `select d.alarms from deadline d join review_case c on c.id = d.case_id where c.village_code = ? and d.step = 'listing'`,
      [code('T1C1V2')],
    );
    expect(row.alarms.find((a) => a.kind === 'due')?.at).toBe('2026-11-13T16:59:59.999Z');
  });
});

/**
 * A national day off changes every province's calendar, and the sweeper recomputes every
 * outdated deadline of the database: this test has an engine of its own.
 */
describe('recomputing armed deadlines: a day added by another process', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startTestEngine({ worker: true, start: new Date('2026-09-01T02:00:00Z') });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('a day added by another process is picked up by the sweeper, which recomputes the deadlines computed before it', async () => {
    const { code, due, sql } = await postingSeason(engine);
    await addT1DayOff(engine, code); // T1C1V1's posting ends on 8/9, T2C1V1's on 7/9
    // As if another API process had inserted it: this process's calendar is now stale.
    await sql(
      `insert into calendar_adjustment (province_code, date, kind, name, source, created_by, created_at) values (null, '2026-09-04', 'day_off', 'Nghỉ bù', 'QĐ 6', 'x', now())`,
    );
    const run = await engine.get(CaseDeadlinesService).sweep(60);
    expect(run.fired).toBe(0);
    expect(await due('T2C1V1', 'posting')).toBe('2026-09-08');
    expect(await due('T1C1V1', 'posting')).toBe('2026-09-09');
    const [{ stale }] = await sql<{ stale: number }>(
      `select count(*)::int as stale from deadline where next_alarm_at is not null and calendar_version < (select max(id) from calendar_adjustment)`,
    );
    expect(stale).toBe(0);
  });
});
