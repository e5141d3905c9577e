import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CaseAcceptanceService, CaseDeadlinesService } from '@rasoat/engine';
import {
  addTestProvinces,
  silenceEarlierAlarms,
  startTestCampaign,
  startTestEngine,
  type TestEngine,
} from '@rasoat/testing';

/**
 * onDue events sent in batches (`CaseDeadlinesService.fireEvents`), on real PostgreSQL: each
 * deadline of a batch gets the outcome `fireEvent` gives it alone, and each event reaches its
 * case's inbox once, whether the batch is sent twice or by two callers at once.
 * The six T1 villages' listing deadlines are turned into onDue deadlines (the step is active).
 * One engine for these tests: each starts with the alarms of the tests before it silenced
 * (`fireDue` sends every onDue event due in the database), on a copy of the test provinces and a
 * campaign of its own, and sends first the batches its story needs.
 */
describe('onDue events in batches', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let alarms: CaseDeadlinesService;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const NOW = new Date('2026-09-10T02:00:00Z');
  let ids: Record<string, string>;
  let code: (c: string) => string;
  let campaignId: string;

  /** Makes a village's listing deadline an onDue deadline ringing at `at`, on step `step`. */
  const onDue = async (village: string, at: Date, step = 'listing') => {
    const [d] = await sql<{ id: string }>(
      `update deadline d set step = ?, status = 'armed', closed_at = null, next_alarm = 0, next_alarm_at = ?,
         alarms = jsonb_build_array(jsonb_build_object('at', ?::text, 'kind', 'event', 'level', 0)),
         spec = d.spec || '{"onDue": "POSTING_PERIOD_ENDED"}'::jsonb
       from review_case c where c.id = d.case_id and c.village_code = ? and d.step = 'listing' returning d.id`,
      [step, at, at.toISOString(), code(village)],
    );
    return d.id;
  };
  const events = () =>
    sql<{ key: string; n: number }>(
      `select e.idempotency_key as key, count(*)::int as n from case_event e join review_case c on c.id = e.case_id
       where c.campaign_id = ? and e.idempotency_key like 'deadline:%' group by 1 order by 1`,
      [campaignId],
    );

  beforeAll(async () => {
    engine = await startTestEngine({ worker: false, start: new Date('2026-09-01T02:00:00Z') });
    alarms = engine.get(CaseDeadlinesService);
  });
  beforeEach(async () => {
    await silenceEarlierAlarms(engine);
    engine.clock.set(new Date('2026-09-01T02:00:00Z'));
    code = await addTestProvinces(engine);
    campaignId = (await startTestCampaign(engine, code('T1'), { windowEnd: '2026-10-30' })).campaign.id;
    const due = new Date('2026-09-09T17:00:00Z');
    ids = {
      fired: await onDue('T1C1V1', due),
      stale: await onDue('T1C1V2', due, 'posting'), // the case is in listing: posting is not active
      notDue: await onDue('T1C1V3', new Date('2026-09-20T17:00:00Z')),
      replayed: await onDue('T1C2V1', due),
      a: await onDue('T1C2V2', due),
      b: await onDue('T1C2V3', due),
      unknown: randomUUID(),
    };
    engine.clock.set(NOW);
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  /**
   * The first batch: T1C2V1's event is already in its inbox (a crash after the insert, say), then
   * the unknown, not-due, stale, fired and replayed deadlines are sent together.
   */
  async function firstBatch() {
    const [c] = await sql<{ case_id: string }>('select case_id from deadline where id = ?', [ids.replayed]);
    const earlier = await engine
      .get(CaseAcceptanceService)
      .record(
        engine.get(EntityManager).fork(),
        c.case_id,
        'POSTING_PERIOD_ENDED',
        {},
        SYSTEM_ACTOR,
        `deadline:${ids.replayed}`,
      );
    const outcomes = await alarms.fireEvents([ids.unknown, ids.notDue, ids.stale, ids.fired, ids.replayed]);
    return { earlier, outcomes };
  }

  it('gives each deadline of a batch its own outcome, in the order asked', async () => {
    const { earlier, outcomes } = await firstBatch();
    expect(outcomes).toEqual(['unknown', 'not-due', 'stale', 'fired', 'fired']);
    const rows = await sql<{ id: string; status: string; next_alarm: number; next_alarm_at: Date | null }>(
      `select id, status, next_alarm, next_alarm_at from deadline where id in (?, ?, ?, ?)`,
      [ids.fired, ids.stale, ids.notDue, ids.replayed],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids.fired)).toMatchObject({ status: 'fired', next_alarm: 1, next_alarm_at: null });
    expect(byId.get(ids.replayed)).toMatchObject({ status: 'fired', next_alarm: 1, next_alarm_at: null });
    expect(byId.get(ids.stale)).toMatchObject({ status: 'cancelled', next_alarm: 0, next_alarm_at: null });
    expect(byId.get(ids.notDue)).toMatchObject({ status: 'armed', next_alarm: 0 });
    expect(await events()).toEqual(
      [`deadline:${ids.fired}`, `deadline:${ids.replayed}`].sort().map((key) => ({ key, n: 1 })),
    );
    const [replayed] = await sql<{ id: string }>(`select id from case_event where idempotency_key = ?`, [
      `deadline:${ids.replayed}`,
    ]);
    expect(replayed.id).toBe(earlier.eventId);
    const history = await sql<{ details: { deadlineId: string; alarm: string; onDue: string } }>(
      `select h.details from case_history h join review_case c on c.id = h.case_id
       where c.campaign_id = ? and h.kind = 'deadline' order by h.details ->> 'deadlineId'`,
      [campaignId],
    );
    expect(history.map((h) => h.details)).toEqual(
      [ids.fired, ids.replayed]
        .sort()
        .map((deadlineId) => expect.objectContaining({ deadlineId, alarm: 'event', onDue: 'POSTING_PERIOD_ENDED' })),
    );
    // The fired case's next accepted event follows its onDue event.
    const [{ accepted_seq }] = await sql<{ accepted_seq: number }>(
      'select accepted_seq from review_case c join deadline d on d.case_id = c.id where d.id = ?',
      [ids.fired],
    );
    expect(accepted_seq).toBe(1);
  });

  it('the same batch again changes nothing and inserts no event twice', async () => {
    await firstBatch();
    expect(await alarms.fireEvents([ids.unknown, ids.notDue, ids.stale, ids.fired, ids.replayed])).toEqual([
      'unknown',
      'not-due',
      'already-closed',
      'already-closed',
      'already-closed',
    ]);
    expect((await events()).every((e) => e.n === 1)).toBe(true);
    expect(await events()).toHaveLength(2);
    expect(await alarms.fireEvent(ids.fired)).toBe('already-closed');
  });

  it('two callers firing the same batch at once send each event once', async () => {
    await firstBatch(); // two events already sent
    const batch = [ids.a, ids.b, ids.notDue];
    const [first, second] = await Promise.all([alarms.fireEvents(batch), alarms.fireEvents([...batch].reverse())]);
    expect([first[0], second[2]].sort()).toEqual(['already-closed', 'fired']);
    expect([first[1], second[1]].sort()).toEqual(['already-closed', 'fired']);
    expect([first[2], second[0]]).toEqual(['not-due', 'not-due']);
    const keys = await events();
    expect(keys).toHaveLength(4);
    expect(keys.every((e) => e.n === 1)).toBe(true);
    // Once due, the last one fires through fireDue's batches, once.
    engine.clock.set(new Date('2026-09-21T00:00:00Z'));
    expect(await alarms.fireDue()).toMatchObject({ events: 1 });
    expect(await alarms.fireDue()).toMatchObject({ events: 0 });
    expect(await events()).toHaveLength(5);
  });
});
