import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

// Response bodies are read loosely here; their shape is what the assertions check.
const json = (res: Response): Promise<any> => res.json();

/**
 * What a case's event data may hold and who reads it, through HTTP with the worker in the same
 * process: numeric fields are bounded at acceptance, an applied value is corrected by a province
 * admin through the case's inbox, and personal free text is masked outside the village and commune.
 */
describe('case data: limits, corrections, personal text', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const cases: Record<string, string> = {};
  let keyNo = 0;
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  async function send(caseId: string, bearer: string, type: string, data: Record<string, unknown>) {
    const res = await call(
      'POST',
      `/api/cases/${caseId}/events?wait=15000`,
      bearer,
      { type, data },
      { 'idempotency-key': `case-data-e2e-${++keyNo}` },
    );
    const body = await json(res);
    if (res.status !== 200) throw new Error(`${type}: ${res.status} ${JSON.stringify(body)}`);
  }
  const view = async (caseId: string, bearer: string) => {
    const res = await call('GET', `/api/cases/${caseId}`, bearer);
    expect(res.status).toBe(200);
    return json(res);
  };
  const list = (householdCount: number) => ({ householdCount, fromPreviousLists: 10, newlyArising: 2, requests: 1 });

  beforeAll(async () => {
    engine = await startTestEngine({ http: true });
    for (const province of ['T1', 'T2']) {
      await engine.get(CampaignsService).start(
        {
          provinceCode: province,
          year: 2026,
          definitionKey: 'periodic-review@1',
          windowStart: '2026-09-01',
          windowEnd: '2026-12-14',
        },
        SYSTEM_ACTOR,
      );
    }
    const rows = await engine
      .get(EntityManager)
      .fork()
      .execute<{ id: string; village_code: string }[]>(
        `select id, village_code from review_case where village_code in ('T1C1V1', 'T1C1V2')`,
      );
    for (const r of rows) cases[r.village_code] = r.id;
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('refuses a count above the field’s limit (400 naming data.householdCount and the limit) and writes nothing', async () => {
    const board = token('village_board', 'T1C1V1');
    const res = await call('POST', `/api/cases/${cases.T1C1V1}/events?wait=15000`, board, {
      type: 'REVIEW_LIST_SUBMITTED',
      data: list(9007199254740991),
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.details.fields).toEqual([
      { field: 'data.householdCount', message: 'phải ≤ 1000000 / must be at most 1000000' },
    ]);
    expect(error.message).toContain('data.householdCount: phải ≤ 1000000 / must be at most 1000000');
    const after = await view(cases.T1C1V1, board);
    expect(after.history.map((h: { kind: string }) => h.kind)).toEqual(['started']);
    expect(after.pendingEvents).toEqual([]);
  });

  it('lets a province admin correct an applied value, once per key, with history; the step does not move', async () => {
    await send(cases.T1C1V1, token('village_board', 'T1C1V1'), 'REVIEW_LIST_SUBMITTED', list(30));
    const admin = token('province_admin', 'T1');
    const correction = {
      event: 'REVIEW_LIST_SUBMITTED',
      field: 'householdCount',
      value: 42,
      reason: 'Nhập nhầm số hộ / typo in the count',
    };
    const first = await call('POST', `/api/cases/${cases.T1C1V1}/corrections?wait=15000`, admin, correction, {
      'idempotency-key': 'correction-0001',
    });
    expect(first.status).toBe(200);
    const receipt = await json(first);
    expect(receipt).toMatchObject({ type: 'correction', status: 'applied', seq: 2, replayed: false });
    const again = await call('POST', `/api/cases/${cases.T1C1V1}/corrections?wait=15000`, admin, correction, {
      'idempotency-key': 'correction-0001',
    });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ eventId: receipt.eventId, replayed: true });

    const after = await view(cases.T1C1V1, token('commune_committee', 'T1C1'));
    expect(after.step.id).toBe('survey');
    expect(after.data.REVIEW_LIST_SUBMITTED).toEqual(list(42));
    expect(after.history.map((h: { kind: string }) => h.kind)).toEqual(['corrected', 'transition', 'started']);
    expect(after.history[0]).toMatchObject({
      seq: 2,
      eventType: 'correction',
      actor: { sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' },
      fromStep: 'survey',
      toStep: 'survey',
      details: { event: 'REVIEW_LIST_SUBMITTED', field: 'householdCount', from: 30, to: 42, reason: correction.reason },
    });
    expect(after.history[0].summary).toContain('sửa REVIEW_LIST_SUBMITTED.householdCount: 30 → 42');
    // The national admin may correct too.
    const national = await call(
      'POST',
      `/api/cases/${cases.T1C1V1}/corrections?wait=15000`,
      token('national_admin', 'VN'),
      { ...correction, value: 41 },
    );
    expect(national.status).toBe(200);
    expect((await view(cases.T1C1V1, admin)).data.REVIEW_LIST_SUBMITTED.householdCount).toBe(41);
  });

  it('refuses a bad correction: the limit (400 naming value), others than admins (403), another province (403), an event not applied (422)', async () => {
    const admin = token('province_admin', 'T1');
    const correction = {
      event: 'REVIEW_LIST_SUBMITTED',
      field: 'householdCount',
      value: 9007199254740991,
      reason: 'thử giới hạn',
    };
    const tooBig = await call('POST', `/api/cases/${cases.T1C1V1}/corrections`, admin, correction);
    expect(tooBig.status).toBe(400);
    expect((await json(tooBig)).error).toMatchObject({
      code: 'INVALID_CORRECTION',
      details: { fields: [{ field: 'value', message: 'phải ≤ 1000000 / must be at most 1000000' }] },
    });
    const unknownField = await call('POST', `/api/cases/${cases.T1C1V1}/corrections`, admin, {
      ...correction,
      field: 'households',
      value: 1,
    });
    expect((await json(unknownField)).error.details.fields[0].field).toBe('field');
    for (const [role, unit] of [
      ['commune_committee', 'T1C1'],
      ['province_committee', 'T1'],
      ['village_board', 'T1C1V1'],
    ]) {
      const res = await call('POST', `/api/cases/${cases.T1C1V1}/corrections`, token(role, unit), {
        ...correction,
        value: 1,
      });
      expect({ role, status: res.status, code: (await json(res)).error.code }).toEqual({
        role,
        status: 403,
        code: 'ROLE_NOT_ALLOWED',
      });
    }
    const otherProvince = await call('POST', `/api/cases/${cases.T1C1V1}/corrections`, token('province_admin', 'T2'), {
      ...correction,
      value: 1,
    });
    expect(otherProvince.status).toBe(403);
    expect((await json(otherProvince)).error.code).toBe('AUTH_OUT_OF_SCOPE');
    const notApplied = await call('POST', `/api/cases/${cases.T1C1V1}/corrections?wait=15000`, admin, {
      event: 'LISTS_RECOGNISED',
      field: 'poorCount',
      value: 3,
      reason: 'chưa công nhận',
    });
    expect(notApplied.status).toBe(422);
    expect((await json(notApplied)).rejection).toMatchObject({ code: 'NOTHING_TO_CORRECT' });
    expect((await view(cases.T1C1V1, admin)).data.REVIEW_LIST_SUBMITTED.householdCount).toBe(41);
  });

  it('masks personal free text for the province and the district; the village and its commune read it', async () => {
    const village = 'T1C1V2';
    const board = token('village_board', village);
    await send(cases[village], board, 'REVIEW_LIST_SUBMITTED', list(20));
    await send(cases[village], token('surveyor', village), 'SURVEY_COMPLETED', {
      householdsSurveyed: 20,
      poorCount: 2,
      nearPoorCount: 3,
    });
    await send(cases[village], board, 'MEETING_HELD', {
      date: '2026-10-01',
      chair: 'Nguyễn Văn An',
      attendees: 30,
      opinionsGiven: 25,
      householdsPut: 20,
      householdsAgreed: 20,
    });
    await send(cases[village], board, 'COMPLAINT_FILED', {
      householdRef: 'H-07',
      summary: 'Bà Trần Thị Hoa khiếu nại vì bị bỏ sót',
    });

    for (const [role, unit] of [
      ['village_board', village],
      ['commune_committee', 'T1C1'],
      ['commune_chairman', 'T1C1'],
    ]) {
      const clear = await view(cases[village], token(role, unit));
      expect({ role, chair: clear.data.MEETING_HELD.chair, summary: clear.data.COMPLAINT_FILED.summary }).toEqual({
        role,
        chair: 'Nguyễn Văn An',
        summary: 'Bà Trần Thị Hoa khiếu nại vì bị bỏ sót',
      });
    }
    for (const [role, unit] of [
      ['province_committee', 'T1'],
      ['province_admin', 'T1'],
      ['district_committee', 'T1D1'],
      ['national_admin', 'VN'],
    ]) {
      const masked = await view(cases[village], token(role, unit));
      expect({ role, meeting: masked.data.MEETING_HELD, complaint: masked.data.COMPLAINT_FILED }).toEqual({
        role,
        meeting: {
          date: '2026-10-01',
          chair: '[ẩn]',
          attendees: 30,
          opinionsGiven: 25,
          householdsPut: 20,
          householdsAgreed: 20,
        },
        complaint: { householdRef: 'H-07', summary: '[ẩn]' },
      });
      const text = JSON.stringify(masked);
      expect({ role, leaks: ['Nguyễn Văn An', 'Trần Thị Hoa'].filter((name) => text.includes(name)) }).toEqual({
        role,
        leaks: [],
      });
      const history = masked.history.filter((h: { eventType: string }) =>
        ['MEETING_HELD', 'COMPLAINT_FILED'].includes(h.eventType),
      );
      expect(
        history.map(
          (h: { details: { data: Record<string, unknown> } }) => h.details.data.chair ?? h.details.data.summary,
        ),
      ).toEqual(['[ẩn]', '[ẩn]']);
    }
  });

  it("masks a correction's old and new value of a personal field too", async () => {
    const village = 'T1C1V2';
    const res = await call(
      'POST',
      `/api/cases/${cases[village]}/corrections?wait=15000`,
      token('province_admin', 'T1'),
      { event: 'MEETING_HELD', field: 'chair', value: 'Nguyễn Văn Ân', reason: 'Sai chính tả tên chủ trì' },
    );
    expect(res.status).toBe(200);
    const province = await view(cases[village], token('province_committee', 'T1'));
    expect(province.history[0]).toMatchObject({
      kind: 'corrected',
      details: { field: 'chair', from: '[ẩn]', to: '[ẩn]' },
    });
    expect(province.history[0].summary).toContain('"[ẩn]" → "[ẩn]"');
    const commune = await view(cases[village], token('commune_committee', 'T1C1'));
    expect(commune.history[0]).toMatchObject({ details: { from: 'Nguyễn Văn An', to: 'Nguyễn Văn Ân' } });
    expect(commune.data.MEETING_HELD.chair).toBe('Nguyễn Văn Ân');
  });
});
