import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

// Response bodies are read loosely here; their shape is what the assertions check.
const json = (res: Response): Promise<any> => res.json();

const BUDGET = 100;
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
  data: { householdCount: 20, fromPreviousLists: 15, newlyArising: 3, requests: 2 },
};
const SURVEY = { type: 'SURVEY_COMPLETED', data: { householdsSurveyed: 20, poorCount: 3, nearPoorCount: 4 } };
const complaint = (n: number) => ({
  type: 'COMPLAINT_FILED',
  data: { householdRef: `H${n}`, summary: `Khiếu nại số ${n}` },
});

/**
 * A case's history is bounded (hardening item 3): a sender whose events the case refuses writes
 * no history, is stopped after `cases.refusedEventsPerHour` refusals on a case within an hour
 * (429, nothing recorded), and every read of a case returns one page of history at most.
 * Through HTTP, with the worker in the same process, on real PostgreSQL and Redis.
 */
describe('a case history with a bound', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const cases: Record<string, string> = {};
  /** The average-living-standard cases, by village: a second case of each village (the same board, another case). */
  const living: Record<string, string> = {};
  const token = (role: string, unit: string, sub = `${role}@${unit}`) =>
    signToken({ sub, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const written = async (caseId: string) =>
    (
      await sql<{ events: number; accepted: number; history: number }>(
        `select (select count(*)::int from case_event where case_id = ?) as events, (select accepted_seq from review_case where id = ?) as accepted,
              (select count(*)::int from case_history where case_id = ?) as history`,
        [caseId, caseId, caseId],
      )
    )[0];
  const drained = (caseId: string) =>
    eventually(
      async () =>
        (
          await sql<{ n: number }>(
            `select count(*)::int as n from case_event where case_id = ? and status = 'pending'`,
            [caseId],
          )
        )[0].n === 0,
      30_000,
      'the events to be processed',
    );
  const batch = (bearer: string, caseId: string, events: { type: string; data: unknown }[], keyPrefix: string) =>
    call('POST', '/api/cases/events/batch', bearer, {
      events: events.map((e, i) => ({ caseId, ...e, idempotencyKey: `${keyPrefix}-${i}` })),
    });

  beforeAll(async () => {
    engine = await startTestEngine({ http: true, config: { 'cases.refusedEventsPerHour': BUDGET } });
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
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'average-living-standard@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
    for (const r of await sql<{ id: string; village_code: string; definition_key: string }>(
      `select id, village_code, definition_key from review_case`,
    )) {
      (r.definition_key === 'periodic-review@1' ? cases : living)[r.village_code] = r.id;
    }
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it(`writes no history for refused events, and refuses the ${BUDGET + 1}st of one actor on one case within the hour with 429, recording nothing`, async () => {
    const caseId = cases.T1C1V1;
    const board = token('village_board', 'T1C1V1');
    // A village board keeps sending a meeting the case (still at its list) cannot take.
    const first = await batch(
      board,
      caseId,
      Array.from({ length: BUDGET }, () => MEETING),
      'refused-meeting',
    );
    expect(first.status).toBe(200);
    expect((await json(first)).accepted).toBe(BUDGET);
    await drained(caseId);
    expect(
      await sql(
        `select status, rejection_code as code, count(*)::int as n from case_event where case_id = ? group by 1, 2`,
        [caseId],
      ),
    ).toEqual([{ status: 'rejected', code: 'EVENT_NOT_ALLOWED', n: BUDGET }]);

    // The case view: no history entry per refusal, the refusals counted, the latest few listed without their payload.
    const res = await call('GET', `/api/cases/${caseId}`, board);
    const text = await res.text();
    const view = JSON.parse(text);
    expect(view.history.map((h: { kind: string }) => h.kind)).toEqual(['started']);
    expect(view.historyTotal).toBe(1);
    expect(view.historyNextBefore).toBeNull();
    expect(view.refusedEvents.total).toBe(BUDGET);
    expect(view.refusedEvents.recent).toHaveLength(5);
    expect(view.refusedEvents.recent[0]).toEqual({
      eventId: expect.any(String),
      seq: BUDGET,
      type: 'MEETING_HELD',
      code: 'EVENT_NOT_ALLOWED',
      reason: expect.stringContaining('REVIEW_LIST_SUBMITTED'),
      actor: { sub: 'village_board@T1C1V1', role: 'village_board', unit: 'T1C1V1' },
      at: expect.any(String),
    });
    expect(JSON.stringify(view.refusedEvents)).not.toContain('Trưởng thôn');
    // What a read costs no longer grows with the refusals (before: one ~700-byte entry each).
    expect(Buffer.byteLength(text)).toBeLessThan(12_000);
    const before = await written(caseId);
    expect(before).toEqual({ events: BUDGET, accepted: BUDGET, history: 1 });

    // The next one, through the single route: 429 naming the limit, with Retry-After; nothing written.
    const over = await call('POST', `/api/cases/${caseId}/events`, board, MEETING, {
      'idempotency-key': 'refused-meeting-over',
    });
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const error = (await json(over)).error;
    expect(error).toMatchObject({
      code: 'CASE_REFUSED_EVENT_BUDGET_EXCEEDED',
      details: { caseId, limit: BUDGET, windowSeconds: 3600, retryAfterSeconds: retryAfter },
    });
    expect(error.message).toMatch(
      new RegExp(
        `^Bạn đã có ${BUDGET} sự kiện bị từ chối .* / ${BUDGET} of your events on this case were refused within the last hour`,
      ),
    );
    // Whatever the event: the list the case is waiting for too, until the hour has passed.
    expect((await call('POST', `/api/cases/${caseId}/events`, board, LIST)).status).toBe(429);
    // The other 199 of 300, through the batch route: each item 429 at its caseId, none recorded.
    const rest = await batch(
      board,
      caseId,
      Array.from({ length: 300 - BUDGET - 1 }, () => MEETING),
      'refused-meeting-rest',
    );
    expect(rest.status).toBe(200);
    const restBody = await json(rest);
    expect(restBody).toMatchObject({ accepted: 0, refused: 199 });
    expect(
      new Set(restBody.results.map((r: { status: number; error: { code: string } }) => `${r.status} ${r.error.code}`)),
    ).toEqual(new Set(['429 CASE_REFUSED_EVENT_BUDGET_EXCEEDED']));
    expect(restBody.results[7]).toMatchObject({
      index: 7,
      error: { path: 'events.7.caseId', details: { retryAfterSeconds: retryAfter } },
    });
    expect(await written(caseId)).toEqual(before);

    // A retry of an event already recorded is still answered (its outcome, 422), not refused.
    const replay = await call('POST', `/api/cases/${caseId}/events`, board, MEETING, {
      'idempotency-key': 'refused-meeting-0',
    });
    expect(replay.status).toBe(422);
    expect(await json(replay)).toMatchObject({ replayed: true, status: 'rejected' });
    // The budget is the actor's on this case: another member of the board, or the same board on another case, is not stopped.
    expect(
      (
        await call(
          'POST',
          `/api/cases/${caseId}/events?wait=15000`,
          token('village_board', 'T1C1V1', 'second-member@T1C1V1'),
          MEETING,
        )
      ).status,
    ).toBe(422);
    // The same board on its village's other case (the average-living-standard review), sending what that case cannot take yet either.
    const survey = {
      type: 'INCOME_SURVEY_COMPLETED',
      data: { householdsSurveyed: 5, incomeMonths: 12, socialAssistanceExcluded: true, householdsQualifying: 2 },
    };
    expect((await call('POST', `/api/cases/${living.T1C1V1}/events?wait=15000`, board, survey)).status).toBe(422);

    // An hour after the oldest counted refusal, the board is heard again.
    engine.clock.advance(retryAfter * 1000);
    const list = await call('POST', `/api/cases/${caseId}/events?wait=15000`, token('village_board', 'T1C1V1'), LIST);
    expect(list.status).toBe(200);
  });

  it('pages the history newest first, with a cursor and a capped page size', async () => {
    const caseId = cases.T1C2V1;
    const board = token('village_board', 'T1C2V1');
    const opening = await batch(
      board,
      caseId,
      [LIST, SURVEY, MEETING, ...Array.from({ length: 70 }, (_, n) => complaint(n))],
      'history-page',
    );
    expect((await json(opening)).accepted).toBe(73);
    await drained(caseId);
    const all = (
      await sql<{ id: string }>(`select h.id::text as id from case_history h where h.case_id = ? order by h.id desc`, [
        caseId,
      ])
    ).map((r) => r.id);
    expect(all.length).toBeGreaterThanOrEqual(74);

    const view = await json(await call('GET', `/api/cases/${caseId}`, board));
    expect(view.history).toHaveLength(50);
    expect(view.historyTotal).toBe(all.length);
    expect(view.history.map((h: { id: string }) => h.id)).toEqual(all.slice(0, 50));
    expect(view.history[0]).toMatchObject({
      kind: 'event',
      eventType: 'COMPLAINT_FILED',
      details: { data: { householdRef: 'H69' } },
    });
    expect(view.historyNextBefore).toBe(all[49]);

    // Older pages follow the cursor until there are none; together they are the whole history, once each.
    const seen: string[] = view.history.map((h: { id: string }) => h.id);
    let before: string | null = view.historyNextBefore;
    while (before) {
      const res = await call('GET', `/api/cases/${caseId}/history?before=${before}&limit=10`, board);
      expect(res.status).toBe(200);
      const page = await json(res);
      expect(page).toMatchObject({ caseId, total: all.length });
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((h: { id: string }) => h.id));
      before = page.nextBefore;
    }
    expect(seen).toEqual(all);
    expect(
      (await json(await call('GET', `/api/cases/${caseId}/history?before=${all.at(-2)}`, board))).items.map(
        (h: { kind: string }) => h.kind,
      ),
    ).toEqual(['started']);
    expect((await json(await call('GET', `/api/cases/${caseId}/history?limit=200`, board))).items).toHaveLength(
      all.length,
    );

    // Bad queries are refused naming the parameter; the scope is the case view's.
    for (const [query, field] of [
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['before=abc', 'before'],
      ['page=2', 'page'],
    ]) {
      const res = await call('GET', `/api/cases/${caseId}/history?${query}`, board);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((await json(res)).error).toMatchObject({
        code: 'REQUEST_INVALID',
        details: { where: 'query', fields: [{ field }] },
      });
    }
    expect((await call('GET', `/api/cases/${caseId}/history`, token('village_board', 'T1C1V1'))).status).toBe(403);
    expect((await call('GET', '/api/cases/00000000-0000-4000-8000-000000000000/history', board)).status).toBe(404);
  });
});
