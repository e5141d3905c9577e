import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, CaseEngineService, DefinitionAdminService, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

const json = (res: Response): Promise<any> => res.json();

/**
 * The authorization matrix: every route family × every role × a target inside and outside the
 * caller's unit. "ok" means neither 401 nor 403 (the route may still answer 400/404/409 for
 * its own reasons); the exact success codes are tested by the feature specs.
 */
describe('authorization matrix', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const ids: Record<string, string> = {};

  // Actors, each scoped to a unit of test province T1 (or the nation).
  const ACTORS = {
    village_board: 'T1C1V1',
    surveyor: 'T1C1V1',
    commune_committee: 'T1C1',
    commune_chairman: 'T1C1',
    district_committee: 'T1D1',
    district_chairman: 'T1D1',
    province_committee: 'T1',
    province_admin: 'T1',
    national_admin: 'VN',
  } as const;
  type Role = keyof typeof ACTORS;
  const ROLES = Object.keys(ACTORS) as Role[];
  const token = (role: Role) =>
    signToken(
      { sub: `${role}@${ACTORS[role]}`, role, unit: ACTORS[role] },
      engine.config.jwtSecret,
      engine.clock.now(),
    );

  const T2_OVERLAY = `extends: periodic-review@1\nid: t2-review\nversion: 1\nprovince: T2\nsources: [Kế hoạch tỉnh T2]\npatch:\n  parameters:\n    postingWorkingDays: { value: 4 }\n`;

  beforeAll(async () => {
    engine = await startTestEngine({ http: true, worker: false });
    const campaigns = engine.get(CampaignsService);
    for (const province of ['T1', 'T2']) {
      const { campaign } = await campaigns.start(
        {
          provinceCode: province,
          year: 2026,
          definitionKey: 'periodic-review@1',
          windowStart: '2026-09-01',
          windowEnd: '2026-12-14',
        },
        SYSTEM_ACTOR,
      );
      ids[`campaign${province}`] = campaign.id;
    }
    const cases = await engine
      .get(EntityManager)
      .fork()
      .execute<{ id: string; village_code: string }[]>(
        `select id, village_code from review_case where village_code in ('T1C1V1', 'T2C1V1')`,
      );
    for (const c of cases) ids[c.village_code] = c.id;
    await engine
      .get(DefinitionAdminService)
      .publish(T2_OVERLAY, { sub: 'admin@T2', role: 'province_admin', unit: 'T2' });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  const call = (method: string, path: string, bearer: string | undefined, body?: unknown, contentType?: string) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': contentType ?? 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: body === undefined ? undefined : contentType ? String(body) : JSON.stringify(body),
    });

  /** `contentType`: a raw body (a file upload) instead of JSON. */
  type Route = { name: string; method: string; path: () => string; body?: () => unknown; contentType?: string };
  // A village file that names an existing village as it is: allowed, it changes nothing.
  const villageFile = (village: string, commune: string) =>
    `Mã đơn vị,Tên,Loại,Mã đơn vị cấp trên\n${village},Thôn 1,village,${commune}\n`;
  const list = {
    type: 'REVIEW_LIST_SUBMITTED',
    data: { householdCount: 1, fromPreviousLists: 1, newlyArising: 0, requests: 0 },
  };
  // Refused for its value (400) once scope and role pass: the matrix writes nothing into any case.
  const correction = { event: 'REVIEW_LIST_SUBMITTED', field: 'householdCount', value: -1, reason: 'thử quyền' };
  const inside: Route[] = [
    { name: 'GET case', method: 'GET', path: () => `/api/cases/${ids.T1C1V1}` },
    { name: 'GET case history', method: 'GET', path: () => `/api/cases/${ids.T1C1V1}/history?limit=10` },
    {
      name: 'GET case event receipt',
      method: 'GET',
      path: () => `/api/cases/${ids.T1C1V1}/events/00000000-0000-4000-8000-000000000000`,
    },
    { name: 'GET campaign', method: 'GET', path: () => `/api/campaigns/${ids.campaignT1}` },
    { name: 'GET campaign cases', method: 'GET', path: () => `/api/campaigns/${ids.campaignT1}/cases?unit=T1C1V1` },
    { name: 'GET progress', method: 'GET', path: () => '/api/progress?unit=T1C1V1' },
    { name: 'GET unit', method: 'GET', path: () => '/api/units/T1C1V1' },
    { name: 'GET definitions', method: 'GET', path: () => '/api/definitions' },
    { name: 'GET definition', method: 'GET', path: () => '/api/definitions/periodic-review@1' },
    { name: 'GET campaigns', method: 'GET', path: () => '/api/campaigns' },
    { name: 'GET notifications', method: 'GET', path: () => '/api/notifications' },
    { name: 'POST notifications read-all', method: 'POST', path: () => '/api/notifications/read-all' },
    { name: 'GET calendar year', method: 'GET', path: () => '/api/calendar/2026?province=T1' },
  ];
  const outside: Route[] = [
    { name: 'GET case', method: 'GET', path: () => `/api/cases/${ids.T2C1V1}` },
    { name: 'GET case history', method: 'GET', path: () => `/api/cases/${ids.T2C1V1}/history?limit=10` },
    {
      name: 'GET case event receipt',
      method: 'GET',
      path: () => `/api/cases/${ids.T2C1V1}/events/00000000-0000-4000-8000-000000000000`,
    },
    { name: 'GET campaign', method: 'GET', path: () => `/api/campaigns/${ids.campaignT2}` },
    { name: 'GET campaign cases', method: 'GET', path: () => `/api/campaigns/${ids.campaignT2}/cases?unit=T2C1` },
    { name: 'GET progress', method: 'GET', path: () => '/api/progress?unit=T2' },
    { name: 'GET nation progress', method: 'GET', path: () => '/api/progress?unit=VN' },
    { name: 'GET unit', method: 'GET', path: () => '/api/units/T2C1' },
    { name: 'GET province definition', method: 'GET', path: () => '/api/definitions/t2-review@1' },
    {
      name: 'POST campaign',
      method: 'POST',
      path: () => '/api/campaigns',
      body: () => ({
        provinceCode: 'T2',
        year: 2027,
        definitionKey: 'periodic-review@1',
        windowStart: '2027-09-01',
        windowEnd: '2027-12-14',
      }),
    },
    {
      name: 'POST admin rollback',
      method: 'POST',
      path: () => '/api/admin/definitions/t2-review/rollback',
      body: () => ({ reason: 'thử quyền' }),
    },
    {
      name: 'POST admin migration',
      method: 'POST',
      path: () => '/api/admin/migrations',
      body: () => ({ campaignId: ids.campaignT2, to: 'periodic-review@1' }),
    },
    {
      name: 'POST admin publish',
      method: 'POST',
      path: () => '/api/admin/definitions',
      body: () => ({ yaml: T2_OVERLAY.replace('version: 1', 'version: 2') }),
    },
    {
      name: 'POST admin calendar day',
      method: 'POST',
      path: () => '/api/admin/calendar/days',
      body: () => ({ date: '2026-12-01', kind: 'day_off', name: 'Nghỉ', source: 'QĐ tỉnh T2', province: 'T2' }),
    },
    {
      name: 'PATCH campaign window',
      method: 'PATCH',
      path: () => `/api/campaigns/${ids.campaignT2}/window`,
      body: () => ({ windowStart: '2026-09-01', windowEnd: '2026-12-14', reason: 'thử quyền' }),
    },
    {
      name: 'POST admin subscription',
      method: 'POST',
      path: () => '/api/admin/subscriptions',
      body: () => ({ unitCode: 'T2C1', role: 'commune_committee', channel: 'email', address: 'xa@t2.example' }),
    },
    {
      name: 'POST case correction',
      method: 'POST',
      path: () => `/api/cases/${ids.T2C1V1}/corrections`,
      body: () => correction,
    },
    {
      name: 'POST admin units import',
      method: 'POST',
      path: () => '/api/admin/units/import?format=csv',
      body: () => villageFile('T2C1V1', 'T2C1'),
      contentType: 'text/csv',
    },
    { name: 'GET admin unit changes', method: 'GET', path: () => '/api/admin/units/changes?unit=T2C1' },
  ];
  // Routes restricted by role, whatever the unit: who may call them at all.
  const byRole: (Route & { roles: Role[] })[] = [
    {
      name: 'POST case event (village board only)',
      method: 'POST',
      path: () => `/api/cases/${ids.T1C1V1}/events`,
      body: () => list,
      roles: ['village_board'],
    },
    {
      name: 'POST campaign',
      method: 'POST',
      path: () => '/api/campaigns',
      body: () => ({
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      }),
      roles: ['province_committee', 'province_admin', 'national_admin'],
    },
    {
      name: 'POST admin validate',
      method: 'POST',
      path: () => '/api/admin/definitions/validate',
      body: () => ({ yaml: 'id: x\n' }),
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'POST admin diff',
      method: 'POST',
      path: () => '/api/admin/definitions/diff',
      body: () => ({ against: 'periodic-review@1', key: 'periodic-review@1' }),
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'GET admin audit',
      method: 'GET',
      path: () => '/api/admin/audit',
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'POST admin migration',
      method: 'POST',
      path: () => '/api/admin/migrations',
      body: () => ({ campaignId: ids.campaignT1, to: 'periodic-review@1' }),
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'GET admin subscriptions',
      method: 'GET',
      path: () => '/api/admin/subscriptions',
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'GET admin deliveries',
      method: 'GET',
      path: () => '/api/admin/deliveries?status=dead',
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'PATCH campaign window',
      method: 'PATCH',
      path: () => `/api/campaigns/${ids.campaignT1}/window`,
      body: () => ({ windowStart: '2026-09-01', windowEnd: '2026-12-14', reason: 'thử quyền' }),
      roles: ['province_committee', 'province_admin', 'national_admin'],
    },
    {
      name: 'POST case correction',
      method: 'POST',
      path: () => `/api/cases/${ids.T1C1V1}/corrections`,
      body: () => correction,
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'POST admin units import',
      method: 'POST',
      path: () => '/api/admin/units/import?format=csv',
      body: () => villageFile('T1C1V1', 'T1C1'),
      contentType: 'text/csv',
      roles: ['province_admin', 'national_admin'],
    },
    {
      name: 'GET admin unit changes',
      method: 'GET',
      path: () => '/api/admin/units/changes?unit=T1C1',
      roles: ['province_admin', 'national_admin'],
    },
  ];
  // The batch route answers 200 with a status per item: its matrix is per item (below); here only the door.
  const batchRoute: Route = {
    name: 'POST case events batch',
    method: 'POST',
    path: () => '/api/cases/events/batch',
    body: () => ({ events: [{ caseId: ids.T1C1V1, ...list, idempotencyKey: 'authz-batch-door' }] }),
  };
  const all = [...inside, ...outside, ...byRole, batchRoute];

  it.each(all.map((r) => [r.name, r]))(
    '%s: 401 without a token, and with a forged or garbled one',
    async (_name, route) => {
      const forged = signToken(
        { sub: 'x', role: 'national_admin', unit: 'VN' },
        'not-the-secret-not-the-secret-not-the',
        engine.clock.now(),
      );
      for (const bearer of [undefined, 'garbage', forged]) {
        const res = await call(route.method, route.path(), bearer, route.body?.(), route.contentType);
        expect({ route: route.name, status: res.status }).toEqual({ route: route.name, status: 401 });
      }
    },
  );

  it.each(inside.map((r) => [r.name, r]))('%s: every role reads inside its own unit', async (_name, route) => {
    for (const role of ROLES) {
      const res = await call(route.method, route.path(), token(role), route.body?.(), route.contentType);
      expect({ role, status: [401, 403].includes(res.status) ? res.status : 'ok' }).toEqual({ role, status: 'ok' });
    }
  });

  it.each(outside.map((r) => [r.name, r]))(
    '%s: 403 for every T1 role outside T1; allowed for the national admin',
    async (_name, route) => {
      for (const role of ROLES) {
        const res = await call(route.method, route.path(), token(role), route.body?.(), route.contentType);
        const expected = role === 'national_admin' ? 'ok' : 403;
        expect({ role, status: [401, 403].includes(res.status) ? res.status : 'ok' }).toEqual({
          role,
          status: expected,
        });
      }
    },
  );

  it.each(byRole.map((r) => [r.name, r]))('%s: 403 for roles that may not call it', async (_name, route) => {
    for (const role of ROLES) {
      const res = await call(route.method, route.path(), token(role), route.body?.(), route.contentType);
      const expected = route.roles.includes(role) ? 'ok' : 403;
      expect({ role, status: [401, 403].includes(res.status) ? res.status : 'ok' }).toEqual({ role, status: expected });
    }
  });

  it.each(ROLES.map((r) => [r]))(
    'POST case events batch as %s: each item answered as the single route answers it (inside: village board only; outside T1: 403)',
    async (role) => {
      const items = [
        { caseId: ids.T1C1V1, ...list, idempotencyKey: `authz-batch-${role}-in` },
        { caseId: ids.T2C1V1, ...list, idempotencyKey: `authz-batch-${role}-out` },
      ];
      const res = await call('POST', '/api/cases/events/batch', token(role), { events: items });
      expect(res.status).toBe(200);
      const { results } = await json(res);
      const got = results.map((r: { status: number; error?: { code: string } }) => [r.status, r.error?.code]);
      // The role check of the event type comes after the scope check: outside T1 every T1 role is out of scope,
      // the national admin is in scope but may not send a village board's event.
      expect(got).toEqual([
        role === 'village_board' ? [202, undefined] : [403, 'ROLE_NOT_ALLOWED'],
        role === 'national_admin' ? [403, 'ROLE_NOT_ALLOWED'] : [403, 'AUTH_OUT_OF_SCOPE'],
      ]);
      for (const [index, { caseId, ...event }] of items.entries()) {
        const single = await call('POST', `/api/cases/${caseId}/events`, token(role), event);
        const answer = await json(single);
        expect([single.status, answer.error?.code]).toEqual(got[index]);
      }
      const [{ n }] = await engine
        .get(EntityManager)
        .fork()
        .execute<{ n: number }[]>('select count(*)::int as n from case_event where case_id = ?', [ids.T2C1V1]);
      expect(n).toBe(0);
    },
  );

  it('an event outside the unit is refused to the role the definition allows (403), before anything is written', async () => {
    const board = signToken(
      { sub: 'board@T1C1V1', role: 'village_board', unit: 'T1C1V1' },
      engine.config.jwtSecret,
      engine.clock.now(),
    );
    const res = await call('POST', `/api/cases/${ids.T2C1V1}/events`, board, list);
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('AUTH_OUT_OF_SCOPE');
    const [{ n }] = await engine
      .get(EntityManager)
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from case_event where case_id = ?', [ids.T2C1V1]);
    expect(n).toBe(0);
  });

  it('a village board sees its own village only, not the neighbouring one', async () => {
    const other = await engine
      .get(EntityManager)
      .fork()
      .execute<{ id: string }[]>(`select id from review_case where village_code = 'T1C1V2'`);
    const res = await call('GET', `/api/cases/${other[0].id}`, token('village_board'));
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('AUTH_OUT_OF_SCOPE');
  });

  describe('a role acts only from the level it belongs to', () => {
    const as = (role: Role, unit: string) =>
      signToken({ sub: `${role}@${unit}`, role, unit }, engine.config.jwtSecret, engine.clock.now());
    const ODD: [Role, string, string][] = [
      ['village_board', 'VN', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['village_board', 'T1C1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['village_board', 'T1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['surveyor', 'T1C1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['commune_committee', 'T1C1V1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['commune_chairman', 'T1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['district_chairman', 'T1C1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['province_admin', 'VN', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['province_committee', 'T1D1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['national_admin', 'T1', 'AUTH_ROLE_LEVEL_MISMATCH'],
      ['village_board', 'T9C9V9', 'AUTH_UNKNOWN_UNIT'],
      ['province_admin', 'T9', 'AUTH_UNKNOWN_UNIT'],
    ];

    it.each(ODD)('%s at %s: 403 %s on every route family, naming the role and the unit', async (role, unit, code) => {
      for (const route of all) {
        const res = await call(route.method, route.path(), as(role, unit), route.body?.(), route.contentType);
        const body = await json(res);
        expect({ route: route.name, status: res.status, code: body.error?.code }).toEqual({
          route: route.name,
          status: 403,
          code,
        });
        expect(body.error.message).toContain(role);
        expect(body.error.message).toContain(unit);
      }
    });

    it('a village board at VN reads no case of the country, and a village board at a commune none of its villages', async () => {
      for (const [unit, caseId] of [
        ['VN', ids.T2C1V1],
        ['T1C1', ids.T1C1V1],
      ]) {
        const res = await call('GET', `/api/cases/${caseId}`, as('village_board', unit));
        expect([unit, res.status, (await json(res)).error?.code]).toEqual([unit, 403, 'AUTH_ROLE_LEVEL_MISMATCH']);
      }
    });

    it('province_admin at VN cannot migrate a province campaign; the national admin at VN still can', async () => {
      const body = { campaignId: ids.campaignT2, to: 'periodic-review@1', dryRun: false };
      const refused = await call('POST', '/api/admin/migrations', as('province_admin', 'VN'), body);
      expect([refused.status, (await json(refused)).error?.code]).toEqual([403, 'AUTH_ROLE_LEVEL_MISMATCH']);
      const migrations = async () =>
        (
          await engine
            .get(EntityManager)
            .fork()
            .execute<{ n: number }[]>(`select count(*)::int as n from definition_audit where action = 'migrate'`)
        )[0].n;
      expect(await migrations()).toBe(0);
      const national = await call('POST', '/api/admin/migrations', as('national_admin', 'VN'), body);
      expect(national.status).toBe(201);
      expect((await json(national)).totals).toMatchObject({ moved: 0, blocked: 0 });
      expect(await migrations()).toBe(1);
    });

    it('the queue dashboard refuses a province admin at VN and a national admin at a province', async () => {
      for (const [role, unit] of [
        ['province_admin', 'VN'],
        ['national_admin', 'T1'],
      ] as const) {
        const res = await fetch(`${engine.baseUrl}/admin/queues`, {
          headers: { authorization: `Bearer ${as(role, unit)}` },
        });
        expect([role, unit, res.status, (await json(res)).error?.code]).toEqual([
          role,
          unit,
          403,
          'AUTH_ROLE_LEVEL_MISMATCH',
        ]);
      }
      expect(
        (
          await fetch(`${engine.baseUrl}/admin/queues`, {
            headers: { authorization: `Bearer ${as('national_admin', 'VN')}` },
          })
        ).status,
      ).toBe(200);
    });
  });

  it("a commune committee enters a village list on the village board's behalf where the definition allows it; both roles are recorded and shown", async () => {
    const commune = signToken(
      { sub: 'xa@T2C1', role: 'commune_committee', unit: 'T2C1' },
      engine.config.jwtSecret,
      engine.clock.now(),
    );
    const started = await call('POST', '/api/campaigns', token('national_admin'), {
      provinceCode: 'T2',
      year: 2028,
      definitionKey: 'periodic-review@3',
    });
    expect(started.status).toBe(201);
    const [{ id: caseId }] = await engine
      .get(EntityManager)
      .fork()
      .execute<{ id: string }[]>(`select id from review_case where campaign_id = ? and village_code = 'T2C1V2'`, [
        (await json(started)).campaign.id,
      ]);
    const csv = [
      'Mã hộ,Họ và tên chủ hộ,Số CCCD/định danh,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú',
      'H01,Nguyễn Văn An,,,4,Nông thôn,Hộ nghèo năm trước,,,',
      'H02,Trần Thị Bình,,,3,Nông thôn,Phát sinh mới,,,',
    ].join('\r\n');
    const imported = await fetch(`${engine.baseUrl}/api/cases/${caseId}/households/import?format=csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${commune}` },
      body: csv,
    });
    expect(imported.status).toBe(200);

    const listData = { householdCount: 2, fromPreviousLists: 1, newlyArising: 1, requests: 0 };
    // Only the list: the meeting stays the village's own, and a commune of another province may not enter it.
    const meeting = await call('POST', `/api/cases/${caseId}/events`, commune, { type: 'MEETING_HELD', data: {} });
    expect([meeting.status, (await json(meeting)).error?.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    const other = await call('POST', `/api/cases/${caseId}/events`, token('commune_committee'), {
      type: 'REVIEW_LIST_SUBMITTED',
      data: listData,
    });
    expect([other.status, (await json(other)).error?.code]).toEqual([403, 'AUTH_OUT_OF_SCOPE']);

    const res = await call('POST', `/api/cases/${caseId}/events`, commune, {
      type: 'REVIEW_LIST_SUBMITTED',
      data: listData,
    });
    expect(res.status).toBe(202);
    const [event] = await engine
      .get(EntityManager)
      .fork()
      .execute<{ actor: unknown }[]>('select actor from case_event where case_id = ?', [caseId]);
    const both = { sub: 'xa@T2C1', role: 'commune_committee', unit: 'T2C1', onBehalfOf: 'village_board' };
    expect(event.actor).toEqual(both);

    await engine.get(CaseEngineService).drain(caseId);
    const view = await json(await call('GET', `/api/cases/${caseId}`, commune));
    expect(view.step.id).toBe('survey');
    const entry = view.history.find((h: { eventType: string | null }) => h.eventType === 'REVIEW_LIST_SUBMITTED');
    expect(entry).toMatchObject({ kind: 'transition', actor: both });
    expect(entry.summary).toContain('commune_committee xa@T2C1 (thay village_board / on behalf of village_board)');
  });

  it('public routes answer without a token', async () => {
    expect((await call('GET', '/health', undefined)).status).toBe(200);
    expect((await call('GET', '/api/docs-json', undefined)).status).toBe(200);
  });
});
