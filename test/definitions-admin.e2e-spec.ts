import { signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

const json = (res: Response): Promise<any> => res.json();

// A province overlay of the national review for test province T1 (version 1), and the version 2
// an admin publishes mid-season: no district step any more, a longer posting period.
const V1 = `extends: periodic-review@1
id: t1-review
version: 1
province: T1
title: { vi: Rà soát định kỳ tỉnh T1, en: Province T1 periodic review }
sources: [Kế hoạch rà soát tỉnh T1 năm 2026]
patch:
  parameters:
    postingWorkingDays: { value: 3 }
`;
const V2 = `extends: periodic-review@1
id: t1-review
version: 2
province: T1
title: { vi: Rà soát định kỳ tỉnh T1 (không còn cấp huyện), en: Province T1 review without the district }
sources: [Kế hoạch rà soát tỉnh T1 năm 2026, sửa đổi]
patch:
  parameters:
    postingWorkingDays: { value: 5 }
  roles:
    district_chairman: null
  events:
    DISTRICT_OPINION_GIVEN: null
  steps:
    district_opinion: null
    commune_report:
      on:
        REPORT_SENT_TO_DISTRICT: recognition
`;

/** Province admins publish, diff, roll back; running cases move to a new version by an explicit migration. */
describe('definitions admin and case migration, end to end', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer?: string, body?: unknown) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const admin = () => token('province_admin', 'T1');
  let eventNo = 0;
  const send = async (caseId: string, role: string, unit: string, type: string, data: Record<string, unknown> = {}) => {
    const res = await fetch(`${engine.baseUrl}/api/cases/${caseId}/events?wait=15000`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token(role, unit)}`,
        'idempotency-key': `migration-e2e-${++eventNo}`,
      },
      body: JSON.stringify({ type, data }),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    engine = await startTestEngine({ http: true, worker: true });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('validates without changing anything, naming line, column and path of each error', async () => {
    const broken = V1.replace('postingWorkingDays: { value: 3 }', 'postingDays: { value: 3 }');
    const res = await call('POST', '/api/admin/definitions/validate', admin(), {
      yaml: broken,
      fileName: 't1-review.yaml',
    });
    expect(res.status).toBe(201);
    const report = await json(res);
    expect(report).toMatchObject({ valid: false, key: null, diagram: null });
    expect(report.errors).toEqual([
      {
        file: 't1-review.yaml',
        line: 9,
        col: 5,
        path: '$.patch.parameters.postingDays',
        message: expect.stringContaining('patch targets nothing'),
      },
    ]);
    const list = await json(await call('GET', '/api/definitions', admin()));
    expect(list.map((v: { key: string }) => v.key)).not.toContain('t1-review@1');
  });

  it('publishes an immutable, audited version; numbers must follow; another province or role cannot publish', async () => {
    const res = await call('POST', '/api/admin/definitions', admin(), { yaml: V1, fileName: 't1-review.yaml' });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      key: 't1-review@1',
      provinceCode: 'T1',
      extends: 'periodic-review@1',
      status: 'published',
      publishedBy: 'province_admin@T1',
    });

    const again = await call('POST', '/api/admin/definitions', admin(), { yaml: V1 });
    expect(again.status).toBe(409);
    expect((await json(again)).error).toMatchObject({ code: 'DEFINITION_CONFLICT', details: { expectedVersion: 2 } });

    expect((await call('POST', '/api/admin/definitions', token('province_admin', 'T2'), { yaml: V2 })).status).toBe(
      403,
    );
    expect((await call('POST', '/api/admin/definitions', token('province_committee', 'T1'), { yaml: V2 })).status).toBe(
      403,
    );
    expect((await call('POST', '/api/admin/definitions', undefined, { yaml: V2 })).status).toBe(401);
    const national = await call('POST', '/api/admin/definitions', admin(), {
      yaml: V1.replace('province: T1\n', '').replace('id: t1-review', 'id: national-copy'),
    });
    expect(national.status).toBe(403);

    const shown = await json(await call('GET', '/api/definitions/t1-review@1', token('commune_committee', 'T1C1')));
    expect(shown.sourceText).toBe(V1);
    expect(shown.definition.parameters.postingWorkingDays.value).toBe(3);
    expect(shown.diagram).toMatch(/^stateDiagram-v2/);
    expect((await call('GET', '/api/definitions/t1-review@1', token('province_admin', 'T2'))).status).toBe(403);
    const t2List = await json(await call('GET', '/api/definitions', token('province_admin', 'T2')));
    expect(t2List.map((v: { key: string }) => v.key)).toContain('periodic-review@1');
    expect(t2List.filter((v: { provinceCode: string | null }) => v.provinceCode === 'T1')).toEqual([]);
  });

  it('diffs a candidate against the published version, structurally and as text', async () => {
    const res = await call('POST', '/api/admin/definitions/diff', admin(), { against: 't1-review@1', yaml: V2 });
    expect(res.status).toBe(201);
    const diff = await json(res);
    expect(diff.changes.steps).toEqual({ added: [], removed: ['district_opinion'], changed: ['commune_report'] });
    expect(diff.changes.parameters.values).toEqual([{ name: 'postingWorkingDays', from: 3, to: 5 }]);
    expect(diff.text).toContain('-version: 1\n+version: 2');
  });

  it('migrates running cases: dry run lists each case from → to or why not; apply moves each atomically with history', async () => {
    const started = await call('POST', '/api/campaigns', admin(), {
      provinceCode: 'T1',
      year: 2026,
      definitionKey: 't1-review@1',
      windowStart: '2026-09-01',
      windowEnd: '2026-12-14',
    });
    expect(started.status).toBe(201);
    const campaignId = (await json(started)).campaign.id;
    const cases: { id: string; village: string; commune: string }[] = [];
    for (const commune of ['T1C1', 'T1C2']) {
      const page = await json(await call('GET', `/api/campaigns/${campaignId}/cases?unit=${commune}`, admin()));
      for (const c of page) cases.push({ id: c.id, village: c.villageCode, commune });
    }
    expect(cases).toHaveLength(6);

    // Spread the cases over the steps: listing, survey, meeting, posting, commune_report, district_opinion.
    const path: [string, string, Record<string, unknown>][] = [
      [
        'village_board',
        'REVIEW_LIST_SUBMITTED',
        { householdCount: 2, fromPreviousLists: 1, newlyArising: 1, requests: 0 },
      ],
      ['surveyor', 'SURVEY_COMPLETED', { householdsSurveyed: 2, poorCount: 1, nearPoorCount: 0 }],
      [
        'village_board',
        'MEETING_HELD',
        {
          date: '2026-10-01',
          chair: 'Trưởng thôn',
          attendees: 10,
          opinionsGiven: 8,
          householdsPut: 1,
          householdsAgreed: 1,
        },
      ],
      ['commune_committee', 'POSTING_PERIOD_ENDED', {}],
      ['commune_committee', 'REPORT_SENT_TO_DISTRICT', { reportRef: '1/BC' }],
    ];
    for (const [i, c] of cases.entries()) {
      // Each role from its own unit: the village's board and surveyor, the commune's committee.
      for (const [role, type, data] of path.slice(0, i))
        await send(c.id, role, role === 'commune_committee' ? c.commune : c.village, type, data);
    }
    const before = await Promise.all(cases.map(async (c) => json(await call('GET', `/api/cases/${c.id}`, admin()))));
    expect(before.map((v) => v.step.id)).toEqual([
      'listing',
      'survey',
      'meeting',
      'posting',
      'commune_report',
      'district_opinion',
    ]);
    const postingDeadline = before[3].deadlines.find(
      (d: { step: string; status: string }) => d.step === 'posting' && d.status === 'armed',
    );

    const v2 = await call('POST', '/api/admin/definitions', admin(), { yaml: V2 });
    expect(v2.status).toBe(201);

    const dry = await json(
      await call('POST', '/api/admin/migrations', admin(), { campaignId, to: 't1-review@2', dryRun: true }),
    );
    expect(dry.totals).toEqual({ 'would-move': 5, moved: 0, blocked: 1, 'already-there': 0 });
    expect(
      dry.cases.map((l: { fromStep: string; toStep: string | null; outcome: string }) => [
        l.fromStep,
        l.toStep,
        l.outcome,
      ]),
    ).toEqual([
      ['listing', 'listing', 'would-move'],
      ['survey', 'survey', 'would-move'],
      ['meeting', 'meeting', 'would-move'],
      ['posting', 'posting', 'would-move'],
      ['commune_report', 'commune_report', 'would-move'],
      ['district_opinion', null, 'blocked'],
    ]);
    expect(dry.cases[5].reason).toContain('district_opinion');
    const unchanged = await json(await call('GET', `/api/cases/${cases[5].id}`, admin()));
    expect(unchanged.definition.key).toBe('t1-review@1');

    expect(
      (
        await call('POST', '/api/admin/migrations', token('province_admin', 'T2'), {
          campaignId,
          to: 't1-review@2',
          dryRun: true,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/api/admin/migrations', admin(), {
          campaignId,
          to: 't1-review@2',
          mapping: { district_opinion: 'nowhere' },
        })
      ).status,
    ).toBe(400);

    const applied = await json(
      await call('POST', '/api/admin/migrations', admin(), {
        campaignId,
        to: 't1-review@2',
        mapping: { district_opinion: 'recognition' },
        deadlines: 'preserve',
        dryRun: false,
      }),
    );
    expect(applied.totals).toEqual({ 'would-move': 0, moved: 6, blocked: 0, 'already-there': 0 });

    const after = await Promise.all(cases.map(async (c) => json(await call('GET', `/api/cases/${c.id}`, admin()))));
    expect(after.map((v) => [v.definition.key, v.step.id])).toEqual([
      ['t1-review@2', 'listing'],
      ['t1-review@2', 'survey'],
      ['t1-review@2', 'meeting'],
      ['t1-review@2', 'posting'],
      ['t1-review@2', 'commune_report'],
      ['t1-review@2', 'recognition'],
    ]);
    const migrated = after[5].history[0];
    expect(migrated).toMatchObject({
      kind: 'migrated',
      fromStep: 'district_opinion',
      toStep: 'recognition',
      actor: { sub: 'province_admin@T1' },
      details: { from: 't1-review@1', to: 't1-review@2' },
    });
    // Preserved: the posting deadline keeps its due instant although v2 has a 5-day posting period.
    const posting = after[3].deadlines.filter(
      (d: { step: string; status: string }) => d.step === 'posting' && d.status === 'armed',
    );
    expect(posting).toEqual([expect.objectContaining({ id: postingDeadline.id, dueAt: postingDeadline.dueAt })]);
    // The recognition step's deadline was armed for the case that arrived there by the mapping.
    expect(
      after[5].deadlines
        .filter((d: { step: string; status: string }) => d.status === 'armed')
        .map((d: { step: string }) => d.step),
    ).toEqual(['recognition']);

    // The moved cases run on v2: commune_report now goes straight to recognition.
    await send(cases[4].id, 'commune_committee', cases[4].commune, 'REPORT_SENT_TO_DISTRICT', { reportRef: '2/BC' });
    expect((await json(await call('GET', `/api/cases/${cases[4].id}`, admin()))).step.id).toBe('recognition');

    // Progress counters follow the migration: they equal a recount of the cases.
    const progress = await json(await call('GET', `/api/progress?unit=T1&campaign=${campaignId}`, admin()));
    const nonZero = Object.fromEntries(Object.entries(progress.totals.byStep).filter(([, n]) => n !== 0));
    expect(nonZero).toEqual({ listing: 1, survey: 1, meeting: 1, posting: 1, recognition: 2 });

    const audit = await json(await call('GET', '/api/admin/audit', admin()));
    expect(audit.map((a: { action: string; version: number }) => [a.action, a.version])).toEqual([
      ['migrate', 2],
      ['publish', 2],
      ['publish', 1],
    ]);
    expect(audit[1].diff).toContain('+    district_opinion: null');
    expect(audit[1].actor).toMatchObject({ sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' });
    expect((await json(await call('GET', '/api/admin/audit', token('province_admin', 'T2')))).length).toBe(0);
  });

  it('rolls back: the newest version is retired for new campaigns; running cases keep it', async () => {
    expect(
      (
        await call('POST', '/api/admin/definitions/t1-review/rollback', token('province_admin', 'T2'), {
          reason: 'nhầm tỉnh',
        })
      ).status,
    ).toBe(403);
    const res = await call('POST', '/api/admin/definitions/t1-review/rollback', admin(), {
      reason: 'Sai thời hạn niêm yết',
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      retired: { key: 't1-review@2', status: 'retired', retireReason: 'Sai thời hạn niêm yết' },
      current: { key: 't1-review@1' },
    });
    const start = await call('POST', '/api/campaigns', admin(), {
      provinceCode: 'T1',
      year: 2027,
      definitionKey: 't1-review@2',
      windowStart: '2027-09-01',
      windowEnd: '2027-12-14',
    });
    expect(start.status).toBe(400);
    expect((await json(start)).error.message).toContain('rolled back');
    const onlyOne = await call('POST', '/api/admin/definitions/t1-review/rollback', admin(), { reason: 'lần nữa' });
    expect(onlyOne.status).toBe(409);
  });
});
