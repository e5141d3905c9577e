import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName } from '@rasoat/contracts';
import { CaseAcceptanceService, CaseDeadlinesService } from '@rasoat/engine';
import {
  addTestProvinces,
  eventually,
  silenceEarlierAlarms,
  startTestCampaign,
  startTestEngine,
  type TestEngine,
} from '@rasoat/testing';

type Engine = TestEngine & { dropDatabase(): Promise<void> };
const START = new Date('2026-09-01T02:00:00Z');

/**
 * Reminders before, escalations after, up the hierarchy, on real PostgreSQL and Redis:
 * T1 (province) → T1D1 (district) → T1C1, T1C2 (communes) → 3 villages each.
 * The national periodic review's listing step: windowEnd deadline, a reminder 20 working days
 * before, escalation every 2 working days up to 3 levels.
 * One engine for these tests. Each starts on 1 Sept with the alarms of the tests before it
 * silenced (`silenceEarlierAlarms`), a copy of the test provinces of its own (`code('T1C1V1')`)
 * and its campaign there, and rings first what its story needs.
 */
describe('deadline alarms', () => {
  let engine: Engine;
  let alarms: CaseDeadlinesService;
  let code: (c: string) => string;
  let campaignId: string;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const inbox = () =>
    sql<{ unit_code: string; role: string; template: string; n: number }>(
      `select unit_code, role, template, count(*)::int as n from notification
       where (template like 'deadline-%' or template like 'step-%')
         and case_id in (select id from review_case where campaign_id = ?)
       group by 1, 2, 3 order by 3, 1`,
      [campaignId],
    );

  beforeAll(async () => {
    engine = await startTestEngine({ worker: true, start: START });
    alarms = engine.get(CaseDeadlinesService);
  });
  beforeEach(async () => {
    await silenceEarlierAlarms(engine);
    engine.clock.set(START);
    code = await addTestProvinces(engine);
    campaignId = (await startTestCampaign(engine, code('T1'), { windowEnd: '2026-10-30' })).campaign.id;
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  /** Sets the clock to `instant` and rings what is due. */
  const ringAt = (instant: string) => {
    engine.clock.set(new Date(instant));
    return alarms.fireDue();
  };

  /** The village board submits its list; resolves once the worker has left the listing deadline `status`. */
  async function submitList(village: string, status: 'cancelled' | 'closed') {
    const [c] = await sql<{ id: string }>(`select id from review_case where village_code = ?`, [code(village)]);
    await engine.get(CaseAcceptanceService).accept(
      c.id,
      {
        type: 'REVIEW_LIST_SUBMITTED',
        data: { householdCount: 3, fromPreviousLists: 3, newlyArising: 0, requests: 0 },
      },
      { sub: 'b', role: 'village_board', unit: code(village) },
    );
    await eventually(
      async () =>
        (await sql<{ status: string }>(`select status from deadline where case_id = ? and step = 'listing'`, [c.id]))[0]
          ?.status === status,
      15_000,
      `the listing deadline to be ${status}`,
    );
  }

  /** The story up to the due instant: the six reminders of Fri 2/10 rung, then T1C1V1's list submitted in time. */
  async function remindersRungAndOneListInTime() {
    await ringAt('2026-10-02T01:00:01Z');
    await submitList('T1C1V1', 'cancelled');
  }

  it('arms each case with its alarm plan on the working-day calendar', async () => {
    const rows = await sql<{ alarms: { at: string; kind: string; level: number }[]; next_alarm_at: Date }>(
      `select d.alarms, d.next_alarm_at from deadline d join review_case c on c.id = d.case_id
       where c.campaign_id = ? and d.step = 'listing'`,
      [campaignId],
    );
    expect(rows).toHaveLength(6);
    expect(rows[0].alarms).toEqual([
      // 20 working days before Fri 30/10: Fri 2/10 (no holiday in October 2026).
      { at: '2026-10-02T01:00:00.000Z', kind: 'reminder', level: 20 },
      { at: '2026-10-30T16:59:59.999Z', kind: 'due', level: 0 },
      { at: '2026-10-30T16:59:59.999Z', kind: 'escalation', level: 1 },
      { at: '2026-11-03T01:00:00.000Z', kind: 'escalation', level: 2 },
      { at: '2026-11-05T01:00:00.000Z', kind: 'escalation', level: 3 },
    ]);
    expect(new Date(rows[0].next_alarm_at).toISOString()).toBe('2026-10-02T01:00:00.000Z');
    // Redis holds one wake-up for the six cases, not six.
    const timers = engine.get<Queue>(getQueueToken(QueueName.Timers) as never);
    const delayed = await timers.getDelayed();
    expect(delayed.map((j) => j.id)).toEqual([`alarms.${Date.parse('2026-10-02T01:00:00.000Z') / 1000}`]);
  });

  it('reminds each village board once, 20 working days before', async () => {
    engine.clock.set(new Date('2026-10-01T00:00:00Z'));
    expect((await alarms.fireDue()).rung).toBe(0);
    engine.clock.set(new Date('2026-10-02T01:00:01Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 6, notifications: 6 });
    expect(await alarms.fireDue()).toMatchObject({ rung: 0, notifications: 0 });
    expect(await inbox()).toEqual(
      ['T1C1V1', 'T1C1V2', 'T1C1V3', 'T1C2V1', 'T1C2V2', 'T1C2V3'].map((v) => ({
        unit_code: code(v),
        role: 'village_board',
        template: 'deadline-reminder',
        n: 1,
      })),
    );
    const [n] = await sql<{ title: string; body: string }>(`select title, body from notification where unit_code = ?`, [
      code('T1C1V1'),
    ]);
    expect(n.title).toBe('Nhắc việc: Bước 1: Lập danh sách hộ cần rà soát — hạn 30/10/2026');
    expect(n.body).toContain(code('T1C1V1'));
    expect(n.body).toContain('/cases/');
  });

  it('a village that finishes the step in time is never told it is late', async () => {
    await submitList('T1C1V1', 'cancelled');
  });

  it('at the due instant: overdue to each village board, escalation level 1 to its commune committee', async () => {
    await remindersRungAndOneListInTime();
    engine.clock.set(new Date('2026-10-30T17:00:00Z'));
    // 5 listing deadlines × (overdue + level 1), and T1C1V1's survey deadline (also the window
    // end): its reminder, missed while the clock jumped, rings late, then overdue + level 1.
    expect(await alarms.fireDue()).toMatchObject({ rung: 13, notifications: 13 });
    const notices = (await inbox()).filter((r) => r.template !== 'deadline-reminder');
    expect(notices).toEqual([
      { unit_code: code('T1C1'), role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: code('T1C2'), role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: code('T1C1V1'), role: 'surveyor', template: 'step-overdue', n: 1 },
      ...['T1C1V2', 'T1C1V3', 'T1C2V1', 'T1C2V2', 'T1C2V3'].map((v) => ({
        unit_code: code(v),
        role: 'village_board',
        template: 'step-overdue',
        n: 1,
      })),
    ]);
    expect(
      await sql(
        `select d.status, count(*)::int as n from deadline d join review_case c on c.id = d.case_id
         where c.campaign_id = ? and d.step = 'listing' group by d.status order by d.status`,
        [campaignId],
      ),
    ).toEqual([
      { status: 'cancelled', n: 1 },
      { status: 'overdue', n: 5 },
    ]);
  });

  it('climbs one level every 2 working days: district, then province; then nothing more', async () => {
    await remindersRungAndOneListInTime();
    await ringAt('2026-10-30T17:00:00Z'); // overdue and level 1
    engine.clock.set(new Date('2026-11-03T01:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 6, notifications: 6 });
    engine.clock.set(new Date('2026-11-05T01:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 6, notifications: 6 });
    engine.clock.set(new Date('2026-12-31T00:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 0 });
    const escalations = (await inbox()).filter((r) => r.template === 'step-escalated');
    expect(escalations).toEqual([
      { unit_code: code('T1'), role: 'province_committee', template: 'step-escalated', n: 6 },
      { unit_code: code('T1C1'), role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: code('T1C2'), role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: code('T1D1'), role: 'district_committee', template: 'step-escalated', n: 6 },
    ]);
  });

  it('the overdue step finished late is closed, not cancelled', async () => {
    await ringAt('2026-10-30T17:00:00Z'); // the listing deadlines are overdue
    await submitList('T1C1V2', 'closed');
  });
});

/**
 * Crashes and lost Redis data: no alarm is lost, none rings twice. One engine without a worker
 * for these tests; each starts as above, with campaigns in its own T1 and T2.
 */
describe('deadline alarms under failure', () => {
  let engine: Engine;
  let alarms: CaseDeadlinesService;
  let code: (c: string) => string;
  let campaignIds: string[];
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  /** How many notifications of this test's cases meet `condition`. */
  const notices = async (condition: string) =>
    (
      await sql<{ n: number }>(
        `select count(*)::int as n from notification
         where ${condition} and case_id in (select id from review_case where campaign_id in (?, ?))`,
        campaignIds,
      )
    )[0].n;

  beforeAll(async () => {
    engine = await startTestEngine({ worker: false, start: START });
    alarms = engine.get(CaseDeadlinesService);
  });
  beforeEach(async () => {
    await silenceEarlierAlarms(engine);
    engine.clock.set(START);
    code = await addTestProvinces(engine);
    campaignIds = [];
    for (const province of ['T1', 'T2'])
      campaignIds.push((await startTestCampaign(engine, code(province), { windowEnd: '2026-10-30' })).campaign.id);
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  /** Sets the clock to `instant` and rings what is due. */
  const ringAt = (instant: string) => {
    engine.clock.set(new Date(instant));
    return alarms.fireDue();
  };

  it('a worker that dies holding a batch (its transaction rolled back) loses nothing: the next run rings those alarms once', async () => {
    engine.clock.set(new Date('2026-10-02T01:00:01Z'));
    const crashed = new Client({ connectionString: engine.config.databaseUrl });
    await crashed.connect();
    await crashed.query('begin');
    // The "dying worker" holds the three T2 villages' deadlines, as a batch in flight would.
    const held = await crashed.query(
      `select d.id from deadline d join review_case c on c.id = d.case_id where c.village_code like $1 for update of d`,
      [`${code('T2')}%`],
    );
    expect(held.rowCount).toBe(3);
    expect(await alarms.fireDue()).toMatchObject({ rung: 6 }); // the others are rung; locked rows skipped, not waited for
    await crashed.query('rollback'); // the process is gone: PostgreSQL rolls its transaction back
    await crashed.end();
    expect(await alarms.fireDue()).toMatchObject({ rung: 3 });
    expect(await alarms.fireDue()).toMatchObject({ rung: 0 });
    expect(await notices(`template = 'deadline-reminder'`)).toBe(9);
  });

  it('two workers ringing at the same time ring each alarm once', async () => {
    await ringAt('2026-10-02T01:00:01Z'); // the nine reminders
    engine.clock.set(new Date('2026-10-30T17:00:00Z'));
    const [a, b] = await Promise.all([alarms.fireDue(), alarms.fireDue()]);
    expect(a.rung + b.rung).toBe(18); // 9 overdue + 9 escalations to communes
    expect(await notices(`template in ('step-overdue', 'step-escalated')`)).toBe(18);
  });

  it('Redis lost every job (flushed): the sweep re-arms the wake-ups from PostgreSQL and rings what is due, once', async () => {
    await ringAt('2026-10-02T01:00:01Z'); // the nine reminders
    await ringAt('2026-10-30T17:00:00Z'); // overdue and level 1
    const timers = engine.get<Queue>(getQueueToken(QueueName.Timers) as never);
    await timers.obliterate({ force: true });
    expect(await timers.getJobCounts('delayed', 'wait')).toEqual({ delayed: 0, wait: 0 });
    engine.clock.set(new Date('2026-11-03T00:30:00Z')); // 30 minutes before level 2
    const first = await alarms.sweep(60);
    expect(first).toMatchObject({ fired: 0, rearmed: 1 });
    expect((await timers.getDelayed()).map((j) => j.id)).toEqual([
      `alarms.${Date.parse('2026-11-03T01:00:00.000Z') / 1000}`,
    ]);
    engine.clock.set(new Date('2026-11-03T01:00:00Z'));
    expect(await alarms.sweep(60)).toMatchObject({ fired: 9 });
    expect(await alarms.sweep(60)).toMatchObject({ fired: 0 });
    // T2 has no district: its level 2 is the province.
    expect(await notices(`template = 'step-escalated' and role = 'district_committee'`)).toBe(6);
  });
});
