import { parseHouseholdFile, writeHouseholdFile } from '@rasoat/household-records';
import { loadRuleSetCatalog, POVERTY_RULES_DIR, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

const HEADER =
  'Mã hộ,Họ và tên chủ hộ,Số CCCD/định danh,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú';
const ROWS = [
  'H01,Nguyễn Văn An,001090012345,Thôn Đông,4,Nông thôn,Hộ nghèo năm trước,,,',
  'H02,Trần Thị Bình,001185000222,"Xóm 2, thôn Đông",3,Nông thôn,Hộ cận nghèo năm trước,,,',
  'H03,Lê Văn Cường,,,5,Nông thôn,Phát sinh mới,,,',
  'H04,Phạm Thị Dung,079185000123,Tổ 5,2,Thành thị,Có giấy đề nghị,,,Đề nghị theo Mẫu số 01',
  'H05,Hoàng Văn Em,,,6,Nông thôn,Phát sinh mới,,,',
  // Already surveyed when the list was made: classified on import.
  'H06,Vũ Thị Phương,,,1,Nông thôn,Hộ nghèo năm trước,1.100.000,Bảo hiểm y tế; latrine; telecom; nutrition,',
];
const GOOD_CSV = [HEADER, ...ROWS].join('\r\n');
// Spreadsheet row 4 (header = 1) has no members.
const BAD_CSV = GOOD_CSV.replace('H03,Lê Văn Cường,,,5,', 'H03,Lê Văn Cường,,,0,');
const THREE = ['health_insurance', 'latrine', 'telecom'];
const PERSONAL = ['Nguyễn Văn An', 'Trần Thị Bình', '001090012345', '001185000222', 'Xóm 2', 'Thôn Đông'];

/**
 * One village's household list through periodic-review@2 in the autumn-2025 review (its lists
 * apply in 2026: the 2022–2025 standard, kept through 2026), over HTTP with the worker: import
 * (all or nothing), survey and classification, the meeting's votes (a household under 50% sends
 * the case back to survey), a complaint and its re-check, recognition and the lock, certificates,
 * masking of personal data and scope.
 */
describe('households of a village case, end to end', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let caseId: string;
  let secondCaseId: string;
  let eventNo = 0;
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const board = () => token('village_board', 'T1C1V1');
  const surveyor = () => token('surveyor', 'T1C1V1');
  const commune = () => token('commune_committee', 'T1C1');
  const chairman = () => token('commune_chairman', 'T1C1');
  const province = () => token('province_committee', 'T1');
  const otherCommune = () => token('commune_committee', 'T1C2');

  async function call(
    method: string,
    path: string,
    bearer: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; body: any; headers: Headers; raw: Buffer }> {
    const res = await fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, authorization: `Bearer ${bearer}` },
      body:
        body === undefined
          ? undefined
          : typeof body === 'string'
            ? body
            : Buffer.isBuffer(body)
              ? new Uint8Array(body)
              : JSON.stringify(body),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return {
      status: res.status,
      body: isJson && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined,
      headers: res.headers,
      raw,
    };
  }
  const importCsv = (id: string, csv: string | Buffer, bearer = board()) =>
    call('POST', `/api/cases/${id}/households/import?format=csv`, bearer, csv, 'text/csv; charset=utf-8');
  const list = async (bearer = board(), id = caseId) => {
    const res = await call('GET', `/api/cases/${id}/households`, bearer);
    expect(res.status).toBe(200);
    return res.body;
  };
  const household = async (code: string, bearer = board()) =>
    (await list(bearer)).households.find((h: { code: string }) => h.code === code);
  const survey = (code: string, answers: Record<string, unknown>, bearer = surveyor()) =>
    call('PUT', `/api/cases/${caseId}/households/${code}/survey`, bearer, answers);
  const send = async (bearer: string, type: string, data: Record<string, unknown> = {}) => {
    const res = await fetch(`${engine.baseUrl}/api/cases/${caseId}/events?wait=15000`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${bearer}`,
        'idempotency-key': `households-e2e-${++eventNo}`,
      },
      body: JSON.stringify({ type, data }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const step = async () => (await call('GET', `/api/cases/${caseId}`, board())).body.step.id;
  // The whole history, oldest first (the API pages it newest first).
  const historyOf = async () => {
    const page = (await call('GET', `/api/cases/${caseId}/history?limit=200`, board())).body;
    expect(page.nextBefore).toBeNull();
    return (
      page.items as {
        kind: string;
        eventType: string | null;
        fromStep: string | null;
        toStep: string | null;
        details: any;
      }[]
    ).reverse();
  };

  beforeAll(async () => {
    engine = await startTestEngine({ http: true, worker: true, start: new Date('2025-09-01T02:00:00Z') });
    const started = await call('POST', '/api/campaigns', token('province_admin', 'T1'), {
      provinceCode: 'T1',
      year: 2025,
      definitionKey: 'periodic-review@2',
      windowStart: '2025-09-01',
      windowEnd: '2025-12-14',
    });
    expect(started.status).toBe(201);
    // The campaign records its standard: an autumn-2025 review sets the lists of 2026.
    expect(started.body.campaign).toMatchObject({
      year: 2025,
      listsYear: 2026,
      ruleSetPeriod: '2022-2025',
      ruleSetReason: {
        vi: expect.stringContaining(
          'Rà soát định kỳ năm 2025: danh sách áp dụng năm 2026 → chuẩn nghèo 2022–2025, Nghị định 07/2021/NĐ-CP',
        ),
      },
    });
    const cases = await call(
      'GET',
      `/api/campaigns/${started.body.campaign.id}/cases?unit=T1C1`,
      token('province_admin', 'T1'),
    );
    caseId = cases.body.find((c: { villageCode: string }) => c.villageCode === 'T1C1V1').id;
    secondCaseId = cases.body.find((c: { villageCode: string }) => c.villageCode === 'T1C1V2').id;
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('imports all or nothing: a bad row names its row and column and nothing is written', async () => {
    const bad = await importCsv(caseId, BAD_CSV);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { row: 4, column: 'Số nhân khẩu', message: 'Phải từ 1 trở lên, nhận được 0 / Must be at least 1, got 0' },
    ]);
    expect(bad.body.error.code).toBe('HOUSEHOLD_IMPORT_INVALID');
    expect((await list()).households).toEqual([]);

    expect((await importCsv(caseId, GOOD_CSV, surveyor())).status).toBe(403);
    expect((await importCsv(caseId, GOOD_CSV, otherCommune())).status).toBe(403);
    const asJson = await call('POST', `/api/cases/${caseId}/households/import?format=csv`, board(), { rows: [] });
    expect(asJson.status).toBe(400);
    expect(asJson.body.error.message).toContain('raw body');

    const good = await importCsv(caseId, GOOD_CSV);
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ ok: true, imported: 6, classified: 1, replaced: 0, unchanged: false });
    const again = await importCsv(caseId, Buffer.from(`\uFEFF${GOOD_CSV}`, 'utf8'));
    expect(again.body).toMatchObject({ imported: 6, replaced: 6, unchanged: true });

    const view = await list();
    expect(view).toMatchObject({
      step: { id: 'listing' },
      operations: ['import', 'edit'],
      locked: false,
      personalData: 'full',
      facts: { total: 6, surveyed: 1, unsurveyed: 5, poor: 1 },
    });
    expect(view.households.map((h: { code: string }) => h.code)).toEqual(['H01', 'H02', 'H03', 'H04', 'H05', 'H06']);
    const h06 = view.households[5];
    expect(h06).toMatchObject({
      surveyed: true,
      classification: 'poor',
      ruleSet: '2022-2025',
      deprivations: ['health_insurance', 'latrine', 'telecom', 'nutrition'],
    });
    expect(h06.explanation.explanation).toMatchObject({
      incomeLine: 1_500_000,
      income: 1_100_000,
      deprivationCount: 4,
      threshold: 3,
    });

    // The export reads back to the imported records, in both formats.
    const csv = await call('GET', `/api/cases/${caseId}/households?format=csv`, board());
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('danh-sach-ho-T1C1V1.csv');
    const { indicators } = loadRuleSetCatalog(POVERTY_RULES_DIR).ruleSet('2022-2025')!;
    const [fromExport, fromImport] = await Promise.all([
      parseHouseholdFile({ format: 'csv', content: csv.raw }),
      parseHouseholdFile({ format: 'csv', content: GOOD_CSV, indicators }),
    ]);
    expect(fromImport.ok).toBe(true);
    expect(fromExport.ok && fromExport.households).toEqual(fromImport.ok && fromImport.households);
    const xlsx = await call('GET', `/api/cases/${caseId}/households?format=xlsx`, board());
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect((await parseHouseholdFile({ format: 'xlsx', content: xlsx.raw })).ok).toBe(true);
  });

  it('moves to survey only when the submitted count matches the list; then the list is no longer imported', async () => {
    const counts = { fromPreviousLists: 3, newlyArising: 2, requests: 1 };
    const wrong = await send(board(), 'REVIEW_LIST_SUBMITTED', { householdCount: 5, ...counts });
    expect(wrong.status).toBe(422);
    expect(wrong.body.rejection.code).toBe('GUARD_REJECTED');
    expect((await send(board(), 'REVIEW_LIST_SUBMITTED', { householdCount: 6, ...counts })).status).toBe(200);
    expect(await step()).toBe('survey');

    const late = await importCsv(caseId, GOOD_CSV);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'HOUSEHOLD_OPERATION_CLOSED',
      details: { operation: 'import', open: ['survey', 'edit'] },
    });
    expect(late.body.error.message).toContain("không cho phép 'import'");
  });

  it('classifies each surveyed household with an explanation; completes the survey only when every household is surveyed', async () => {
    const onLine = await survey('H01', { incomePerCapitaMonthly: 1_500_000, deprivations: THREE });
    expect(onLine.status).toBe(200);
    expect(onLine.body.household).toMatchObject({
      code: 'H01',
      classification: 'poor',
      surveyed: true,
      ruleSet: '2022-2025',
    });
    expect(onLine.body.household.explanation.explanation).toMatchObject({
      area: 'rural',
      incomeLine: 1_500_000,
      income: 1_500_000,
      deprivationCount: 3,
    });
    expect(onLine.body.household.explanation.reasons[0]).toContain('≤ chuẩn nghèo nông thôn 1.500.000 đồng');

    const aboveLine = await survey('h02', { incomePerCapitaMonthly: 1_500_001, deprivations: THREE });
    expect(aboveLine.body.household).toMatchObject({ code: 'H02', classification: 'average' });
    expect(aboveLine.body.household.explanation.reasons[0]).toContain(
      '1.500.001 đồng/người/tháng > chuẩn cận nghèo nông thôn 1.500.000 đồng',
    );

    expect(
      (await survey('H03', { incomePerCapitaMonthly: 1_200_000, deprivations: ['telecom'] })).body.household
        .classification,
    ).toBe('near_poor');
    expect((await survey('H04', { incomePerCapitaMonthly: 2_500_000, deprivations: [] })).body.household).toMatchObject(
      { area: 'urban', classification: 'average' },
    );

    const unknown = await survey('H05', { incomePerCapitaMonthly: 1_000_000, deprivations: ['car'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields).toEqual([
      { field: 'deprivations[0]', message: expect.stringContaining('unknown indicator "car"') },
    ]);
    expect((await survey('H99', { incomePerCapitaMonthly: 1, deprivations: [] })).status).toBe(404);
    expect((await survey('H05', { incomePerCapitaMonthly: 1, deprivations: [] }, province())).status).toBe(403);

    // A retried PUT changes nothing and writes no second history entry.
    const repeated = await survey('H01', {
      incomePerCapitaMonthly: 1_500_000,
      deprivations: ['telecom', 'latrine', 'health_insurance'],
    });
    expect(repeated.body.changed).toBe(false);

    // Identity fields stay editable during the survey.
    const edited = await call('PATCH', `/api/cases/${caseId}/households/H04`, board(), {
      address: 'Tổ 6',
      memberCount: 3,
    });
    expect(edited.status).toBe(200);
    expect(edited.body.household).toMatchObject({ address: 'Tổ 6', memberCount: 3, classification: 'average' });

    const early = await send(surveyor(), 'SURVEY_COMPLETED', { householdsSurveyed: 5, poorCount: 2, nearPoorCount: 1 });
    expect(early.status).toBe(422);
    expect(await step()).toBe('survey');

    expect(
      (await survey('H05', { incomePerCapitaMonthly: 3_000_000, deprivations: [] })).body.household.classification,
    ).toBe('not_poor');
    expect(
      (await send(surveyor(), 'SURVEY_COMPLETED', { householdsSurveyed: 6, poorCount: 2, nearPoorCount: 1 })).status,
    ).toBe(200);
    expect(await step()).toBe('meeting');

    const surveys = (await historyOf()).filter((h) => h.eventType === 'household.survey');
    expect(surveys.map((h) => [h.details.code, h.details.from, h.details.to])).toEqual([
      ['H01', null, 'poor'],
      ['H02', null, 'average'],
      ['H03', null, 'near_poor'],
      ['H04', null, 'average'],
      ['H05', null, 'not_poor'],
    ]);
  });

  it('sends the case back to survey when a household gets under half agreement, then on to posting after a re-vote', async () => {
    const bad = await call('PUT', `/api/cases/${caseId}/households/votes`, board(), {
      meetingDate: '2025-10-01',
      votes: [
        { code: 'H01', agree: 9, present: 10 },
        { code: 'H02', agree: 11, present: 10 },
        { code: 'H77', agree: 1, present: 10 },
        { code: 'H03', agree: 0, present: 0 },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'votes[1].agree',
      'votes[2].code',
      'votes[3].present',
    ]);
    expect((await household('H01')).votes).toBeNull();
    expect(
      (
        await call('PUT', `/api/cases/${caseId}/households/votes`, surveyor(), {
          meetingDate: '2025-10-01',
          votes: [{ code: 'H01', agree: 9, present: 10 }],
        })
      ).status,
    ).toBe(403);

    const votes = ['H01', 'H02', 'H03', 'H04', 'H05', 'H06'].map((code) => ({
      code,
      agree: code === 'H03' ? 4 : 8,
      present: 10,
    }));
    const voted = await call('PUT', `/api/cases/${caseId}/households/votes`, board(), {
      meetingDate: '2025-10-01',
      votes,
    });
    expect(voted.status).toBe(200);
    expect(voted.body).toEqual({ recorded: 6, changed: 6, belowHalf: ['H03'] });
    expect((await household('H03')).votes).toMatchObject({ agree: 4, present: 10, share: 0.4 });

    const meeting = {
      date: '2025-10-01',
      chair: 'Trưởng thôn',
      attendees: 10,
      opinionsGiven: 8,
      householdsPut: 6,
      householdsAgreed: 5,
    };
    expect((await send(board(), 'MEETING_HELD', meeting)).status).toBe(200);
    const back = (await call('GET', `/api/cases/${caseId}`, board())).body;
    expect(back.step.id).toBe('survey');
    expect(back.counters.resurveyRounds).toBe(1);

    const closed = await call('PUT', `/api/cases/${caseId}/households/votes`, board(), {
      meetingDate: '2025-10-08',
      votes: [{ code: 'H03', agree: 8, present: 10 }],
    });
    expect(closed.status).toBe(409);
    expect(closed.body.error.details).toMatchObject({ operation: 'vote', open: ['survey', 'edit'] });

    // Re-survey: the household turns out poor; a new meeting agrees.
    const resurveyed = await survey('H03', {
      incomePerCapitaMonthly: 1_200_000,
      deprivations: ['telecom', 'latrine', 'health_insurance'],
    });
    expect(resurveyed.body.household.classification).toBe('poor');
    expect(
      (await send(surveyor(), 'SURVEY_COMPLETED', { householdsSurveyed: 6, poorCount: 3, nearPoorCount: 0 })).status,
    ).toBe(200);
    const revote = await call('PUT', `/api/cases/${caseId}/households/votes`, board(), {
      meetingDate: '2025-10-08',
      votes: [{ code: 'H03', agree: 8, present: 10 }],
    });
    expect(revote.body).toEqual({ recorded: 1, changed: 1, belowHalf: [] });
    expect((await household('H03')).votes).toMatchObject({
      agree: 8,
      present: 10,
      votedAt: '2025-10-07T17:00:00.000Z',
    });
    expect((await send(board(), 'MEETING_HELD', { ...meeting, date: '2025-10-08', householdsAgreed: 6 })).status).toBe(
      200,
    );
    expect(await step()).toBe('posting');
  });

  it('takes complaints during posting, re-checks them, and posts again', async () => {
    const closed = await survey('H02', { incomePerCapitaMonthly: 1_400_000, deprivations: THREE });
    expect(closed.status).toBe(409);
    expect(closed.body.error.message).toBe(
      "Bước 'Bước 4: Niêm yết công khai' không cho phép 'survey' (ghi kết quả rà soát (chấm điểm)); đang mở: complain / the step posting does not allow survey; open: complain",
    );

    const filed = await call('POST', `/api/cases/${caseId}/households/H02/complaints`, board(), {
      summary: 'Hộ ông Trần Thị Bình thực tế thu nhập thấp hơn',
    });
    expect(filed.status).toBe(201);
    const complaintId = filed.body.complaint.id;
    const retried = await call('POST', `/api/cases/${caseId}/households/H02/complaints`, board(), {
      summary: 'Hộ ông Trần Thị Bình thực tế thu nhập thấp hơn',
    });
    expect(retried.status).toBe(200);
    expect(retried.body.complaint.id).toBe(complaintId);
    expect((await call('GET', `/api/cases/${caseId}/complaints`, commune())).body).toEqual([
      expect.objectContaining({
        id: complaintId,
        householdCode: 'H02',
        status: 'open',
        summary: 'Hộ ông Trần Thị Bình thực tế thu nhập thấp hơn',
        filedBy: { role: 'village_board', unit: 'T1C1V1' },
      }),
    ]);
    expect((await call('GET', `/api/cases/${caseId}/complaints`, province())).body[0].summary).toBeNull();
    expect((await list()).facts).toMatchObject({ complaints: 1, openComplaints: 1 });

    expect((await send(commune(), 'POSTING_PERIOD_ENDED')).status).toBe(200);
    expect(await step()).toBe('recheck');
    const early = await send(commune(), 'RECHECK_COMPLETED', { complaintsResolved: 1, classificationsChanged: 1 });
    expect(early.status).toBe(422);
    expect(await step()).toBe('recheck');

    const recheckPath = `/api/cases/${caseId}/complaints/${complaintId}/recheck`;
    const recheck = {
      outcome: 'upheld',
      note: 'Phúc tra: thu nhập thực tế 1.400.000 đồng',
      survey: { incomePerCapitaMonthly: 1_400_000, deprivations: THREE },
    };
    expect((await call('POST', recheckPath, board(), recheck)).status).toBe(403);
    const rechecked = await call('POST', recheckPath, commune(), recheck);
    expect(rechecked.status).toBe(200);
    expect(rechecked.body.complaint).toMatchObject({
      status: 'resolved',
      resolution: { outcome: 'upheld', from: 'average', to: 'poor', resurveyed: true },
    });
    expect(rechecked.body.household).toMatchObject({
      code: 'H02',
      classification: 'poor',
      incomePerCapitaMonthly: 1_400_000,
      complaints: { total: 1, open: 0 },
    });
    expect(rechecked.body.household.explanation.explanation).toMatchObject({
      income: 1_400_000,
      incomeLine: 1_500_000,
    });
    expect((await call('POST', recheckPath, commune(), recheck)).body.changed).toBe(false);
    expect((await call('POST', recheckPath, commune(), { ...recheck, outcome: 'dismissed' })).status).toBe(409);
    const recorded = (await historyOf()).find((h) => h.eventType === 'household.recheck');
    expect(recorded?.details).toMatchObject({
      complaintId,
      code: 'H02',
      outcome: 'upheld',
      from: 'average',
      to: 'poor',
    });

    expect(
      (await send(commune(), 'RECHECK_COMPLETED', { complaintsResolved: 1, classificationsChanged: 1 })).status,
    ).toBe(200);
    expect(await step()).toBe('posting');
    expect((await send(commune(), 'POSTING_PERIOD_ENDED')).status).toBe(200);
    expect(await step()).toBe('commune_report');
  });

  it('locks the lists on recognition: only certificates, for poor and near-poor households', async () => {
    expect((await send(commune(), 'REPORT_SENT_TO_PROVINCE', { reportRef: '12/BC-UBND' })).status).toBe(200);
    expect(await step()).toBe('recognition');
    const recognised = await send(chairman(), 'LISTS_RECOGNISED', {
      decisionNumber: '45/QĐ-UBND',
      decisionDate: '2025-11-20',
      poorCount: 4,
      nearPoorCount: 0,
      escapedPovertyCount: 0,
      escapedNearPovertyCount: 1,
    });
    expect(recognised.status).toBe(200);
    expect(await step()).toBe('reporting');
    expect(await list()).toMatchObject({ operations: ['certify'], locked: true });

    const LOCKED =
      'Danh sách đã được công nhận, mọi thay đổi qua rà soát thường xuyên / lists recognised and locked; changes go through the regular in-year review';
    for (const res of [
      await call('PATCH', `/api/cases/${caseId}/households/H01`, board(), { address: 'Thôn Tây' }),
      await survey('H01', { incomePerCapitaMonthly: 1, deprivations: [] }),
      await call('PUT', `/api/cases/${caseId}/households/votes`, board(), {
        meetingDate: '2025-11-25',
        votes: [{ code: 'H01', agree: 1, present: 1 }],
      }),
      await importCsv(caseId, GOOD_CSV),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'HOUSEHOLDS_LOCKED', message: LOCKED });
    }

    const certified = await call('PUT', `/api/cases/${caseId}/households/H01/certificate`, commune(), {
      number: 'GCN-2025-001',
    });
    expect(certified.status).toBe(200);
    expect(certified.body).toMatchObject({
      changed: true,
      household: { code: 'H01', certificateNumber: 'GCN-2025-001' },
    });
    expect(
      (await call('PUT', `/api/cases/${caseId}/households/H01/certificate`, commune(), { number: 'GCN-2025-001' })).body
        .changed,
    ).toBe(false);
    expect(
      (await call('PUT', `/api/cases/${caseId}/households/H02/certificate`, chairman(), { number: 'GCN-2025-002' }))
        .status,
    ).toBe(200);
    const duplicate = await call('PUT', `/api/cases/${caseId}/households/H03/certificate`, commune(), {
      number: 'GCN-2025-001',
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('CERTIFICATE_NUMBER_USED');
    const notPoor = await call('PUT', `/api/cases/${caseId}/households/H05/certificate`, commune(), {
      number: 'GCN-2025-005',
    });
    expect(notPoor.status).toBe(409);
    expect(notPoor.body.error).toMatchObject({
      code: 'HOUSEHOLD_NOT_CERTIFIABLE',
      details: { classification: 'not_poor' },
    });
  });

  it('keeps a history of each step and each household change, without personal data', async () => {
    const history = await historyOf();
    const moves = history.filter((h) => h.kind === 'transition').map((h) => `${h.fromStep}→${h.toStep}`);
    expect(moves).toEqual([
      'listing→survey',
      'survey→meeting',
      'meeting→survey',
      'survey→meeting',
      'meeting→posting',
      'posting→recheck',
      'recheck→posting',
      'posting→commune_report',
      'commune_report→recognition',
      'recognition→reporting',
    ]);
    const household = history.filter((h) => h.kind === 'household');
    expect(new Set(household.map((h) => h.eventType))).toEqual(
      new Set([
        'household.import',
        'household.survey',
        'household.edit',
        'household.vote',
        'household.complain',
        'household.recheck',
        'household.certify',
      ]),
    );
    expect(household.find((h) => h.eventType === 'household.edit')?.details).toMatchObject({
      code: 'H04',
      fields: ['address', 'memberCount'],
    });
    const text = JSON.stringify(history);
    for (const secret of [...PERSONAL, 'Tổ 6', 'thu nhập thấp hơn']) expect(text).not.toContain(secret);
  });

  it('masks personal data outside the village and its commune; refuses another commune', async () => {
    const masked = await list(province());
    expect(masked.personalData).toBe('masked');
    expect(masked.households[0]).toMatchObject({
      code: 'H01',
      headName: 'N*** V*** A',
      idNumber: '********2345',
      address: null,
      classification: 'poor',
    });
    expect(masked.households[3]).toMatchObject({
      code: 'H04',
      headName: 'P*** T*** D',
      idNumber: '********0123',
      address: null,
      note: null,
    });
    expect(JSON.stringify(masked)).not.toMatch(/Nguyễn|Trần Thị|001090012345|Thôn Đông/);
    const maskedFile = await call('GET', `/api/cases/${caseId}/households?format=csv`, province());
    expect(maskedFile.status).toBe(200);
    expect(maskedFile.raw.toString('utf8')).toContain('N*** V*** A');
    expect(maskedFile.raw.toString('utf8')).not.toMatch(/Nguyễn|001090012345|Thôn Đông/);

    expect((await list(commune())).households[0]).toMatchObject({
      headName: 'Nguyễn Văn An',
      idNumber: '001090012345',
      address: 'Thôn Đông',
    });
    expect((await list(chairman())).personalData).toBe('full');
    expect((await call('GET', `/api/cases/${caseId}/households`, token('village_board', 'T1C1V2'))).status).toBe(403);

    for (const res of [
      await call('GET', `/api/cases/${caseId}/households`, otherCommune()),
      await call('GET', `/api/cases/${caseId}/complaints`, otherCommune()),
      await call('PUT', `/api/cases/${caseId}/households/H03/certificate`, otherCommune(), { number: 'GCN-X' }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('AUTH_OUT_OF_SCOPE');
    }
  });

  it('reads XLSX, adds single households idempotently, and refuses a file over 10 MB', async () => {
    const records = [
      {
        householdCode: 'A1',
        headName: 'Đỗ Văn Giang',
        memberCount: 2,
        area: 'rural' as const,
        source: 'newly_arising' as const,
      },
      {
        householdCode: 'A2',
        headName: 'Bùi Thị Hoa',
        memberCount: 3,
        area: 'rural' as const,
        source: 'request' as const,
        incomePerCapitaMonthly: 900_000,
        deprivations: ['telecom'],
      },
    ];
    const file = await writeHouseholdFile(records, 'xlsx');
    const imported = await call(
      'POST',
      `/api/cases/${secondCaseId}/households/import`,
      token('village_board', 'T1C1V2'),
      file,
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 2, classified: 1 });

    const one = { code: 'A3', headName: 'Ngô Văn Khánh', memberCount: 1, area: 'urban', source: 'newly_arising' };
    const added = await call('POST', `/api/cases/${secondCaseId}/households`, token('village_board', 'T1C1V2'), one);
    expect(added.status).toBe(201);
    expect(added.body.household).toMatchObject({ code: 'A3', surveyed: false, classification: null });
    expect(
      (await call('POST', `/api/cases/${secondCaseId}/households`, token('village_board', 'T1C1V2'), one)).status,
    ).toBe(200);
    const clash = await call('POST', `/api/cases/${secondCaseId}/households`, token('village_board', 'T1C1V2'), {
      ...one,
      code: 'a1',
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('HOUSEHOLD_CODE_EXISTS');
    expect(
      (await list(token('village_board', 'T1C1V2'), secondCaseId)).households.map(
        (h: { code: string; classification: string | null }) => [h.code, h.classification],
      ),
    ).toEqual([
      ['A1', null],
      ['A2', 'near_poor'],
      ['A3', null],
    ]);

    const huge = await call(
      'POST',
      `/api/cases/${secondCaseId}/households/import?format=csv`,
      token('village_board', 'T1C1V2'),
      Buffer.alloc(11 * 1024 * 1024, 0x41),
      'text/csv',
    );
    expect(huge.status).toBe(413);
    expect((await list(token('village_board', 'T1C1V2'), secondCaseId)).facts.total).toBe(3);
  });
  it('finds a household whose code is typed in another Unicode form (NFD, as some phone keyboards send it)', async () => {
    const nfc = 'THÔN-HỘ7';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    const villageBoard = token('village_board', 'T1C1V2');
    // Added in NFD: kept in NFC, like an imported code.
    const added = await call('POST', `/api/cases/${secondCaseId}/households`, villageBoard, {
      code: nfd,
      headName: 'Lò Văn Bảy',
      memberCount: 1,
      area: 'rural',
      source: 'newly_arising',
    });
    expect(added.status).toBe(201);
    expect(added.body.household.code).toBe(nfc);
    // The URL carries the code in NFD: the same household.
    const edited = await call(
      'PATCH',
      `/api/cases/${secondCaseId}/households/${encodeURIComponent(nfd)}`,
      villageBoard,
      { memberCount: 2 },
    );
    expect(edited.status).toBe(200);
    expect(edited.body.household).toMatchObject({ code: nfc, memberCount: 2 });
    expect(
      (
        await call('PATCH', `/api/cases/${secondCaseId}/households/${encodeURIComponent(nfc)}`, villageBoard, {
          memberCount: 3,
        })
      ).status,
    ).toBe(200);
  });
});
