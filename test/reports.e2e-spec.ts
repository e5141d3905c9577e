import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityManager } from '@mikro-orm/postgresql';
import { Workbook } from 'exceljs';
import { parse } from 'yaml';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { readCsv } from '@rasoat/household-records';
import { CampaignsService, loadReportTables, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

type Figures = Record<string, number | null>;
const COUNTS = [
  'villagesTotal',
  'villagesRecognised',
  'villagesWithHouseholdList',
  'householdsReviewed',
  'poor',
  'poorMembers',
  'nearPoor',
  'nearPoorMembers',
  'averageLiving',
  'averageLivingMembers',
  'previousPoor',
  'escapedPoverty',
  'poorToNearPoor',
  'poorLeftBothLists',
  'newlyPoor',
  'nearPoorToPoor',
  'newlyPoorFromOutside',
  'previousNearPoor',
  'nearPoorDecrease',
  'escapedNearPoverty',
  'newlyNearPoor',
  'newlyNearPoorFromOutside',
];
/** The line every export prints under the title while a form's layout is not verified against the circular. */
const UNVERIFIED = 'Bố cục chưa được đối chiếu với văn bản gốc';

/**
 * Official reports (Biểu mẫu 7.1–7.11) end to end: cases driven to recognition through real events
 * (periodic-review@1 on T1: the recognition form's totals; periodic-review@2 on T2: a household
 * list through the households API), household rows written directly for one T1 case, then the
 * summary for a province and a commune checked against a recount done here case by case, and
 * the XLSX and CSV read back as a spreadsheet program would.
 */
describe('official reports (Biểu mẫu 7.1–7.11)', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let campaignT1: string;
  let campaignT2: string;
  let eventNo = 0;
  const tables = loadReportTables();
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());

  async function call(method: string, path: string, bearer: string, body?: unknown, contentType = 'application/json') {
    const res = await fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, authorization: `Bearer ${bearer}` },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return {
      status: res.status,
      body: (isJson && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined) as any,
      headers: res.headers,
      raw,
    };
  }
  async function send(caseId: string, bearer: string, type: string, data: Record<string, unknown> = {}) {
    const res = await fetch(`${engine.baseUrl}/api/cases/${caseId}/events?wait=15000`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${bearer}`,
        'idempotency-key': `reports-e2e-${++eventNo}`,
      },
      body: JSON.stringify({ type, data }),
    });
    const body = (await res.json()) as any;
    if (res.status !== 200) throw new Error(`${type} on ${caseId}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }
  const summary = (unit: string, bearer: string, campaign = campaignT1, extra = '') =>
    call('GET', `/api/reports/summary?campaign=${campaign}&unit=${unit}${extra}`, bearer);

  async function caseIds(campaign: string, unit: string): Promise<Record<string, string>> {
    const res = await call(
      'GET',
      `/api/campaigns/${campaign}/cases?unit=${unit}`,
      token('province_admin', unit.slice(0, 2)),
    );
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.map((c: { villageCode: string; id: string }) => [c.villageCode, c.id]));
  }

  /** periodic-review@1 from listing to recognition, with the recognition form's totals. */
  async function recognise(
    caseId: string,
    village: string,
    householdCount: number,
    result: { poorCount: number; nearPoorCount: number; escapedPovertyCount: number; escapedNearPovertyCount: number },
  ) {
    const commune = village.slice(0, 4);
    await send(caseId, token('village_board', village), 'REVIEW_LIST_SUBMITTED', {
      householdCount,
      fromPreviousLists: householdCount - 5,
      newlyArising: 3,
      requests: 2,
    });
    await send(caseId, token('surveyor', village), 'SURVEY_COMPLETED', {
      householdsSurveyed: householdCount,
      poorCount: result.poorCount,
      nearPoorCount: result.nearPoorCount,
    });
    await send(caseId, token('village_board', village), 'MEETING_HELD', {
      date: '2026-10-01',
      chair: 'Trưởng thôn',
      attendees: 30,
      opinionsGiven: 25,
      householdsPut: householdCount,
      householdsAgreed: householdCount,
    });
    await send(caseId, token('commune_committee', commune), 'POSTING_PERIOD_ENDED');
    await send(caseId, token('commune_committee', commune), 'REPORT_SENT_TO_DISTRICT', { reportRef: `BC-${village}` });
    await send(caseId, token('district_chairman', 'T1D1'), 'DISTRICT_OPINION_GIVEN', { agreed: true });
    const done = await send(caseId, token('commune_chairman', commune), 'LISTS_RECOGNISED', {
      decisionNumber: `QĐ-${village}`,
      decisionDate: '2026-11-20',
      ...result,
    });
    expect(done.status).toBe('applied');
  }

  /** Household rows written directly, with 1 to 5 members (the households API is exercised on T2). */
  async function insertHouseholds(caseId: string, rows: [string, string | null][]) {
    const em = engine.get(EntityManager).fork();
    for (const [i, [source, classification]] of rows.entries()) {
      await em.execute(
        `insert into household (id, case_id, code, head_name, member_count, area, source, classification, surveyed_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, 'rural', ?, ?, ?, now(), now())`,
        [
          randomUUID(),
          caseId,
          `H${String(i + 1).padStart(2, '0')}`,
          `Hộ ${i + 1}`,
          1 + (i % 5),
          source,
          classification,
          classification ? new Date() : null,
        ],
      );
    }
  }

  /**
   * The figures counted here case by case from the cases' snapshots and household rows, written
   * independently of the service's tables: what the report must say.
   */
  async function recount(campaign: string, unitPath: string): Promise<Figures> {
    const em = engine.get(EntityManager).fork();
    const cases = await em.execute<{ id: string; snapshot: any; households_locked_at: Date | null }[]>(
      'select id, snapshot, households_locked_at from review_case where campaign_id = ? and unit_path like ?',
      [campaign, `${unitPath}%`],
    );
    const households = await em.execute<
      { case_id: string; source: string; classification: string | null; member_count: number }[]
    >('select case_id, source, classification, member_count from household');
    const total: Figures = Object.fromEntries(COUNTS.map((k) => [k, 0]));
    const add = (key: string, value: number | null | undefined) => {
      total[key] = value === null || value === undefined || total[key] === null ? null : total[key]! + value;
    };
    for (const c of cases) {
      add('villagesTotal', 1);
      const data = c.snapshot.context.data;
      if (!c.households_locked_at && !data.LISTS_RECOGNISED) continue;
      add('villagesRecognised', 1);
      const rows = households.filter((h) => h.case_id === c.id);
      if (rows.length === 0) {
        add('villagesWithHouseholdList', 0);
        add('householdsReviewed', data.REVIEW_LIST_SUBMITTED?.householdCount);
        add('poor', data.LISTS_RECOGNISED.poorCount);
        add('nearPoor', data.LISTS_RECOGNISED.nearPoorCount);
        add('escapedPoverty', data.LISTS_RECOGNISED.escapedPovertyCount);
        add('escapedNearPoverty', data.LISTS_RECOGNISED.escapedNearPovertyCount);
        for (const unknown of COUNTS.filter(
          (k) =>
            !k.startsWith('villages') &&
            !['householdsReviewed', 'poor', 'nearPoor', 'escapedPoverty', 'escapedNearPoverty'].includes(k),
        ))
          add(unknown, null);
        continue;
      }
      add('villagesWithHouseholdList', 1);
      const n = (p: (h: { source: string; classification: string | null }) => boolean) => rows.filter(p).length;
      const wasPoor = (h: { source: string }) => h.source === 'previous_poor';
      const wasNear = (h: { source: string }) => h.source === 'previous_near_poor';
      const off = (h: { classification: string | null }) =>
        h.classification === 'average' || h.classification === 'not_poor';
      const outside = (h: { source: string }) => !wasPoor(h) && !wasNear(h);
      const members = (p: (h: { source: string; classification: string | null }) => boolean) =>
        rows.filter(p).reduce((sum, h) => sum + h.member_count, 0);
      add('householdsReviewed', rows.length);
      add(
        'poor',
        n((h) => h.classification === 'poor'),
      );
      add(
        'nearPoor',
        n((h) => h.classification === 'near_poor'),
      );
      add('previousPoor', n(wasPoor));
      add('previousNearPoor', n(wasNear));
      add(
        'escapedPoverty',
        n((h) => wasPoor(h) && (off(h) || h.classification === 'near_poor')),
      );
      add(
        'poorToNearPoor',
        n((h) => wasPoor(h) && h.classification === 'near_poor'),
      );
      add(
        'newlyPoor',
        n((h) => !wasPoor(h) && h.classification === 'poor'),
      );
      add(
        'nearPoorToPoor',
        n((h) => wasNear(h) && h.classification === 'poor'),
      );
      add(
        'escapedNearPoverty',
        n((h) => wasNear(h) && off(h)),
      );
      add(
        'newlyNearPoor',
        n((h) => !wasNear(h) && h.classification === 'near_poor'),
      );
      add(
        'poorMembers',
        members((h) => h.classification === 'poor'),
      );
      add(
        'nearPoorMembers',
        members((h) => h.classification === 'near_poor'),
      );
      add(
        'averageLiving',
        n((h) => h.classification === 'average'),
      );
      add(
        'averageLivingMembers',
        members((h) => h.classification === 'average'),
      );
      add(
        'poorLeftBothLists',
        n((h) => wasPoor(h) && off(h)),
      );
      add(
        'newlyPoorFromOutside',
        n((h) => outside(h) && h.classification === 'poor'),
      );
      add(
        'nearPoorDecrease',
        n((h) => wasNear(h) && h.classification !== 'near_poor' && h.classification !== null),
      );
      add(
        'newlyNearPoorFromOutside',
        n((h) => outside(h) && h.classification === 'near_poor'),
      );
    }
    return total;
  }
  const countsOf = (values: Figures) => Object.fromEntries(COUNTS.map((k) => [k, values[k]]));

  beforeAll(async () => {
    engine = await startTestEngine({ http: true });
    const campaigns = engine.get(CampaignsService);
    campaignT1 = (
      await campaigns.start(
        {
          provinceCode: 'T1',
          year: 2026,
          definitionKey: 'periodic-review@1',
          windowStart: '2026-09-01',
          windowEnd: '2026-12-14',
        },
        SYSTEM_ACTOR,
      )
    ).campaign.id;
    campaignT2 = (
      await campaigns.start(
        {
          provinceCode: 'T2',
          year: 2026,
          definitionKey: 'periodic-review@2',
          windowStart: '2026-09-01',
          windowEnd: '2026-12-14',
        },
        SYSTEM_ACTOR,
      )
    ).campaign.id;
    const t1 = await caseIds(campaignT1, 'T1');
    await recognise(t1.T1C1V1, 'T1C1V1', 40, {
      poorCount: 5,
      nearPoorCount: 8,
      escapedPovertyCount: 2,
      escapedNearPovertyCount: 1,
    });
    await recognise(t1.T1C1V2, 'T1C1V2', 25, {
      poorCount: 3,
      nearPoorCount: 4,
      escapedPovertyCount: 1,
      escapedNearPovertyCount: 0,
    });
    await send(t1.T1C1V3, token('village_board', 'T1C1V3'), 'REVIEW_LIST_SUBMITTED', {
      householdCount: 30,
      fromPreviousLists: 20,
      newlyArising: 6,
      requests: 4,
    });
    await recognise(t1.T1C2V1, 'T1C2V1', 50, {
      poorCount: 9,
      nearPoorCount: 6,
      escapedPovertyCount: 4,
      escapedNearPovertyCount: 3,
    });
    // Recognised with form totals that disagree with its household rows: the rows win.
    await recognise(t1.T1C2V2, 'T1C2V2', 9, {
      poorCount: 99,
      nearPoorCount: 99,
      escapedPovertyCount: 99,
      escapedNearPovertyCount: 99,
    });
    await insertHouseholds(t1.T1C2V2, [
      ['previous_poor', 'poor'],
      ['previous_poor', 'near_poor'],
      ['previous_poor', 'not_poor'],
      ['previous_near_poor', 'poor'],
      ['previous_near_poor', 'average'],
      ['previous_near_poor', 'near_poor'],
      ['newly_arising', 'poor'],
      ['request', 'near_poor'],
      ['request', 'average'],
    ]);
    // Household rows of a village not recognised yet: not in the results.
    await insertHouseholds(t1.T1C2V3, [
      ['previous_poor', 'poor'],
      ['newly_arising', null],
    ]);
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('sums a province by its child units, equal to a recount over the cases', async () => {
    const res = await summary('T1', token('province_committee', 'T1'));
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report.unit).toEqual({ code: 'T1', name: 'Tỉnh Thử Một', level: 'province' });
    expect(report.campaign).toMatchObject({ id: campaignT1, year: 2026, provinceCode: 'T1' });
    expect(report.rows.map((r: { code: string }) => r.code)).toEqual(['T1D1']);
    const expected = await recount(campaignT1, '/T1/');
    expect(countsOf(report.total.values)).toEqual(expected);
    expect(countsOf(report.rows[0].values)).toEqual(expected);
    // 40 + 25 + 50 listed, 9 household rows; 5 + 3 + 9 poor from the forms, 3 from the rows.
    expect(report.total.values).toMatchObject({
      villagesTotal: 6,
      villagesRecognised: 4,
      villagesWithHouseholdList: 1,
      householdsReviewed: 124,
      poor: 20,
      nearPoor: 21,
      escapedPoverty: 9,
      escapedNearPoverty: 5,
      newlyPoor: null,
      previousPoor: null,
      poorAndNearPoor: 41,
    });
    expect(report.total.values.poorRate).toBeCloseTo(20 / 124, 10);
    expect(report.total.values.nearPoorRate).toBeCloseTo(21 / 124, 10);
  });

  it('lists a commune by village; the household path gives the list changes, balanced', async () => {
    const res = await summary('T1C2', token('commune_committee', 'T1C2'));
    expect(res.status).toBe(200);
    const { rows, total } = res.body;
    expect(rows.map((r: { code: string; level: string }) => [r.code, r.level])).toEqual([
      ['T1C2V1', 'village'],
      ['T1C2V2', 'village'],
      ['T1C2V3', 'village'],
    ]);
    expect(countsOf(total.values)).toEqual(await recount(campaignT1, '/T1/T1D1/T1C2/'));
    const [v1, v2, v3] = rows.map((r: { values: Figures }) => r.values);
    expect(countsOf(v2)).toEqual(await recount(campaignT1, '/T1/T1D1/T1C2/T1C2V2/'));
    expect(v2).toMatchObject({
      villagesWithHouseholdList: 1,
      householdsReviewed: 9,
      poor: 3,
      nearPoor: 3,
      previousPoor: 3,
      escapedPoverty: 2,
      poorToNearPoor: 1,
      newlyPoor: 2,
      nearPoorToPoor: 1,
      previousNearPoor: 3,
      escapedNearPoverty: 1,
      newlyNearPoor: 2,
      // Members 1 to 5 by row order (insertHouseholds).
      poorMembers: 7,
      nearPoorMembers: 6,
      averageLiving: 2,
      averageLivingMembers: 9,
      poorLeftBothLists: 1,
      newlyPoorFromOutside: 1,
      nearPoorDecrease: 2,
      newlyNearPoorFromOutside: 1,
    });
    expect(v2.poor).toBe(v2.previousPoor! - v2.escapedPoverty! + v2.newlyPoor!);
    expect(v2.nearPoor).toBe(v2.previousNearPoor! - v2.escapedNearPoverty! - v2.nearPoorToPoor! + v2.newlyNearPoor!);
    expect(v2.escapedPoverty).toBe(v2.poorToNearPoor! + v2.poorLeftBothLists!);
    expect(v2.newlyNearPoor).toBe(v2.poorToNearPoor! + v2.newlyNearPoorFromOutside!);
    expect(v2.nearPoor).toBe(v2.previousNearPoor! - v2.nearPoorDecrease! + v2.newlyNearPoor!);
    // Rows written without their deprivations: no figure per indicator.
    expect(rows[1].indicators).toBeNull();
    expect(v1).toMatchObject({ householdsReviewed: 50, poor: 9, newlyPoor: null });
    expect(v3).toMatchObject({
      villagesTotal: 1,
      villagesRecognised: 0,
      householdsReviewed: 0,
      poor: 0,
      poorRate: null,
    });
    expect(total).toMatchObject({
      code: 'T1C2',
      values: { householdsReviewed: 59, poor: 12, nearPoor: 9, newlyPoor: null },
    });
  });

  it('reads a household list recognised through the households API (periodic-review@2)', async () => {
    const village = 'T2C1V1';
    const caseId = (await caseIds(campaignT2, 'T2'))[village];
    // An autumn-2026 review: its lists apply in 2027, classified by the 2026–2030 standard (Decree 351/2025).
    const three = 'health_insurance; latrine; digital_use';
    const csv = [
      'Mã hộ,Họ và tên chủ hộ,Số CCCD/định danh,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú',
      `H01,Hộ Một,,,4,Nông thôn,Hộ nghèo năm trước,1000000,${three},`,
      'H02,Hộ Hai,,,3,Nông thôn,Hộ nghèo năm trước,1200000,digital_use,',
      'H03,Hộ Ba,,,5,Nông thôn,Hộ nghèo năm trước,3000000,Không,',
      `H04,Hộ Bốn,,,2,Nông thôn,Hộ cận nghèo năm trước,1100000,${three}; nutrition,`,
      'H05,Hộ Năm,,,6,Nông thôn,Hộ cận nghèo năm trước,2300000,Không,',
      `H06,Hộ Sáu,,,3,Nông thôn,Phát sinh mới,900000,${three},`,
      'H07,Hộ Bảy,,,2,Nông thôn,Có giấy đề nghị,1400000,Không,',
      'H08,Hộ Tám,,,4,Nông thôn,Hộ cận nghèo năm trước,1300000,digital_use; latrine,',
    ].join('\r\n');
    const imported = await call(
      'POST',
      `/api/cases/${caseId}/households/import?format=csv`,
      token('village_board', village),
      csv,
      'text/csv; charset=utf-8',
    );
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 8, classified: 8 });
    await send(caseId, token('village_board', village), 'REVIEW_LIST_SUBMITTED', {
      householdCount: 8,
      fromPreviousLists: 6,
      newlyArising: 1,
      requests: 1,
    });
    await send(caseId, token('surveyor', village), 'SURVEY_COMPLETED', {
      householdsSurveyed: 8,
      poorCount: 3,
      nearPoorCount: 3,
    });
    const votes = ['H01', 'H02', 'H03', 'H04', 'H05', 'H06', 'H07', 'H08'].map((code) => ({
      code,
      agree: 8,
      present: 10,
    }));
    expect(
      (
        await call('PUT', `/api/cases/${caseId}/households/votes`, token('village_board', village), {
          meetingDate: '2026-10-01',
          votes,
        })
      ).status,
    ).toBe(200);
    await send(caseId, token('village_board', village), 'MEETING_HELD', {
      date: '2026-10-01',
      chair: 'Trưởng thôn',
      attendees: 10,
      opinionsGiven: 8,
      householdsPut: 8,
      householdsAgreed: 8,
    });
    await send(caseId, token('commune_committee', 'T2C1'), 'POSTING_PERIOD_ENDED');
    await send(caseId, token('commune_committee', 'T2C1'), 'REPORT_SENT_TO_PROVINCE', { reportRef: 'BC-T2C1' });
    await send(caseId, token('commune_chairman', 'T2C1'), 'LISTS_RECOGNISED', {
      decisionNumber: 'QĐ-T2C1V1',
      decisionDate: '2026-11-20',
      poorCount: 0,
      nearPoorCount: 0,
      escapedPovertyCount: 0,
      escapedNearPovertyCount: 0,
    });

    const res = await summary('T2', token('province_committee', 'T2'), campaignT2);
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { code: string }) => r.code)).toEqual(['T2C1']);
    expect(countsOf(res.body.total.values)).toEqual(await recount(campaignT2, '/T2/'));
    expect(res.body.total.values).toMatchObject({
      villagesTotal: 3,
      villagesRecognised: 1,
      villagesWithHouseholdList: 1,
      householdsReviewed: 8,
      poor: 3,
      nearPoor: 3,
      previousPoor: 3,
      escapedPoverty: 2,
      poorToNearPoor: 1,
      newlyPoor: 2,
      nearPoorToPoor: 1,
      previousNearPoor: 3,
      escapedNearPoverty: 1,
      newlyNearPoor: 2,
      poorRate: 3 / 8,
      poorMembers: 4 + 2 + 3,
      nearPoorMembers: 3 + 2 + 4,
      // The 2026–2030 standard has no average-living line yet (null in its rule file): H05 is not poor.
      averageLiving: 0,
      averageLivingMembers: 0,
    });

    // Forms 7.4 and 7.5: the households classified through the API, per indicator of the 2026–2030 standard.
    const ruleFile = parse(readFileSync(join(__dirname, '../config/poverty-rules/2026-2030.yaml'), 'utf8')) as {
      indicators: { code: string; name: string }[];
    };
    expect(res.body.indicators.map((i: { code: string }) => i.code)).toEqual(ruleFile.indicators.map((i) => i.code));
    expect(res.body.total.indicators).toEqual({
      health_insurance: { poor: 3, nearPoor: 0 },
      latrine: { poor: 3, nearPoor: 1 },
      digital_use: { poor: 3, nearPoor: 2 },
      nutrition: { poor: 1, nearPoor: 0 },
    });
    const poorTable = (await summary('T2', token('province_committee', 'T2'), campaignT2, '&table=7-4')).body.table;
    const cell = (table: { columns: { key: string }[]; rows: unknown[][] }, row: number, key: string) =>
      table.rows[row][table.columns.findIndex((c) => c.key === key)];
    const latrine = poorTable.columns.find((c: { key: string }) => c.key === 'poorDeprived:latrine');
    expect(latrine).toMatchObject({
      vi: `${ruleFile.indicators.find((i) => i.code === 'latrine')!.name}: số hộ thiếu hụt`,
      group: { vi: ruleFile.indicators.find((i) => i.code === 'latrine')!.name },
      format: 'integer',
    });
    expect(poorTable.columns.filter((c: { indicator: unknown }) => c.indicator !== null)).toHaveLength(
      2 * ruleFile.indicators.length,
    );
    expect(cell(poorTable, 0, 'poor')).toBe(3);
    expect(cell(poorTable, 0, 'poorDeprived:latrine')).toBe(3);
    expect(cell(poorTable, 0, 'poorDeprivedRate:nutrition')).toBeCloseTo(1 / 3, 10);
    expect(cell(poorTable, 0, 'poorDeprived:employment')).toBe(0);
    expect(cell(poorTable, 1, 'poorDeprived:digital_use')).toBe(3);
    const nearPoorTable = (await summary('T2', token('province_committee', 'T2'), campaignT2, '&table=7-5')).body.table;
    expect(cell(nearPoorTable, 1, 'nearPoorDeprived:digital_use')).toBe(2);
    expect(cell(nearPoorTable, 1, 'nearPoorDeprivedRate:latrine')).toBeCloseTo(1 / 3, 10);
  });

  it('exports form 7.1 as an XLSX that opens as a table: form and title, the "not verified" line, headers, numbers, % format, totals', async () => {
    const res = await summary('T1', token('province_committee', 'T1'), campaignT1, '&format=xlsx&table=7-1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bieu-7-1_T1_2026.xlsx"');
    const table = tables.find((t) => t.id === '7-1')!;
    const workbook = new Workbook();
    await workbook.xlsx.load(res.raw as never);
    const sheet = workbook.worksheets[0];
    const text = (r: number) => String(sheet.getCell(r, 1).value);
    expect(text(1)).toMatch(/^Biểu mẫu số 7\.1: TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO/);
    expect(text(3)).toContain('Tỉnh Thử Một (T1)');
    expect(text(3)).toContain('Năm rà soát / Review year: 2026');
    expect(text(3)).toContain('01/09/2026 09:00'); // the test clock, 02:00 UTC, in Asia/Ho_Chi_Minh
    expect(text(4)).toContain('Thông tư 07/2021/TT-BLĐTBXH, Phụ lục VII, Biểu mẫu số 7.1');
    expect(text(5)).toContain(UNVERIFIED);
    expect(text(5)).toContain('Layout not verified against the original');

    const headerRow = 7;
    const headers = table.columns.map((_, i) => sheet.getCell(headerRow, i + 1).value);
    expect(headers).toEqual(table.columns.map((c) => c.vi));
    expect(table.columns.map((_, i) => sheet.getCell(headerRow + 1, i + 1).value)).toEqual(
      table.columns.map((c) => c.en),
    );
    const col = (key: string) => table.columns.findIndex((c) => c.key === key) + 1;
    expect(sheet.getCell(6, col('poor')).value).toBe('Hộ nghèo / Poor households');

    const district = 9;
    expect(sheet.getCell(district, col('unitName')).value).toBe('Huyện Thử');
    expect(sheet.getCell(district, col('householdsReviewed')).value).toBe(124);
    expect(typeof sheet.getCell(district, col('poor')).value).toBe('number');
    const rate = sheet.getCell(district, col('poorRate'));
    expect(rate.value).toBeCloseTo(20 / 124, 10);
    expect(rate.numFmt).toBe('0.00%');
    expect(sheet.getCell(district, col('poor')).numFmt).toBe('#,##0');
    // Villages recognised from their forms' totals only: members are not known.
    expect(sheet.getCell(district, col('poorMembers')).value).toBeNull();

    const total = district + 1;
    expect(sheet.getCell(total, col('unitName')).value).toBe('Tổng cộng');
    expect(sheet.getCell(total, col('unitCode')).value).toBe('T1');
    expect(sheet.getCell(total, col('villagesTotal')).value).toBe(6);
    expect(sheet.getCell(total, col('villagesRecognised')).value).toBe(4);
    expect(sheet.getCell(total, col('poorAndNearPoor')).value).toBe(41);
    expect(sheet.getCell(total, col('poor')).font?.bold).toBe(true);
    expect(sheet.getColumn(col('unitName')).width).toBe(28);
  });

  it('exports the changes of forms 7.2 and 7.3 as CSV with a BOM, the "not verified" line and the same headers; unknown figures empty', async () => {
    const res = await summary('T1C2', token('commune_committee', 'T1C2'), campaignT1, '&format=csv&table=7-2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('bieu-7-2_T1C2_2026.csv');
    expect([...res.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const table = tables.find((t) => t.id === '7-2')!;
    const { records } = readCsv(res.raw, { delimiter: ',' });
    expect(records[0].cells[0]).toBe('Biểu mẫu số 7.2: TỔNG HỢP DIỄN BIẾN HỘ NGHÈO');
    expect(records[1].cells[0]).toContain(UNVERIFIED);
    const header = 4;
    expect(records[header].cells).toEqual(table.columns.map((c) => c.vi));
    const at = (r: number, key: string) => records[header + r].cells[table.columns.findIndex((c) => c.key === key)];
    expect(at(2, 'unitCode')).toBe('T1C2V2');
    expect(at(2, 'newlyPoor')).toBe('2');
    expect(at(2, 'newlyPoorFromOutside')).toBe('1');
    expect(at(2, 'poorLeftBothLists')).toBe('1');
    expect(at(1, 'newlyPoor')).toBe('');
    expect(at(4, 'unitName')).toBe('Tổng cộng');
    expect(at(4, 'poor')).toBe('12');
    expect(at(4, 'escapedPoverty')).toBe('6');
    expect(records.map((r) => r.cells[0])).toContain('Ghi chú / Notes:');

    const nearPoor = await summary('T1C2', token('commune_committee', 'T1C2'), campaignT1, '&format=csv&table=7-3');
    const table3 = tables.find((t) => t.id === '7-3')!;
    const rows3 = readCsv(nearPoor.raw, { delimiter: ',' }).records;
    const at3 = (r: number, key: string) => rows3[header + r].cells[table3.columns.findIndex((c) => c.key === key)];
    expect(at3(2, 'newlyNearPoor')).toBe('2');
    expect(at3(2, 'nearPoorDecrease')).toBe('2');
    expect(at3(2, 'nearPoor')).toBe('3');
  });

  it('returns a table layout with the figures and the "not verified" line as JSON, and lists every form with what was checked', async () => {
    const res = await summary('T1C1', token('commune_committee', 'T1C1'), campaignT1, '&table=7-1');
    expect(res.status).toBe(200);
    expect(res.body.table).toMatchObject({
      id: '7-1',
      form: '7.1',
      verification: { title: 'recalled', layout: 'unknown', verified: false },
    });
    expect(res.body.table.verification.label.vi).toContain(UNVERIFIED);
    expect(res.body.table.banner[1]).toContain(UNVERIFIED);
    expect(res.body.table.rows).toHaveLength(4);
    expect(res.body.table.rows[3].slice(1, 3)).toEqual(['Tổng cộng', 'T1C1']);
    expect(res.body.total.values).toMatchObject({
      villagesTotal: 3,
      villagesRecognised: 2,
      householdsReviewed: 65,
      poor: 8,
      nearPoor: 12,
    });
    // No household list in this commune: the per-indicator form says why it has no indicator column.
    const byIndicator = await summary('T1C1', token('commune_committee', 'T1C1'), campaignT1, '&table=7-4');
    expect(byIndicator.body.indicators).toEqual([]);
    expect(byIndicator.body.table.notes.at(-1).vi).toContain('chưa có dữ liệu');
    const listed = await call('GET', '/api/reports/tables', token('commune_committee', 'T1C1'));
    expect(listed.body.map((t: { id: string; form: string }) => [t.id, t.form])).toEqual(
      tables.map((t) => [t.id, t.form]),
    );
    expect(listed.body.every((t: { verified: boolean; verificationLabel: { vi: string } }) => !t.verified)).toBe(true);
    expect(listed.body[0].verificationLabel.vi).toContain(UNVERIFIED);
  });

  it('answers with a legacy value out of range (left out and listed), until a province admin corrects it', async () => {
    const t1 = await caseIds(campaignT1, 'T1');
    const before = (await summary('T1', token('province_committee', 'T1'))).body.total.values;
    // Applied before the limits existed: written straight into the snapshot, as such a value lies in old databases.
    const em = engine.get(EntityManager).fork();
    await em.execute(
      `update review_case set snapshot = jsonb_set(snapshot, '{context,data,REVIEW_LIST_SUBMITTED,householdCount}', '9007199254740991'::jsonb) where id = ?`,
      [t1.T1C1V2],
    );
    await em.execute(
      `update review_case set snapshot = jsonb_set(snapshot, '{context,data,LISTS_RECOGNISED,poorCount}', '"nhiều"'::jsonb) where id = ?`,
      [t1.T1C1V1],
    );

    const province = token('province_committee', 'T1');
    const json = await summary('T1', province);
    expect(json.status).toBe(200);
    expect(json.body.total.values).toMatchObject({
      villagesRecognised: 4,
      householdsReviewed: null,
      poor: null,
      nearPoor: before.nearPoor,
    });
    expect(json.body.outOfRange).toEqual([
      {
        caseId: t1.T1C1V1,
        villageCode: 'T1C1V1',
        metric: 'poor',
        event: 'LISTS_RECOGNISED',
        field: 'poorCount',
        value: '"nhiều"',
        range: { min: 0, max: 1_000_000 },
      },
      {
        caseId: t1.T1C1V2,
        villageCode: 'T1C1V2',
        metric: 'householdsReviewed',
        event: 'REVIEW_LIST_SUBMITTED',
        field: 'householdCount',
        value: '9007199254740991',
        range: { min: 0, max: 1_000_000 },
      },
    ]);
    for (const format of ['csv', 'xlsx'])
      expect((await summary('T1', province, campaignT1, `&format=${format}`)).status).toBe(200);
    const xlsx = new Workbook();
    await xlsx.xlsx.load((await summary('T1', province, campaignT1, '&format=xlsx')).raw as never);
    const texts: string[] = [];
    xlsx.worksheets[0].eachRow((row) => texts.push(String(row.getCell(1).value)));
    expect(
      texts.some((t) =>
        t.includes('T1C1V2: REVIEW_LIST_SUBMITTED.householdCount = 9007199254740991 ngoài khoảng [0; 1000000]'),
      ),
    ).toBe(true);

    // The province admin corrects both values through the case's inbox; the figures come back.
    const admin = token('province_admin', 'T1');
    const corrections = [
      [
        t1.T1C1V2,
        { event: 'REVIEW_LIST_SUBMITTED', field: 'householdCount', value: 25, reason: 'Nhập nhầm số hộ / typo' },
      ],
      [
        t1.T1C1V1,
        { event: 'LISTS_RECOGNISED', field: 'poorCount', value: 5, reason: 'Theo quyết định công nhận / as decided' },
      ],
    ] as const;
    for (const [caseId, body] of corrections) {
      const res = await call('POST', `/api/cases/${caseId}/corrections?wait=15000`, admin, body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ type: 'correction', status: 'applied' });
    }
    const after = await summary('T1', province);
    expect(after.body.outOfRange).toEqual([]);
    expect(after.body.total.values).toEqual(before);
  });

  it('keeps each official inside their unit and province (403), and names bad parameters (400)', async () => {
    const commune = token('commune_committee', 'T1C1');
    const other = await summary('T1C2', commune);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await summary('T1', commune)).status).toBe(403);
    expect((await summary('T1C2', commune, campaignT1, '&format=xlsx')).status).toBe(403);
    expect((await summary('T1', token('province_committee', 'T2'))).status).toBe(403);
    expect((await summary('T1C1V1', token('village_board', 'T1C1V1'))).status).toBe(200);

    const national = token('national_admin', 'VN');
    const mismatch = await summary('T2', national);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatchObject({ code: 'REPORT_INVALID', details: { field: 'unit' } });
    const unknownTable = await summary('T1', national, campaignT1, '&format=xlsx&table=7-99');
    expect(unknownTable.status).toBe(400);
    expect(unknownTable.body.error.details.field).toBe('table');
    const badFormat = await summary('T1', national, campaignT1, '&format=pdf');
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['format']);
    expect((await call('GET', '/api/reports/summary?unit=T1', national)).status).toBe(400);
  });
});
