import type { Actor } from '@rasoat/contracts';
import { CaseChanges, CaseEffectWriter } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-15T02:00:00Z');
const EARLIER = new Date('2026-09-01T02:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [A, B] = [id(1), id(2)];
const CAMPAIGN = id(99);
const board: Actor = { sub: 'board@V1', role: 'village_board', unit: 'T1C1V1' };
const system: Actor = { sub: 'system', role: 'system', unit: 'VN' };
const planned = (dueDate: string, firstAlarmAt: Date | null) => ({
  dueDate,
  dueAt: new Date(`${dueDate}T16:59:59.999Z`),
  alarms: [{ at: '2026-10-01T01:00:00.000Z', kind: 'due' as const, level: 0 }],
  firstAlarmAt,
});

/**
 * The writer of a drain's changes (and of alarms', onDue events' and migrations') on a real
 * PostgreSQL, each test on a fresh database: one statement per table for a whole CaseChanges.
 * What goes into a CaseChanges is unit-tested with the drain (case-engine.service.spec.ts).
 */
describe('CaseEffectWriter', () => {
  let db: TestOrm;
  let writer: CaseEffectWriter;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const write = (changes: CaseChanges) => db.em.fork().transactional((tx) => writer.write(tx, changes));
  const instant = (value: unknown) => (value === null ? null : new Date(value as string));

  beforeEach(async () => {
    db = await createTestOrm();
    writer = new CaseEffectWriter({ calendarVersion: 7 } as ConstructorParameters<typeof CaseEffectWriter>[0]);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('writes the events’ outcomes: applied, or rejected with its code and reason, processed at the batch’s instant', async () => {
    for (const [n, seq] of [
      [11, 1],
      [12, 2],
      [13, 3],
    ]) {
      await sql(
        `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at) values (?, ?, ?, ?, 'MEETING_HELD', '{}', ?, 'pending', ?)`,
        [id(n), A, seq, `key-${seq}`, JSON.stringify(board), EARLIER],
      );
    }
    const changes = new CaseChanges(NOW);
    changes.event(id(11), 'applied');
    changes.event(id(12), 'rejected', { code: 'GUARD_REJECTED', reason: 'Không đủ ý kiến / not enough opinions' });

    await write(changes);

    const rows = await sql<Record<string, unknown>>(
      `select id, status, rejection_code, rejection_reason, processed_at from case_event order by seq`,
    );
    expect(rows.map((r) => ({ ...r, processed_at: instant(r.processed_at) }))).toEqual([
      { id: id(11), status: 'applied', rejection_code: null, rejection_reason: null, processed_at: NOW },
      {
        id: id(12),
        status: 'rejected',
        rejection_code: 'GUARD_REJECTED',
        rejection_reason: 'Không đủ ý kiến / not enough opinions',
        processed_at: NOW,
      },
      { id: id(13), status: 'pending', rejection_code: null, rejection_reason: null, processed_at: null },
    ]);
  });

  it('appends the history entries in the order recorded, at the batch’s instant', async () => {
    const changes = new CaseChanges(NOW);
    changes.record(A, {
      kind: 'transition',
      seq: 1,
      eventType: 'LIST_SUBMITTED',
      actor: board,
      fromStep: 'listing',
      toStep: 'meeting',
      details: { data: { householdCount: 3 } },
    });
    changes.record(B, { kind: 'completed', actor: system, toStep: 'done' });

    await write(changes);

    const rows = await sql<Record<string, unknown>>(
      `select case_id, at, kind, seq, event_type, actor, from_step, to_step, details from case_history order by id`,
    );
    expect(rows.map((r) => ({ ...r, at: instant(r.at) }))).toEqual([
      {
        case_id: A,
        at: NOW,
        kind: 'transition',
        seq: 1,
        event_type: 'LIST_SUBMITTED',
        actor: board,
        from_step: 'listing',
        to_step: 'meeting',
        details: { data: { householdCount: 3 } },
      },
      {
        case_id: B,
        at: NOW,
        kind: 'completed',
        seq: null,
        event_type: null,
        actor: system,
        from_step: null,
        to_step: 'done',
        details: {},
      },
    ]);
  });

  it('closes the open deadlines of the steps left (cancelled, or closed when overdue) and inserts the new ones with the calendar version', async () => {
    for (const [n, step, status] of [
      [21, 'listing', 'armed'],
      [22, 'survey', 'overdue'],
      [23, 'listing', 'fired'],
    ] as const) {
      await sql(
        `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at) values (?, ?, ?, '2026-09-10', '2026-09-10T16:59:59.999Z', '{}', ?, ?, '[]', 0, ?)`,
        [id(n), A, step, status, EARLIER, status === 'fired' ? null : '2026-09-10T01:00:00Z'],
      );
    }
    const changes = new CaseChanges(NOW);
    changes.close(A, 'listing');
    changes.close(A, 'survey');
    changes.arm(A, 'meeting', { due: { kind: 'windowEnd' } }, planned('2026-11-30', new Date('2026-10-01T01:00:00Z')));
    changes.arm(B, 'meeting', { due: { kind: 'windowEnd' } }, planned('2026-11-29', new Date('2026-10-01T01:00:00Z')));
    changes.close(B, 'meeting'); // left again in the same batch: inserted as cancelled

    await write(changes);

    const rows = await sql<Record<string, unknown>>(
      `select case_id, step, due_date::text as due_date, status, armed_at, closed_at, next_alarm_at, calendar_version, alarms, spec from deadline order by case_id, step, status`,
    );
    expect(
      rows.map((r) => ({
        ...r,
        armed_at: instant(r.armed_at),
        closed_at: instant(r.closed_at),
        next_alarm_at: instant(r.next_alarm_at),
      })),
    ).toEqual([
      {
        case_id: A,
        step: 'listing',
        due_date: '2026-09-10',
        status: 'cancelled',
        armed_at: EARLIER,
        closed_at: NOW,
        next_alarm_at: null,
        calendar_version: 0,
        alarms: [],
        spec: {},
      },
      {
        case_id: A,
        step: 'listing',
        due_date: '2026-09-10',
        status: 'fired',
        armed_at: EARLIER,
        closed_at: null,
        next_alarm_at: null,
        calendar_version: 0,
        alarms: [],
        spec: {},
      },
      {
        case_id: A,
        step: 'meeting',
        due_date: '2026-11-30',
        status: 'armed',
        armed_at: NOW,
        closed_at: null,
        next_alarm_at: new Date('2026-10-01T01:00:00Z'),
        calendar_version: 7,
        alarms: planned('2026-11-30', null).alarms,
        spec: { due: { kind: 'windowEnd' } },
      },
      {
        case_id: A,
        step: 'survey',
        due_date: '2026-09-10',
        status: 'closed',
        armed_at: EARLIER,
        closed_at: NOW,
        next_alarm_at: null,
        calendar_version: 0,
        alarms: [],
        spec: {},
      },
      {
        case_id: B,
        step: 'meeting',
        due_date: '2026-11-29',
        status: 'cancelled',
        armed_at: NOW,
        closed_at: NOW,
        next_alarm_at: null,
        calendar_version: 7,
        alarms: planned('2026-11-29', null).alarms,
        spec: { due: { kind: 'windowEnd' } },
      },
    ]);
  });

  it('inserts a notification once per dedupe key, whatever retries write it again', async () => {
    const notice = {
      dedupeKey: `case:${A}:seq:3:commune_committee:meeting-held`,
      unitCode: 'T1C1',
      role: 'commune_committee',
      template: 'meeting-held',
      title: 'Họp dân — thôn V1',
      body: 'x',
      caseId: A,
    };
    const changes = new CaseChanges(NOW);
    changes.notify(notice);
    await write(changes);
    const retry = new CaseChanges(new Date(NOW.getTime() + 60_000));
    retry.notify({ ...notice, title: 'again' });
    await write(retry);

    const rows = await sql<Record<string, unknown>>(
      `select dedupe_key, unit_code, role, template, title, body, case_id, created_at from notification`,
    );
    expect(rows.map((r) => ({ ...r, created_at: instant(r.created_at) }))).toEqual([
      {
        dedupe_key: notice.dedupeKey,
        unit_code: 'T1C1',
        role: 'commune_committee',
        template: 'meeting-held',
        title: 'Họp dân — thôn V1',
        body: 'x',
        case_id: A,
        created_at: NOW,
      },
    ]);
  });

  it('adds the batch’s counter deltas to the per-commune step and stage counters, creating the rows it needs', async () => {
    await sql(
      `insert into progress_counter (campaign_id, commune_code, step, current) values (?, 'T1C1', 'listing', 5)`,
      [CAMPAIGN],
    );
    await sql(`insert into stage_counter (campaign_id, commune_code, stage, reached) values (?, 'T1C1', 1, 5)`, [
      CAMPAIGN,
    ]);
    const changes = new CaseChanges(NOW);
    changes.move(CAMPAIGN, 'T1C1', 'listing', 'meeting', 1, 2);
    changes.move(CAMPAIGN, 'T1C1', 'listing', 'survey', 1, 3);
    changes.move(CAMPAIGN, 'T1C2', 'listing', 'listing', 1, 1); // no move: no counter

    await write(changes);

    expect(await sql(`select commune_code, step, current from progress_counter order by commune_code, step`)).toEqual([
      { commune_code: 'T1C1', step: 'listing', current: 3 },
      { commune_code: 'T1C1', step: 'meeting', current: 1 },
      { commune_code: 'T1C1', step: 'survey', current: 1 },
    ]);
    expect(await sql(`select commune_code, stage, reached from stage_counter order by commune_code, stage`)).toEqual([
      { commune_code: 'T1C1', stage: 1, reached: 5 },
      { commune_code: 'T1C1', stage: 2, reached: 2 },
      { commune_code: 'T1C1', stage: 3, reached: 1 },
    ]);
  });
});
