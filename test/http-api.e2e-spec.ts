import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

// Response bodies are read loosely here; their shape is what the assertions check.
const json = (res: Response): Promise<any> => res.json();

/** Black-box: the API through HTTP, with the worker in the same process, on real PostgreSQL and Redis. */
describe('HTTP API end to end', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let caseId: string;
  /** The village of `caseId`, where its village board's tokens are scoped. */
  let village: string;
  let otherCommuneCaseId: string;
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer?: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
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
    const res = await call('GET', `/api/progress?unit=T1C1`, token('commune_committee', 'T1C1'));
    expect(res.status).toBe(200);
    const progress = await json(res);
    caseId = progress.children[0].caseId;
    village = progress.children[0].code;
    const other = await json(await call('GET', `/api/progress?unit=T1C2`, token('commune_committee', 'T1C2')));
    otherCommuneCaseId = other.children[0].caseId;
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('answers the nation to a national admin, and names the bad query parameter', async () => {
    const nation = token('national_admin', 'VN');
    const res = await call('GET', '/api/progress?unit=VN&year=2026&process=periodic-review', nation);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ unit: { code: 'VN', level: 'nation' }, process: 'periodic-review', year: 2026 });
    expect(body.children.map((c: { code: string }) => c.code)).toEqual(['T1']);
    expect(body.totals.cases).toBe(body.children[0].cases);
    const badYear = await call('GET', '/api/progress?unit=VN&year=twenty', nation);
    expect(badYear.status).toBe(400);
    expect(JSON.stringify(await json(badYear))).toContain('year');
    const unknown = await call('GET', '/api/progress?unit=VN&process=no-such-process', nation);
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.code).toBe('CAMPAIGN_NOT_FOUND');
    expect((await call('GET', '/api/progress?unit=VN', token('province_committee', 'T1'))).status).toBe(403);
  });

  it('reports health of the database and Redis without a token', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok', database: 'up', redis: 'up' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await call('GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys((await json(res)).paths)).toContain('/api/cases/{id}/events');
  });

  it('refuses requests without a valid token (401)', async () => {
    expect((await call('GET', `/api/cases/${caseId}`)).status).toBe(401);
    expect((await call('GET', `/api/cases/${caseId}`, 'not.a.token')).status).toBe(401);
    const forged = signToken(
      { sub: 'x', role: 'national_admin', unit: 'VN' },
      'another-secret-another-secret-another',
      engine.clock.now(),
    );
    expect((await call('GET', `/api/cases/${caseId}`, forged)).status).toBe(401);
  });

  it('keeps a commune official inside their commune (403)', async () => {
    const res = await call('GET', `/api/cases/${otherCommuneCaseId}`, token('commune_committee', 'T1C1'));
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('AUTH_OUT_OF_SCOPE');
    const post = await call('POST', `/api/cases/${otherCommuneCaseId}/events`, token('village_board', village), {
      type: 'REVIEW_LIST_SUBMITTED',
      data: {},
    });
    expect(post.status).toBe(403);
  });

  it('names the field of a bad event and changes nothing (400)', async () => {
    const board = token('village_board', village);
    const unknown = await call('POST', `/api/cases/${caseId}/events`, board, { type: 'NO_SUCH_EVENT', data: {} });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatchObject({ code: 'UNKNOWN_EVENT_TYPE', details: { field: 'type' } });
    const bad = await call('POST', `/api/cases/${caseId}/events`, board, {
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount: 'many', fromPreviousLists: 1, newlyArising: 0, requests: 0 },
    });
    expect(bad.status).toBe(400);
    const body = await json(bad);
    expect(body.error.code).toBe('INVALID_PAYLOAD');
    expect(body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['data.householdCount']);
    const malformed = await call('POST', `/api/cases/${caseId}/events`, board, { kind: 'x' });
    expect(malformed.status).toBe(400);
    const shortKey = await call(
      'POST',
      `/api/cases/${caseId}/events`,
      board,
      {
        type: 'REVIEW_LIST_SUBMITTED',
        data: { householdCount: 3, fromPreviousLists: 1, newlyArising: 0, requests: 0 },
      },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(shortKey.status).toBe(400);
    expect((await json(shortKey)).error.details).toEqual({
      where: 'headers',
      fields: [{ field: 'Idempotency-Key', message: 'phải có ít nhất 8 ký tự / must be at least 8 characters' }],
    });
    const view = await json(await call('GET', `/api/cases/${caseId}`, board));
    expect(view.history).toHaveLength(1);
    expect(view.pendingEvents).toEqual([]);
  });

  it('refuses an event from a role the definition does not allow (403)', async () => {
    const res = await call('POST', `/api/cases/${caseId}/events`, token('commune_committee', 'T1C1'), {
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount: 1, fromPreviousLists: 1, newlyArising: 0, requests: 0 },
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('ROLE_NOT_ALLOWED');
  });

  it('accepts, applies and shows an event; a retry with the same key applies nothing twice', async () => {
    const board = token('village_board', village);
    const event = {
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount: 30, fromPreviousLists: 10, newlyArising: 2, requests: 1 },
    };
    const first = await call('POST', `/api/cases/${caseId}/events?wait=15000`, board, event, {
      'idempotency-key': 'e2e-list-0001',
    });
    expect(first.status).toBe(200);
    const receipt = await json(first);
    expect(receipt).toMatchObject({ status: 'applied', seq: 1, replayed: false });
    const retry = await call('POST', `/api/cases/${caseId}/events?wait=15000`, board, event, {
      'idempotency-key': 'e2e-list-0001',
    });
    expect(retry.status).toBe(200);
    expect(await json(retry)).toMatchObject({ eventId: receipt.eventId, replayed: true });

    const view = await json(await call('GET', `/api/cases/${caseId}`, board));
    expect(view.step).toMatchObject({ id: 'survey', stage: 2 });
    expect(view.allowedEvents.map((e: { type: string }) => e.type)).toEqual(['SURVEY_COMPLETED']);
    expect(view.history.map((h: { kind: string }) => h.kind)).toEqual(['transition', 'started']);
    expect(view.history[0].actor).toEqual({ sub: `village_board@${village}`, role: 'village_board', unit: village });
    expect(
      view.deadlines.find((d: { step: string; status: string }) => d.step === 'survey' && d.status === 'armed'),
    ).toBeDefined();
  });

  it('shows a rejected event with its reason to the caller (422)', async () => {
    const res = await call('POST', `/api/cases/${caseId}/events?wait=15000`, token('commune_chairman', 'T1C1'), {
      type: 'LISTS_RECOGNISED',
      data: {
        decisionNumber: '1/QĐ',
        decisionDate: '2026-11-20',
        poorCount: 1,
        nearPoorCount: 1,
        escapedPovertyCount: 0,
        escapedNearPovertyCount: 0,
      },
    });
    expect(res.status).toBe(422);
    const receipt = await json(res);
    expect(receipt.rejection.code).toBe('EVENT_NOT_ALLOWED');
    const again = await call(
      'GET',
      `/api/cases/${caseId}/events/${receipt.eventId}`,
      token('commune_committee', 'T1C1'),
    );
    expect((await json(again)).status).toBe('rejected');
  });

  it('reports progress from counters, per child unit', async () => {
    const res = await call('GET', '/api/progress?unit=T1', token('province_committee', 'T1'));
    const progress = await json(res);
    expect(progress.totals.cases).toBe(6);
    expect(progress.totals.byStep).toEqual({ listing: 5, survey: 1 });
    expect(progress.totals.finishedStage).toEqual({ '1': 1 });
    expect(progress.children.map((c: { code: string; cases: number }) => [c.code, c.cases])).toEqual([['T1D1', 6]]);
  });
});
