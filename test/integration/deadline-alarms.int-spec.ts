import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName, SYSTEM_ACTOR } from '@rasoat/contracts';
import { CaseAcceptanceService, CaseDeadlinesService, CampaignsService } from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

/**
 * Reminders before, escalations after, up the hierarchy, on real PostgreSQL and Redis:
 * T1 (province) → T1D1 (district) → T1C1, T1C2 (communes) → 3 villages each.
 * The national periodic review's listing step: windowEnd deadline, a reminder 20 working days
 * before, escalation every 2 working days up to 3 levels.
 */
describe('deadline alarms', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let alarms: CaseDeadlinesService;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const inbox = () =>
    sql<{ unit_code: string; role: string; template: string; n: number }>(
      `select unit_code, role, template, count(*)::int as n from notification where template like 'deadline-%' or template like 'step-%' group by 1, 2, 3 order by 3, 1`,
    );

  beforeAll(async () => {
    engine = await startTestEngine({ worker: true, start: new Date('2026-09-01T02:00:00Z') });
    alarms = engine.get(CaseDeadlinesService);
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-10-30',
      },
      SYSTEM_ACTOR,
    );
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('arms each case with its alarm plan on the working-day calendar', async () => {
    const rows = await sql<{ alarms: { at: string; kind: string; level: number }[]; next_alarm_at: Date }>(
      `select alarms, next_alarm_at from deadline where step = 'listing'`,
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
        unit_code: v,
        role: 'village_board',
        template: 'deadline-reminder',
        n: 1,
      })),
    );
    const [n] = await sql<{ title: string; body: string }>(
      `select title, body from notification where unit_code = 'T1C1V1'`,
    );
    expect(n.title).toBe('Nhắc việc: Bước 1: Lập danh sách hộ cần rà soát — hạn 30/10/2026');
    expect(n.body).toContain('T1C1V1');
    expect(n.body).toContain('/cases/');
  });

  it('a village that finishes the step in time is never told it is late', async () => {
    const [c] = await sql<{ id: string }>(`select id from review_case where village_code = 'T1C1V1'`);
    await engine.get(CaseAcceptanceService).accept(
      c.id,
      {
        type: 'REVIEW_LIST_SUBMITTED',
        data: { householdCount: 3, fromPreviousLists: 3, newlyArising: 0, requests: 0 },
      },
      { sub: 'b', role: 'village_board', unit: 'T1C1V1' },
    );
    await eventually(
      async () =>
        (await sql<{ status: string }>(`select status from deadline where case_id = ? and step = 'listing'`, [c.id]))[0]
          ?.status === 'cancelled',
      15_000,
      'the listing deadline to be cancelled',
    );
  });

  it('at the due instant: overdue to each village board, escalation level 1 to its commune committee', async () => {
    engine.clock.set(new Date('2026-10-30T17:00:00Z'));
    // 5 listing deadlines × (overdue + level 1), and T1C1V1's survey deadline (also the window
    // end): its reminder, missed while the clock jumped, rings late, then overdue + level 1.
    expect(await alarms.fireDue()).toMatchObject({ rung: 13, notifications: 13 });
    const notices = (await inbox()).filter((r) => r.template !== 'deadline-reminder');
    expect(notices).toEqual([
      { unit_code: 'T1C1', role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: 'T1C2', role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: 'T1C1V1', role: 'surveyor', template: 'step-overdue', n: 1 },
      ...['T1C1V2', 'T1C1V3', 'T1C2V1', 'T1C2V2', 'T1C2V3'].map((v) => ({
        unit_code: v,
        role: 'village_board',
        template: 'step-overdue',
        n: 1,
      })),
    ]);
    expect(
      await sql(
        `select status, count(*)::int as n from deadline where step = 'listing' group by status order by status`,
      ),
    ).toEqual([
      { status: 'cancelled', n: 1 },
      { status: 'overdue', n: 5 },
    ]);
  });

  it('climbs one level every 2 working days: district, then province; then nothing more', async () => {
    engine.clock.set(new Date('2026-11-03T01:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 6, notifications: 6 });
    engine.clock.set(new Date('2026-11-05T01:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 6, notifications: 6 });
    engine.clock.set(new Date('2026-12-31T00:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ rung: 0 });
    const escalations = (await inbox()).filter((r) => r.template === 'step-escalated');
    expect(escalations).toEqual([
      { unit_code: 'T1', role: 'province_committee', template: 'step-escalated', n: 6 },
      { unit_code: 'T1C1', role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: 'T1C2', role: 'commune_committee', template: 'step-escalated', n: 3 },
      { unit_code: 'T1D1', role: 'district_committee', template: 'step-escalated', n: 6 },
    ]);
  });

  it('the overdue step finished late is closed, not cancelled', async () => {
    const [c] = await sql<{ id: string }>(`select id from review_case where village_code = 'T1C1V2'`);
    await engine.get(CaseAcceptanceService).accept(
      c.id,
      {
        type: 'REVIEW_LIST_SUBMITTED',
        data: { householdCount: 3, fromPreviousLists: 3, newlyArising: 0, requests: 0 },
      },
      { sub: 'b', role: 'village_board', unit: 'T1C1V2' },
    );
    await eventually(
      async () =>
        (await sql<{ status: string }>(`select status from deadline where case_id = ? and step = 'listing'`, [c.id]))[0]
          ?.status === 'closed',
      15_000,
      'the listing deadline to be closed',
    );
  });
});

/** Crashes and lost Redis data: no alarm is lost, none rings twice. */
describe('deadline alarms under failure', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let alarms: CaseDeadlinesService;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);

  beforeAll(async () => {
    engine = await startTestEngine({ worker: false, start: new Date('2026-09-01T02:00:00Z') });
    alarms = engine.get(CaseDeadlinesService);
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-10-30',
      },
      SYSTEM_ACTOR,
    );
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T2',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-10-30',
      },
      SYSTEM_ACTOR,
    );
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('a worker that dies holding a batch (its transaction rolled back) loses nothing: the next run rings those alarms once', async () => {
    engine.clock.set(new Date('2026-10-02T01:00:01Z'));
    const crashed = new Client({ connectionString: engine.config.databaseUrl });
    await crashed.connect();
    await crashed.query('begin');
    // The "dying worker" holds the three T2 villages' deadlines, as a batch in flight would.
    const held = await crashed.query(
      `select d.id from deadline d join review_case c on c.id = d.case_id where c.village_code like 'T2%' for update of d`,
    );
    expect(held.rowCount).toBe(3);
    expect(await alarms.fireDue()).toMatchObject({ rung: 6 }); // the others are rung; locked rows skipped, not waited for
    await crashed.query('rollback'); // the process is gone: PostgreSQL rolls its transaction back
    await crashed.end();
    expect(await alarms.fireDue()).toMatchObject({ rung: 3 });
    expect(await alarms.fireDue()).toMatchObject({ rung: 0 });
    const [{ n }] = await sql<{ n: number }>(
      `select count(*)::int as n from notification where template = 'deadline-reminder'`,
    );
    expect(n).toBe(9);
  });

  it('two workers ringing at the same time ring each alarm once', async () => {
    engine.clock.set(new Date('2026-10-30T17:00:00Z'));
    const [a, b] = await Promise.all([alarms.fireDue(), alarms.fireDue()]);
    expect(a.rung + b.rung).toBe(18); // 9 overdue + 9 escalations to communes
    const [{ n }] = await sql<{ n: number }>(
      `select count(*)::int as n from notification where template in ('step-overdue', 'step-escalated')`,
    );
    expect(n).toBe(18);
  });

  it('Redis lost every job (flushed): the sweep re-arms the wake-ups from PostgreSQL and rings what is due, once', async () => {
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
    const [{ n }] = await sql<{ n: number }>(
      `select count(*)::int as n from notification where template = 'step-escalated' and role = 'district_committee'`,
    );
    expect(n).toBe(6); // T2 has no district: its level 2 is the province
  });
});
