import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR, type Actor } from '@rasoat/contracts';
import { CampaignsService, CaseAcceptanceService, CaseEngineService, type AcceptOutcome } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

const BUDGET = 100;
const board: Actor = { sub: 'board-t1c1', role: 'village_board', unit: 'T1C1' };
const MEETING = {
  type: 'MEETING_HELD',
  data: {
    date: '2026-09-01',
    chair: 'Trưởng thôn',
    attendees: 30,
    opinionsGiven: 20,
    householdsPut: 12,
    householdsAgreed: 12,
  },
};
const LIST = {
  type: 'REVIEW_LIST_SUBMITTED',
  data: { householdCount: 12, fromPreviousLists: 5, newlyArising: 1, requests: 2 },
};

const codeOf = (o: AcceptOutcome) => (o.ok ? 'recorded' : (o.error as { code?: string }).code);

/**
 * The refused-event budget where events are accepted (group commit, no worker: accepted events
 * wait until the test drains them). Acceptance cannot know which events will be refused, so a
 * burst sent before any is refused is capped by what one actor may have waiting on a case; once
 * refused, the budget holds the actor back for the hour. One actor can thus store at most
 * N - 1 + 500 refusals on one case an hour, however fast it sends.
 */
describe('the refused-event budget at acceptance', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let caseId: string;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);

  beforeAll(async () => {
    engine = await startTestEngine({ worker: false, config: { 'cases.refusedEventsPerHour': BUDGET } });
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
    [{ id: caseId }] = await sql<{ id: string }>(`select id from review_case where village_code = 'T1C1V1'`);
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('records one batch of an actor waiting on a case and refuses the rest of a burst; after the refusals, the budget holds for the hour', async () => {
    const accept = engine.get(CaseAcceptanceService);
    // 600 meetings the case (at its list) cannot take, at once, before anything is applied.
    const burst = await accept.acceptMany(
      Array.from({ length: 600 }, (_, i) => ({ caseId, body: MEETING, actor: board, headerKey: `burst-meeting-${i}` })),
    );
    expect(burst.slice(0, 500).map(codeOf)).toEqual(Array(500).fill('recorded'));
    expect(new Set(burst.slice(500).map(codeOf))).toEqual(new Set(['CASE_WAITING_EVENTS_LIMIT_EXCEEDED']));
    expect((burst[599] as { error: { kind: string; details: unknown } }).error).toMatchObject({
      kind: 'rate_limited',
      details: { caseId, limit: 500, retryAfterSeconds: 5 },
    });
    expect(
      await sql(
        `select accepted_seq as accepted, (select count(*)::int from case_event where case_id = ?) as events from review_case where id = ?`,
        [caseId, caseId],
      ),
    ).toEqual([{ accepted: 500, events: 500 }]);
    // Another member of the board is not held back by this one's burst.
    const other = await accept.accept(caseId, MEETING, { ...board, sub: 'board-t1c1-second' }, 'other-member-meeting');
    expect(other.status).toBe('pending');

    // The engine refuses them all, and writes no history for them.
    while ((await engine.get(CaseEngineService).drain(caseId)).status === 'more');
    expect(
      await sql(
        `select actor ->> 'sub' as sub, status, count(*)::int as n from case_event where case_id = ? group by 1, 2 order by 1`,
        [caseId],
      ),
    ).toEqual([
      { sub: 'board-t1c1', status: 'rejected', n: 500 },
      { sub: 'board-t1c1-second', status: 'rejected', n: 1 },
    ]);
    expect(await sql(`select kind from case_history where case_id = ?`, [caseId])).toEqual([{ kind: 'started' }]);

    // Past the budget: refused for the hour (all refusals came at one instant), whatever the event; a replay is still answered.
    await expect(accept.accept(caseId, LIST, board, 'list-too-soon')).rejects.toMatchObject({
      code: 'CASE_REFUSED_EVENT_BUDGET_EXCEEDED',
      details: { limit: BUDGET, retryAfterSeconds: 3600 },
    });
    expect(await accept.accept(caseId, MEETING, board, 'burst-meeting-0')).toMatchObject({
      replayed: true,
      status: 'rejected',
    });
    engine.clock.advance(1_800_000);
    await expect(accept.accept(caseId, LIST, board, 'list-still-too-soon')).rejects.toMatchObject({
      code: 'CASE_REFUSED_EVENT_BUDGET_EXCEEDED',
      details: { retryAfterSeconds: 1800 },
    });
    expect(
      (await sql<{ n: number }>(`select count(*)::int as n from case_event where case_id = ?`, [caseId]))[0].n,
    ).toBe(501);

    // An hour after the refusals, the board is heard again.
    engine.clock.advance(1_800_000);
    expect(await accept.accept(caseId, LIST, board, 'list-next-hour')).toMatchObject({ status: 'pending', seq: 502 });
  });
});
