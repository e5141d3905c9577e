import { DeadlineAlarmsRepository, type Alarm } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const CAMPAIGN = '00000000-0000-4000-8000-00000000c0de';
const NOW = new Date('2026-10-30T17:00:00Z');
const DUE = '2026-10-30T16:59:59.999Z';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const caseId = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const due: Alarm = { at: DUE, kind: 'due', level: 0 };
const escalation: Alarm = { at: '2026-11-03T01:00:00.000Z', kind: 'escalation', level: 2 };
const event: Alarm = { at: DUE, kind: 'event', level: 0 };

/**
 * The statements of ringing alarms and sending onDue events on a real PostgreSQL, each test on a
 * fresh database. What rings and what closes a deadline are the services' (unit tests, and
 * deadline-alarms.int-spec.ts and deadline-events-batch.int-spec.ts through the engine).
 */
describe('DeadlineAlarmsRepository', () => {
  let db: TestOrm;
  let alarms: DeadlineAlarmsRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  const kase = (n: number, fields: { village?: string; step?: string; status?: string; snapshot?: object } = {}) =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (?, ?, ?, 'T1C1', ?, 'periodic-review@1', ?, ?, 1, ?, 0, 0, ?, ?)`,
      [
        caseId(n),
        CAMPAIGN,
        fields.village ?? `V${n}`,
        `/T1/T1C1/${fields.village ?? `V${n}`}/`,
        fields.step ?? 'listing',
        fields.status ?? 'active',
        JSON.stringify(fields.snapshot ?? { step: fields.step ?? 'listing', regions: { sample: 'resurvey' } }),
        NOW,
        NOW,
      ],
    );
  const deadline = (
    n: number,
    ofCase: number,
    fields: { alarms?: Alarm[]; next?: number; nextAt?: string | null; status?: string } = {},
  ) =>
    sql(
      `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at)
       values (?, ?, 'listing', '2026-10-30', ?, ?, ?, ?, ?, ?, ?)`,
      [
        id(n),
        caseId(ofCase),
        DUE,
        JSON.stringify({ onDue: 'postingEnded' }),
        fields.status ?? 'armed',
        NOW,
        JSON.stringify(fields.alarms ?? [due, escalation]),
        fields.next ?? 0,
        fields.nextAt === undefined ? DUE : fields.nextAt,
      ],
    );
  // Instants as ISO strings (the driver returns timestamptz as PostgreSQL's text).
  const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
  const rows = async () =>
    (
      await sql<{
        id: string;
        status: string;
        next_alarm: number;
        next_alarm_at: string | null;
        closed_at: string | null;
      }>(`select id, status, next_alarm, next_alarm_at, closed_at from deadline order by id`)
    ).map((r) => ({ ...r, next_alarm_at: iso(r.next_alarm_at), closed_at: iso(r.closed_at) }));

  beforeEach(async () => {
    db = await createTestOrm();
    alarms = new DeadlineAlarmsRepository(db.em);
    await sql(
      `insert into admin_unit (code, name, level, parent_code, path, province_code) values ('V1', 'Thôn Một', 'village', null, '/T1/T1C1/V1/', 'T1')`,
    );
  });
  afterEach(async () => {
    await db?.close();
  });

  it('locks the deadlines whose next alarm is due, soonest first, with their case, definition and village; never an onDue event', async () => {
    await kase(1);
    await kase(2, { step: 'survey', status: 'done' });
    await deadline(1, 1, { nextAt: '2026-10-30T16:00:00Z' });
    await deadline(2, 2, { nextAt: '2026-10-30T15:00:00Z' });
    await deadline(3, 1, { nextAt: '2026-10-31T01:00:00Z' }); // not yet
    await deadline(4, 1, { nextAt: null }); // closed
    await deadline(5, 1, { alarms: [event] }); // an onDue event

    const due1 = await alarms.transaction((tx) => alarms.lockDue(tx, NOW, 10));
    expect(due1.map((r) => r.id)).toEqual([id(2), id(1)]);
    expect(due1[1]).toEqual({
      id: id(1),
      case_id: caseId(1),
      step: 'listing',
      due_date: '2026-10-30',
      status: 'armed',
      alarms: [due, escalation],
      next_alarm: 0,
      case_status: 'active',
      case_step: 'listing',
      regions: { sample: 'resurvey' },
      definition_key: 'periodic-review@1',
      unit_path: '/T1/T1C1/V1/',
      village_code: 'V1',
      village_name: 'Thôn Một',
    });
    expect(due1[0]).toMatchObject({ case_status: 'done', case_step: 'survey', village_code: 'V2', village_name: null }); // a village unknown to admin_unit
    expect(await alarms.transaction((tx) => alarms.lockDue(tx, NOW, 1))).toHaveLength(1);
  });

  it('skips the due deadlines another transaction holds, without waiting for it', async () => {
    await kase(1);
    for (const n of [1, 2, 3]) await deadline(n, 1, { nextAt: `2026-10-30T1${n}:00:00Z` });

    const [first, rest] = await alarms.transaction(async (tx) => {
      const held = await alarms.lockDue(tx, NOW, 1);
      const others = await alarms.transaction((other) => alarms.lockDue(other, NOW, 10));
      return [held, others];
    });
    expect(first.map((r) => r.id)).toEqual([id(1)]);
    expect(rest.map((r) => r.id)).toEqual([id(2), id(3)]);
  });

  it('commits the transaction asynchronously when asked', async () => {
    const setting = await alarms.transaction(async (tx) => {
      await alarms.commitAsynchronously(tx);
      return tx.execute<{ synchronous_commit: string }[]>('show synchronous_commit');
    });
    expect(setting).toEqual([{ synchronous_commit: 'off' }]);
    expect(await sql('show synchronous_commit')).toEqual([{ synchronous_commit: 'on' }]); // only that transaction
  });

  it('writes the rung deadlines in one statement, keeping the closing time of those not closed', async () => {
    await kase(1);
    await deadline(1, 1);
    await deadline(2, 1);
    await sql(`update deadline set closed_at = '2026-10-01T00:00:00Z' where id = ?`, [id(1)]);

    await alarms.transaction((tx) =>
      alarms.updateRung(tx, [
        { id: id(1), status: 'overdue', next_alarm: 1, next_alarm_at: escalation.at, closed_at: null },
        { id: id(2), status: 'cancelled', next_alarm: 0, next_alarm_at: null, closed_at: NOW.toISOString() },
      ]),
    );
    expect(await rows()).toEqual([
      {
        id: id(1),
        status: 'overdue',
        next_alarm: 1,
        next_alarm_at: escalation.at,
        closed_at: '2026-10-01T00:00:00.000Z',
      },
      { id: id(2), status: 'cancelled', next_alarm: 0, next_alarm_at: null, closed_at: NOW.toISOString() },
    ]);
  });

  it('lists the onDue events due, soonest first', async () => {
    await kase(1);
    await deadline(1, 1, { alarms: [event], nextAt: '2026-10-30T16:00:00Z' });
    await deadline(2, 1, { alarms: [event], nextAt: '2026-10-30T15:00:00Z' });
    await deadline(3, 1, { alarms: [event], nextAt: '2026-10-31T01:00:00Z' }); // not yet
    await deadline(4, 1); // a notice

    expect(await alarms.dueEvents(NOW)).toEqual([id(2), id(1)]);
  });

  it('finds the cases of deadlines, then locks the case locks, the case rows and the deadlines, in id order', async () => {
    await kase(1);
    await kase(2, { step: 'posting', snapshot: { step: 'posting', status: 'active' } });
    await deadline(1, 2, { alarms: [event] });
    await deadline(2, 1);

    const locked = await alarms.transaction(async (tx) => {
      const refs = await alarms.casesOf(tx, [id(2), id(1), id(9)]);
      await alarms.lockCases(tx, [caseId(2), caseId(1)]);
      const [{ n }] = await tx.execute<{ n: number }[]>(
        `select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`,
      );
      return {
        refs,
        n,
        cases: await alarms.lockCaseRows(tx, [caseId(2), caseId(1)]),
        deadlines: await alarms.lockDeadlines(tx, [id(2), id(1)]),
      };
    });
    expect(locked.refs.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: id(1), case_id: caseId(2) },
      { id: id(2), case_id: caseId(1) },
    ]);
    expect(locked.n).toBe(2);
    expect(locked.cases).toEqual([
      { id: caseId(1), status: 'active', snapshot: { step: 'listing', regions: { sample: 'resurvey' } } },
      { id: caseId(2), status: 'active', snapshot: { step: 'posting', status: 'active' } },
    ]);
    expect(locked.deadlines.map((d) => d.id)).toEqual([id(1), id(2)]);
    const [first] = locked.deadlines;
    expect({ ...first, next_alarm_at: iso(first.next_alarm_at) }).toEqual({
      id: id(1),
      case_id: caseId(2),
      step: 'listing',
      due_date: '2026-10-30',
      spec: { onDue: 'postingEnded' },
      alarms: [event],
      next_alarm: 0,
      next_alarm_at: DUE,
    });
  });

  it('cancels deadlines of steps left, and marks the fired ones past their event alarm', async () => {
    await kase(1);
    await deadline(1, 1, { alarms: [event] });
    await deadline(2, 1, { alarms: [event] });
    await deadline(3, 1, { alarms: [event] });

    await alarms.transaction(async (tx) => {
      await alarms.cancel(tx, [id(1)], NOW);
      await alarms.markFired(tx, [id(2)], NOW);
    });
    expect(await rows()).toEqual([
      { id: id(1), status: 'cancelled', next_alarm: 0, next_alarm_at: null, closed_at: NOW.toISOString() },
      { id: id(2), status: 'fired', next_alarm: 1, next_alarm_at: null, closed_at: NOW.toISOString() },
      { id: id(3), status: 'armed', next_alarm: 0, next_alarm_at: DUE, closed_at: null },
    ]);
  });
});
