import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

// Response bodies are read loosely here; their shape is what the assertions check.
const json = (res: Response): Promise<any> => res.json();

/** `POST /api/cases/events/batch` through HTTP, with the worker in the same process, on real PostgreSQL and Redis. */
describe('HTTP API: many events in one request', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const cases: Record<string, string> = {};
  /** The average-living-standard cases, by village: a second case of each village. */
  const living: Record<string, string> = {};
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer?: string, body?: unknown) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const batch = (bearer: string, body: unknown) => call('POST', '/api/cases/events/batch', bearer, body);
  const eventCount = async (caseId?: string) => {
    const [{ n }] = await engine
      .get(EntityManager)
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from case_event${caseId ? ' where case_id = ?' : ''}`,
        caseId ? [caseId] : [],
      );
    return n;
  };

  const list = (n: number) => ({
    type: 'REVIEW_LIST_SUBMITTED',
    data: { householdCount: n, fromPreviousLists: n - 2, newlyArising: 1, requests: 1 },
  });
  const survey = (n: number) => ({
    type: 'SURVEY_COMPLETED',
    data: { householdsSurveyed: n, poorCount: 2, nearPoorCount: 3 },
  });
  const assessmentList = (n: number) => ({
    type: 'ASSESSMENT_LIST_SUBMITTED',
    data: { householdCount: n, fromRequests: 1, fromPeriodicReview: n - 1 },
  });
  const incomeSurvey = (n: number) => ({
    type: 'INCOME_SURVEY_COMPLETED',
    data: { householdsSurveyed: n, incomeMonths: 12, socialAssistanceExcluded: true, householdsQualifying: 1 },
  });

  beforeAll(async () => {
    engine = await startTestEngine({ http: true });
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
    const rows = await engine
      .get(EntityManager)
      .fork()
      .execute<{ id: string; village_code: string; definition_key: string }[]>(
        `select id, village_code, definition_key from review_case`,
      );
    for (const r of rows) (r.definition_key === 'periodic-review@1' ? cases : living)[r.village_code] = r.id;
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  // A village's tablet syncing its two cases (the periodic review and the average-living-standard
  // list), their events interleaved: each case's events apply in batch order.
  const opening = () => ({
    events: [
      { caseId: cases.T1C1V1, ...list(20), idempotencyKey: 'sync-v1-list' },
      { caseId: living.T1C1V1, ...assessmentList(25), idempotencyKey: 'sync-v1-living-list' },
      { caseId: cases.T1C1V1, ...survey(20), idempotencyKey: 'sync-v1-survey' },
      { caseId: living.T1C1V1, ...incomeSurvey(25), idempotencyKey: 'sync-v1-living-survey' },
    ],
  });

  it('is in the OpenAPI document, with the body limit in its description', async () => {
    const doc = await json(await call('GET', '/api/docs-json'));
    const op = doc.paths['/api/cases/events/batch']?.post;
    expect(op).toBeDefined();
    expect(op.description).toContain('http.bodyLimit');
    expect(op.summary).toMatch(/^Gửi nhiều sự kiện/);
  });

  it('records a batch across several cases and applies each case’s events in batch order', async () => {
    const board = token('village_board', 'T1C1V1');
    const res = await batch(board, opening());
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ accepted: 4, refused: 0 });
    expect(body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual([
      [0, 202],
      [1, 202],
      [2, 202],
      [3, 202],
    ]);
    expect(
      body.results.map((r: { receipt: { caseId: string; seq: number; replayed: boolean } }) => [
        r.receipt.caseId,
        r.receipt.seq,
        r.receipt.replayed,
      ]),
    ).toEqual([
      [cases.T1C1V1, 1, false],
      [living.T1C1V1, 1, false],
      [cases.T1C1V1, 2, false],
      [living.T1C1V1, 2, false],
    ]);
    // The survey is only allowed after the list: both applied means the order held.
    for (const [caseId, next] of [
      [cases.T1C1V1, 'meeting'],
      [living.T1C1V1, 'posting'],
    ]) {
      const view = await eventually(async () => {
        const v = await json(await call('GET', `/api/cases/${caseId}`, board));
        return v.pendingEvents.length === 0 ? v : undefined;
      });
      expect(view.step.id).toBe(next);
      expect(view.history.map((h: { kind: string }) => h.kind)).toEqual(['transition', 'transition', 'started']);
    }
    const statuses = await engine
      .get(EntityManager)
      .fork()
      .execute<{ status: string }[]>('select distinct status from case_event');
    expect(statuses.map((s) => s.status)).toEqual(['applied']);
  });

  it('replays a retried identical batch: same receipts, nothing applied twice', async () => {
    const before = await eventCount();
    const res = await batch(token('village_board', 'T1C1V1'), opening());
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ accepted: 4, refused: 0 });
    // Already applied: the single route answers 200 for such a replay.
    expect(
      body.results.map((r: { status: number; receipt: { seq: number; replayed: boolean; status: string } }) => [
        r.status,
        r.receipt.seq,
        r.receipt.replayed,
        r.receipt.status,
      ]),
    ).toEqual([
      [200, 1, true, 'applied'],
      [200, 1, true, 'applied'],
      [200, 2, true, 'applied'],
      [200, 2, true, 'applied'],
    ]);
    expect(await eventCount()).toBe(before);
    const [{ accepted }] = await engine
      .get(EntityManager)
      .fork()
      .execute<{ accepted: number }[]>('select accepted_seq as accepted from review_case where id = ?', [cases.T1C1V1]);
    expect(accepted).toBe(2);
    // The key of an event already recorded, with another payload: 409 for that item.
    const other = await json(
      await batch(token('village_board', 'T1C1V1'), {
        events: [{ caseId: cases.T1C1V1, ...list(99), idempotencyKey: 'sync-v1-list' }],
      }),
    );
    expect(
      other.results.map((r: { status: number; error?: { code: string; path?: string } }) => [
        r.status,
        r.error?.code,
        r.error?.path,
      ]),
    ).toEqual([[409, 'IDEMPOTENCY_KEY_REUSED', 'events.0.idempotencyKey']]);
    expect(await eventCount()).toBe(before);
  });

  it('answers a mixed batch per item with the single route’s codes and records only the valid items', async () => {
    const board = token('village_board', 'T1C1V3');
    const before = await eventCount();
    const items = [
      /* 0 valid */ { caseId: cases.T1C1V3, ...list(12), idempotencyKey: 'mixed-v3-list' },
      /* 1 unknown case */ { caseId: randomUUID(), ...list(12), idempotencyKey: 'mixed-unknown' },
      /* 2 another commune */ { caseId: cases.T1C2V1, ...list(12), idempotencyKey: 'mixed-outside' },
      /* 3 bad payload */ {
        caseId: cases.T1C1V3,
        type: 'REVIEW_LIST_SUBMITTED',
        data: { householdCount: 'many', fromPreviousLists: 1, newlyArising: 0, requests: 0 },
        idempotencyKey: 'mixed-bad-data',
      },
      /* 4 unknown type */ { caseId: cases.T1C1V3, type: 'NO_SUCH_EVENT', data: {}, idempotencyKey: 'mixed-no-type' },
      /* 5 wrong role */ {
        caseId: cases.T1C1V3,
        type: 'REPORT_SENT_TO_DISTRICT',
        data: { reportRef: 'CV 1' },
        idempotencyKey: 'mixed-role',
      },
      /* 6 the neighbouring village */ { caseId: cases.T1C1V1, ...list(12), idempotencyKey: 'mixed-neighbour' },
      /* 7 key of item 0, other payload */ { caseId: cases.T1C1V3, ...list(13), idempotencyKey: 'mixed-v3-list' },
      /* 8 valid, after item 0 */ { caseId: cases.T1C1V3, ...survey(12), idempotencyKey: 'mixed-v3-survey' },
    ];
    const res = await batch(board, { events: items });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ accepted: 2, refused: 7 });
    expect(
      body.results.map((r: { index: number; status: number; error?: { code: string; path?: string } }) => [
        r.index,
        r.status,
        r.error?.code,
        r.error?.path,
      ]),
    ).toEqual([
      [0, 202, undefined, undefined],
      [1, 404, 'CASE_NOT_FOUND', 'events.1.caseId'],
      [2, 403, 'AUTH_OUT_OF_SCOPE', 'events.2.caseId'],
      [3, 400, 'INVALID_PAYLOAD', 'events.3.data.householdCount'],
      [4, 400, 'UNKNOWN_EVENT_TYPE', 'events.4.type'],
      [5, 403, 'ROLE_NOT_ALLOWED', 'events.5.type'],
      [6, 403, 'AUTH_OUT_OF_SCOPE', 'events.6.caseId'],
      [7, 409, 'IDEMPOTENCY_KEY_REUSED', 'events.7.idempotencyKey'],
      [8, 202, undefined, undefined],
    ]);
    expect([body.results[0].receipt.seq, body.results[8].receipt.seq]).toEqual([1, 2]);
    expect(await eventCount()).toBe(before + 2);
    expect(await eventCount(cases.T1C2V1)).toBe(0);

    // Each refused item alone through the single route: the same status, code and message.
    for (const index of [1, 2, 3, 4, 5, 6, 7]) {
      const { caseId, ...event } = items[index];
      const single = await call('POST', `/api/cases/${caseId}/events`, board, event);
      const answer = await json(single);
      expect({
        index,
        status: single.status,
        code: answer.error.code,
        message: answer.error.message,
        details: answer.error.details,
      }).toEqual({
        index,
        status: body.results[index].status,
        code: body.results[index].error.code,
        message: body.results[index].error.message,
        details: body.results[index].error.details,
      });
    }
    expect(await eventCount()).toBe(before + 2);
  });

  it('refuses a malformed body whole with 400 naming the JSON path, and writes nothing', async () => {
    const board = token('village_board', 'T1C1V3');
    const before = await eventCount();
    const valid = { caseId: cases.T1C1V3, ...list(12), idempotencyKey: 'malformed-valid-1' };
    const cases400: [unknown, string][] = [
      [{ events: { 0: valid } }, 'events'],
      [{ events: [] }, 'events'],
      [{ events: Array.from({ length: 501 }, (_, i) => ({ ...valid, idempotencyKey: `too-many-${i}` })) }, 'events'],
      [{}, 'events'],
      [[valid], '(root)'],
      [{ events: [valid, { ...valid, idempotencyKey: undefined }] }, 'events.1.idempotencyKey'],
      [{ events: [valid, { ...valid, idempotencyKey: 'short' }] }, 'events.1.idempotencyKey'],
      [{ events: [valid, { ...valid, caseId: 'T1C1V3' }] }, 'events.1.caseId'],
      [{ events: [valid, { ...valid, type: 'lower' }] }, 'events.1.type'],
      [{ events: [valid, { ...valid, data: [] }] }, 'events.1.data'],
      [{ events: [valid, { ...valid, extra: 1 }] }, 'events.1.extra'],
      [{ events: [valid], extra: 1 }, 'extra'],
    ];
    for (const [body, path] of cases400) {
      const res = await batch(board, body);
      const answer = await json(res);
      expect({ path, status: res.status, code: answer.error?.code }).toEqual({
        path,
        status: 400,
        code: 'REQUEST_INVALID',
      });
      expect(answer.error.details.fields.map((f: { field: string }) => f.field)).toContain(path);
    }
    const broken = await batch(board, '{"events": [');
    expect(broken.status).toBe(400);
    expect((await json(broken)).error.code).toBe('REQUEST_BODY_MALFORMED');
    expect(await eventCount()).toBe(before);
  });

  it('answers 413 above http.bodyLimit, and 401 without a valid token', async () => {
    const huge = {
      events: [
        {
          caseId: cases.T1C1V3,
          type: 'COMPLAINT_FILED',
          data: { householdRef: 'H1', summary: 'đ'.repeat(1_100_000) },
          idempotencyKey: 'huge-0001',
        },
      ],
    };
    const res = await batch(token('village_board', 'T1C1V3'), huge);
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('REQUEST_BODY_TOO_LARGE');
    expect((await call('POST', '/api/cases/events/batch', undefined, opening())).status).toBe(401);
  });
});
