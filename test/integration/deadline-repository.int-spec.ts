import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { DeadlineRepository, type Alarm, type RecomputedDeadline } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const CAMPAIGN = '00000000-0000-4000-8000-00000000c0de';
const OTHER_CAMPAIGN = '00000000-0000-4000-8000-00000000beef';
const NOW = new Date('2026-11-10T03:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const caseId = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const due = (date: string): Alarm => ({ at: `${date}T16:59:59.999Z`, kind: 'due', level: 0 });
const reminder: Alarm = { at: '2026-11-19T01:00:00.000Z', kind: 'reminder', level: 2 };
const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * The deadlines context's statements on a real PostgreSQL, each test on a fresh database: the
 * calendar adjustments, the deadlines to recompute and their new rows, the alarm seconds to
 * re-arm. Recomputation itself is the service's (unit tests, and deadline-recompute.int-spec.ts
 * through the engine).
 */
describe('DeadlineRepository', () => {
  let db: TestOrm;
  let deadlines: DeadlineRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  const campaign = (campaignId: string, province: string) =>
    sql(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by)
       values (?, ?, 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-12-14', 'running', 0, ?, 'test')`,
      [campaignId, province, NOW],
    );
  const kase = (n: number, campaignId = CAMPAIGN) =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (?, ?, ?, 'T1C1', ?, 'periodic-review@1', 'meeting', 'active', 1, ?, 0, 0, ?, ?)`,
      [
        caseId(n),
        campaignId,
        `V${n}`,
        `/T1/T1C1/V${n}/`,
        JSON.stringify({ step: 'meeting', context: { milestones: { listed: `2026-10-0${n}` } } }),
        NOW,
        NOW,
      ],
    );
  const deadline = (
    n: number,
    ofCase: number,
    fields: { version?: number; nextAt?: string | null; alarms?: Alarm[]; next?: number } = {},
  ) =>
    sql(
      `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at, calendar_version)
       values (?, ?, 'meeting', '2026-11-20', '2026-11-20T16:59:59.999Z', ?, 'armed', ?, ?, ?, ?, ?)`,
      [
        id(n),
        caseId(ofCase),
        JSON.stringify({ due: { kind: 'fixed' } }),
        NOW,
        JSON.stringify(fields.alarms ?? [reminder, due('2026-11-20')]),
        fields.next ?? 0,
        fields.nextAt === undefined ? reminder.at : fields.nextAt,
        fields.version ?? 0,
      ],
    );
  const adjust = (date: string, province: string | null = null) =>
    sql(
      `insert into calendar_adjustment (province_code, date, kind, name, source, created_by, created_at) values (?, ?, 'day_off', 'Nghỉ bù', 'test', 'test', ?)`,
      [province, date, NOW],
    );

  beforeEach(async () => {
    db = await createTestOrm();
    deadlines = new DeadlineRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('reads the calendar’s version and its adjustments, oldest first', async () => {
    expect(await deadlines.calendarVersion()).toBe(0);
    expect(await deadlines.calendarAdjustments()).toEqual([]);

    await adjust('2026-11-20');
    await adjust('2026-11-19', 'T1');
    const [{ id: newest }] = await sql<{ id: number }>(`select max(id)::int as id from calendar_adjustment`);
    expect(await deadlines.calendarVersion()).toBe(newest);
    expect(await deadlines.calendarAdjustments()).toEqual([
      { provinceCode: null, date: '2026-11-20', kind: 'day_off', name: 'Nghỉ bù' },
      { provinceCode: 'T1', date: '2026-11-19', kind: 'day_off', name: 'Nghỉ bù' },
    ]);
  });

  it('locks the ringing deadlines computed on an older calendar, in id order, with their milestones, window and province', async () => {
    await campaign(CAMPAIGN, 'T1');
    await kase(1);
    await deadline(3, 1, { version: 1 });
    await deadline(1, 1, { version: 1 });
    await deadline(2, 1, { version: 2 }); // computed on the newest calendar
    await deadline(4, 1, { version: 1, nextAt: null }); // rings no more

    const rows = await deadlines.transaction((tx) => deadlines.lockOutdated(tx, 2, 10));
    expect(rows.map((r) => r.id)).toEqual([id(1), id(3)]);
    expect(rows[0]).toEqual({
      id: id(1),
      case_id: caseId(1),
      step: 'meeting',
      due_date: '2026-11-20',
      status: 'armed',
      spec: { due: { kind: 'fixed' } },
      alarms: [reminder, due('2026-11-20')],
      next_alarm: 0,
      milestones: { listed: '2026-10-01' },
      window_start: '2026-09-01',
      window_end: '2026-12-14',
      province_code: 'T1',
    });
    expect(await deadlines.transaction((tx) => deadlines.lockOutdated(tx, 2, 1))).toHaveLength(1);
  });

  it('locks a campaign’s ringing deadlines after an id, and skips those another transaction holds', async () => {
    await campaign(CAMPAIGN, 'T1');
    await campaign(OTHER_CAMPAIGN, 'T2');
    await kase(1);
    await kase(2, OTHER_CAMPAIGN);
    for (const n of [1, 2, 3]) await deadline(n, 1);
    await deadline(4, 2);

    const [held, others, after] = await deadlines.transaction(async (tx) => {
      const first = await deadlines.lockOfCampaign(tx, CAMPAIGN, id(0), 1);
      return [
        first,
        await deadlines.transaction((other) => deadlines.lockOfCampaign(other, CAMPAIGN, id(0), 10)),
        await deadlines.lockOfCampaign(tx, CAMPAIGN, id(1), 10),
      ];
    });
    expect(held.map((r) => r.id)).toEqual([id(1)]);
    expect(others.map((r) => r.id)).toEqual([id(2), id(3)]);
    expect(after.map((r) => r.id)).toEqual([id(2), id(3)]);
  });

  it('writes recomputed deadlines in one statement: a kept one gets only its calendar version and status, a moved one its new plan from the first alarm', async () => {
    await campaign(CAMPAIGN, 'T1');
    await kase(1);
    await deadline(1, 1, { next: 1, nextAt: due('2026-11-20').at });
    await deadline(2, 1, { next: 1, nextAt: due('2026-11-20').at });
    const updates: RecomputedDeadline[] = [
      {
        id: id(1),
        due_date: '2026-11-20',
        due_at: null,
        alarms: null,
        status: 'overdue',
        next_alarm_at: null,
        keep: true,
      },
      {
        id: id(2),
        due_date: '2026-11-23',
        due_at: due('2026-11-23').at,
        alarms: [due('2026-11-23')],
        status: 'armed',
        next_alarm_at: due('2026-11-23').at,
        keep: false,
      },
    ];

    await deadlines.transaction((tx) => deadlines.writeRecomputed(tx, 7, updates));
    const rows = await sql<{
      id: string;
      calendar_version: number;
      due_date: string;
      due_at: string;
      alarms: Alarm[];
      next_alarm: number;
      next_alarm_at: string | null;
      status: string;
    }>(
      `select id, calendar_version, due_date::text as due_date, due_at, alarms, next_alarm, next_alarm_at, status from deadline order by id`,
    );
    expect(rows.map((r) => ({ ...r, due_at: iso(r.due_at), next_alarm_at: iso(r.next_alarm_at) }))).toEqual([
      {
        id: id(1),
        calendar_version: 7,
        due_date: '2026-11-20',
        due_at: due('2026-11-20').at,
        alarms: [reminder, due('2026-11-20')],
        next_alarm: 1,
        next_alarm_at: due('2026-11-20').at,
        status: 'overdue',
      },
      {
        id: id(2),
        calendar_version: 7,
        due_date: '2026-11-23',
        due_at: due('2026-11-23').at,
        alarms: [due('2026-11-23')],
        next_alarm: 0,
        next_alarm_at: due('2026-11-23').at,
        status: 'armed',
      },
    ]);
  });

  it('records a moved deadline on its case as the system’s deadline entry', async () => {
    await deadlines.transaction((tx) =>
      deadlines.recordMoves(tx, NOW, [
        {
          case_id: caseId(1),
          step: 'meeting',
          details: { deadlineId: id(1), recomputed: { from: '2026-11-20', to: '2026-11-23' }, reason: 'x' },
        },
      ]),
    );
    const rows = await sql<{ at: string }>(
      `select case_id, at, kind, seq, actor, from_step, to_step, details from case_history`,
    );
    expect(rows.map((r) => ({ ...r, at: iso(r.at) }))).toEqual([
      {
        case_id: caseId(1),
        at: NOW.toISOString(),
        kind: 'deadline',
        seq: null,
        actor: SYSTEM_ACTOR,
        from_step: 'meeting',
        to_step: 'meeting',
        details: { deadlineId: id(1), recomputed: { from: '2026-11-20', to: '2026-11-23' }, reason: 'x' },
      },
    ]);
  });

  it('lists the distinct seconds, rounded up, at which alarms ring after an instant and until another', async () => {
    await campaign(CAMPAIGN, 'T1');
    await kase(1);
    await deadline(1, 1, { nextAt: '2026-11-10T03:00:00Z' }); // at `after`: not after it
    await deadline(2, 1, { nextAt: '2026-11-10T03:10:00.200Z' });
    await deadline(3, 1, { nextAt: '2026-11-10T03:10:00.900Z' }); // the same second, rounded up
    await deadline(4, 1, { nextAt: '2026-11-10T04:00:00Z' }); // at `until`
    await deadline(5, 1, { nextAt: '2026-11-10T04:00:01Z' }); // after it
    await deadline(6, 1, { nextAt: null });

    const seconds = await deadlines.alarmSeconds(NOW, new Date('2026-11-10T04:00:00Z'), 10);
    expect(seconds.sort((a, b) => a - b)).toEqual([
      Date.parse('2026-11-10T03:10:01Z') / 1000,
      Date.parse('2026-11-10T04:00:00Z') / 1000,
    ]);
    expect(await deadlines.alarmSeconds(NOW, new Date('2026-11-10T04:00:00Z'), 1)).toHaveLength(1);
  });
});
