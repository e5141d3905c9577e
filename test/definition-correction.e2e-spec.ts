import { signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

// One household per village list: not poor under any standard, so the classification rules in force do not matter here.
const CSV = [
  'Mã hộ,Họ và tên chủ hộ,Số CCCD/định danh,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú',
  'H01,Nguyễn Văn An,,Thôn Một,4,Nông thôn,Hộ cận nghèo năm trước,,,',
].join('\r\n');

/**
 * The corrected national procedure, end to end over HTTP with the worker: a campaign may pin only
 * a version in effect on its start (and gets the newest such one when it names the process
 * alone), and a province admin moves a running campaign of periodic-review@3 onto
 * periodic-review@4 — the steps of docs/DEFINITIONS.md, "Moving a running campaign onto a
 * corrected version" — after which a commune's report waits for the provincial chairman's opinion.
 */
describe('corrected definitions: versions in effect, and a running campaign moved onto the correction', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let eventNo = 0;
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const admin = (province = 'T2') => token('province_admin', province);
  async function call(method: string, path: string, bearer: string, body?: unknown, contentType = 'application/json') {
    const res = await fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, authorization: `Bearer ${bearer}` },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  /** Sends an event and waits until it is applied (200) or refused (422); returns the status. */
  const send = async (caseId: string, bearer: string, type: string, data: Record<string, unknown> = {}) => {
    const res = await fetch(`${engine.baseUrl}/api/cases/${caseId}/events?wait=15000`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${bearer}`,
        'idempotency-key': `correction-e2e-${++eventNo}`,
      },
      body: JSON.stringify({ type, data }),
    });
    return res.status;
  };
  const view = async (caseId: string) => (await call('GET', `/api/cases/${caseId}`, admin())).body;

  beforeAll(async () => {
    engine = await startTestEngine({ http: true, worker: true });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('refuses a version outside its effective period, naming it and the dates; the process alone gets the version in effect', async () => {
    const ended = await call('POST', '/api/campaigns', admin('T1'), {
      provinceCode: 'T1',
      year: 2026,
      definitionKey: 'periodic-review@5',
      windowStart: '2026-09-01',
      windowEnd: '2026-12-14',
    });
    expect(ended.status).toBe(400);
    expect(ended.body.error).toMatchObject({ code: 'CAMPAIGN_INVALID', details: { field: 'definitionKey' } });
    expect(ended.body.error.message).toBe(
      'definitionKey: periodic-review@5 chỉ áp dụng cho đợt rà soát bắt đầu đến hết ngày 30/06/2025; đợt này bắt đầu ngày 01/09/2026' +
        ' / periodic-review@5 applies to campaigns starting on or before 2025-06-30; this one starts on 2026-09-01',
    );

    const early = await call('POST', '/api/campaigns', admin('T1'), {
      provinceCode: 'T1',
      year: 2024,
      definitionKey: 'periodic-review@4',
    });
    expect(early.status).toBe(400);
    expect(early.body.error.message).toContain(
      'periodic-review@4 có hiệu lực từ ngày 01/07/2025, sau ngày bắt đầu đợt rà soát (01/09/2024)',
    );
    expect(early.body.error.message).toContain(
      'periodic-review@4 takes effect on 2025-07-01, after the window starts (2024-09-01)',
    );
    const campaigns = (await call('GET', '/api/campaigns', admin('T1'))).body;
    expect(campaigns).toEqual([]);

    // The process alone: the newest version whose period contains the window's start.
    const in2027 = await call('POST', '/api/campaigns', admin('T1'), {
      provinceCode: 'T1',
      year: 2027,
      definitionKey: 'periodic-review',
    });
    expect(in2027.status).toBe(201);
    expect(in2027.body.campaign).toMatchObject({
      definitionKey: 'periodic-review@4',
      windowStart: '2027-09-01',
      windowEnd: '2027-12-14',
    });
    const in2024 = await call('POST', '/api/campaigns', admin('T1'), {
      provinceCode: 'T1',
      year: 2024,
      definitionKey: 'periodic-review',
      windowStart: '2024-09-01',
      windowEnd: '2024-12-14',
    });
    expect(in2024.status).toBe(201);
    expect(in2024.body.campaign.definitionKey).toBe('periodic-review@5');
    const none = await call('POST', '/api/campaigns', admin('T1'), {
      provinceCode: 'T1',
      year: 2026,
      definitionKey: 'no-such-review',
    });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain('no published version of "no-such-review"');
  });

  it('moves a running campaign of periodic-review@3 onto periodic-review@4: dry run, apply; the report then waits for the provincial chairman', async () => {
    const started = await call('POST', '/api/campaigns', admin(), {
      provinceCode: 'T2',
      year: 2026,
      definitionKey: 'periodic-review@3',
    });
    expect(started.status).toBe(201);
    const campaignId = started.body.campaign.id;
    const cases = (await call('GET', `/api/campaigns/${campaignId}/cases?unit=T2C1`, admin())).body as {
      id: string;
      villageCode: string;
    }[];
    expect(cases.map((c) => c.villageCode)).toEqual(['T2C1V1', 'T2C1V2', 'T2C1V3']);
    const [listing, surveying, reporting] = cases.map((c) => c.id);
    const board = (village: string) => token('village_board', village);
    const commune = token('commune_committee', 'T2C1');

    // T2C1V2 imports its list and moves to the survey; T2C1V3 goes on to the commune's report.
    for (const [caseId, village] of [
      [surveying, 'T2C1V2'],
      [reporting, 'T2C1V3'],
    ]) {
      const imported = await call(
        'POST',
        `/api/cases/${caseId}/households/import?format=csv`,
        board(village),
        CSV,
        'text/csv; charset=utf-8',
      );
      expect(imported.status).toBe(200);
      expect(
        await send(caseId, board(village), 'REVIEW_LIST_SUBMITTED', {
          householdCount: 1,
          fromPreviousLists: 1,
          newlyArising: 0,
          requests: 0,
        }),
      ).toBe(200);
    }
    const surveyed = await call('PUT', `/api/cases/${reporting}/households/H01/survey`, token('surveyor', 'T2C1V3'), {
      incomePerCapitaMonthly: 5_000_000,
      deprivations: [],
    });
    expect(surveyed.status).toBe(200);
    expect(
      await send(reporting, token('surveyor', 'T2C1V3'), 'SURVEY_COMPLETED', {
        householdsSurveyed: 1,
        poorCount: 0,
        nearPoorCount: 0,
      }),
    ).toBe(200);
    const voted = await call('PUT', `/api/cases/${reporting}/households/votes`, board('T2C1V3'), {
      meetingDate: '2026-10-01',
      votes: [{ code: 'H01', agree: 20, present: 30 }],
    });
    expect(voted.status).toBe(200);
    // Version 3's meeting form, with its invented opinion count.
    const meeting3 = {
      date: '2026-10-01',
      chair: 'Trưởng thôn',
      attendees: 30,
      opinionsGiven: 25,
      householdsPut: 1,
      householdsAgreed: 1,
    };
    expect(await send(reporting, board('T2C1V3'), 'MEETING_HELD', meeting3)).toBe(200);
    expect(await send(reporting, commune, 'POSTING_PERIOD_ENDED')).toBe(200);
    expect((await Promise.all(cases.map((c) => view(c.id)))).map((v) => [v.definition.key, v.step.id])).toEqual([
      ['periodic-review@3', 'listing'],
      ['periodic-review@3', 'survey'],
      ['periodic-review@3', 'commune_report'],
    ]);

    // 1. What the correction changes.
    const diff = await call('POST', '/api/admin/definitions/diff', admin(), {
      against: 'periodic-review@3',
      key: 'periodic-review@4',
    });
    expect(diff.status).toBe(201);
    expect(diff.body.changes.steps.added).toEqual(['province_opinion']);
    expect(diff.body.changes.roles.added).toEqual(['province_chairman']);
    expect(diff.body.changes.events.added).toEqual(['PROVINCE_OPINION_GIVEN']);
    expect(diff.body.changes.parameters.removed).toEqual(['meetingOpinionRatio']);

    // A version the campaign could not start on is not a target.
    const ended = await call('POST', '/api/admin/migrations', admin(), { campaignId, to: 'periodic-review@5' });
    expect(ended.status).toBe(400);
    expect(ended.body.error).toMatchObject({ code: 'MIGRATION_INVALID', details: { field: 'to' } });
    expect(ended.body.error.message).toContain(
      'periodic-review@5 applies to campaigns starting on or before 2025-06-30',
    );

    // 3. The dry run changes nothing: every step of version 3 exists in version 4.
    const dry = await call('POST', '/api/admin/migrations', admin(), { campaignId, to: 'periodic-review@4' });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({
      dryRun: true,
      totals: { 'would-move': 3, moved: 0, blocked: 0, 'already-there': 0 },
    });
    expect(dry.body.cases.map((l: { fromStep: string; toStep: string }) => [l.fromStep, l.toStep])).toEqual([
      ['listing', 'listing'],
      ['survey', 'survey'],
      ['commune_report', 'commune_report'],
    ]);
    expect((await view(reporting)).definition.key).toBe('periodic-review@3');

    // 4. Apply.
    const applied = await call('POST', '/api/admin/migrations', admin(), {
      campaignId,
      to: 'periodic-review@4',
      deadlines: 'preserve',
      dryRun: false,
    });
    expect(applied.status).toBe(201);
    expect(applied.body.totals).toEqual({ 'would-move': 0, moved: 3, blocked: 0, 'already-there': 0 });
    expect((await call('GET', `/api/campaigns/${campaignId}`, admin())).body.definitionKey).toBe('periodic-review@4');
    const moved = await view(reporting);
    expect([moved.definition.key, moved.step.id]).toEqual(['periodic-review@4', 'commune_report']);
    expect(moved.history[0]).toMatchObject({
      kind: 'migrated',
      fromStep: 'commune_report',
      toStep: 'commune_report',
      details: { from: 'periodic-review@3', to: 'periodic-review@4' },
    });
    // Progress shows the new step where the procedure has it.
    const progress = (await call('GET', `/api/progress?unit=T2&campaign=${campaignId}`, admin())).body;
    expect(progress.steps.map((st: { id: string }) => st.id)).toEqual([
      'listing',
      'survey',
      'meeting',
      'posting',
      'recheck',
      'commune_report',
      'province_opinion',
      'recognition',
      'reporting',
      'completed',
    ]);
    const audit = (await call('GET', '/api/admin/audit', admin())).body;
    expect(audit[0]).toMatchObject({ action: 'migrate', version: 4, details: { campaignId, to: 'periodic-review@4' } });

    // 5. The report now waits for the provincial chairman; a disagreement sends the case back to re-check.
    const chairman = token('province_chairman', 'T2');
    expect(await send(reporting, commune, 'REPORT_SENT_TO_PROVINCE', { reportRef: '12/BC-UBND' })).toBe(200);
    expect((await view(reporting)).step.id).toBe('province_opinion');
    expect(await send(reporting, token('province_committee', 'T2'), 'PROVINCE_OPINION_GIVEN', { agreed: true })).toBe(
      403,
    );
    expect(
      await send(reporting, chairman, 'PROVINCE_OPINION_GIVEN', { agreed: false, note: 'Đề nghị phúc tra hộ H01' }),
    ).toBe(200);
    expect((await view(reporting)).step.id).toBe('recheck');
    expect(
      await send(reporting, commune, 'RECHECK_COMPLETED', { complaintsResolved: 0, classificationsChanged: 0 }),
    ).toBe(200);
    expect(await send(reporting, commune, 'POSTING_PERIOD_ENDED')).toBe(200);
    expect(await send(reporting, commune, 'REPORT_SENT_TO_PROVINCE', { reportRef: '14/BC-UBND' })).toBe(200);
    expect(
      await send(reporting, chairman, 'PROVINCE_OPINION_GIVEN', { agreed: true, opinionRef: '77/UBND-KGVX' }),
    ).toBe(200);
    const recognised = await view(reporting);
    expect(recognised.step.id).toBe('recognition');
    expect(recognised.counters).toMatchObject({ provinceDisagreements: 1, recheckRounds: 1 });

    // A village still before its meeting sends the corrected form: the invented opinion count is refused.
    const surveyor = token('surveyor', 'T2C1V2');
    await call('PUT', `/api/cases/${surveying}/households/H01/survey`, surveyor, {
      incomePerCapitaMonthly: 5_000_000,
      deprivations: [],
    });
    expect(
      await send(surveying, surveyor, 'SURVEY_COMPLETED', { householdsSurveyed: 1, poorCount: 0, nearPoorCount: 0 }),
    ).toBe(200);
    await call('PUT', `/api/cases/${surveying}/households/votes`, board('T2C1V2'), {
      meetingDate: '2026-10-02',
      votes: [{ code: 'H01', agree: 15, present: 30 }],
    });
    expect(await send(surveying, board('T2C1V2'), 'MEETING_HELD', { ...meeting3, date: '2026-10-02' })).toBe(400);
    const meeting4 = {
      date: '2026-10-02',
      chair: 'Trưởng thôn',
      attendees: 30,
      householdsPut: 1,
      frontAttended: true,
      frontRepresentative: 'Nguyễn Thị Hoa, Phó Chủ tịch Ủy ban MTTQ xã',
    };
    // Exactly 15 of 30 agreed: at least 50% of those attending.
    expect(await send(surveying, board('T2C1V2'), 'MEETING_HELD', meeting4)).toBe(200);
    expect((await view(surveying)).step.id).toBe('posting');
    expect((await view(listing)).step.id).toBe('listing');
  });
});
