import type { Actor } from '@rasoat/contracts';
import { HouseholdsRepository, type NewHousehold } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const CASE = '00000000-0000-4000-8000-0000000000c1';
const OTHER_CASE = '00000000-0000-4000-8000-0000000000c2';
const CAMPAIGN = '00000000-0000-4000-8000-00000000ca01';
const NOW = new Date('2026-10-05T03:00:00Z');
const LATER = new Date('2026-10-06T03:00:00Z');
const SURVEYOR: Actor = { sub: 'surveyor@T1C1V1', role: 'surveyor', unit: 'T1C1V1' };
const BOARD: Actor = { sub: 'village_board@T1C1V1', role: 'village_board', unit: 'T1C1V1' };
const THREE = ['health_insurance', 'latrine', 'telecom'];

const listed = (code: string, fields: Partial<NewHousehold['record']> = {}): NewHousehold => ({
  record: {
    householdCode: code,
    headName: `Chủ hộ ${code}`,
    memberCount: 3,
    area: 'rural',
    source: 'newly_arising',
    ...fields,
  },
  classification: null,
});
const poor = (deprivations = THREE): NonNullable<NewHousehold['classification']> => ({
  classification: 'poor',
  explanation: {
    reasons: ['Thu nhập ≤ chuẩn nghèo'],
    explanation: { incomeLine: 1_500_000, income: 1_100_000 } as never,
  },
  ruleSet: '2022-2025',
  provincial: null,
  deprivations,
  lowIncomeWorkers: null,
});
/** Nationally average, poor by the province's own lines (Bắc Ninh, lists of 2025), with 2 low-income workers. */
const sideBySide = (): NonNullable<NewHousehold['classification']> => ({
  classification: 'average',
  explanation: { reasons: ['Thu nhập > chuẩn nghèo'], explanation: { incomeLine: 1_500_000 } as never },
  ruleSet: '2022-2025',
  provincial: {
    classification: 'poor',
    explanation: { reasons: ['Thu nhập ≤ chuẩn nghèo của tỉnh'], explanation: { incomeLine: 1_750_000 } as never },
    ruleSet: '2022-2025+24',
  },
  deprivations: THREE,
  lowIncomeWorkers: 2,
});

/**
 * The households context's statements on a real PostgreSQL, each test on a fresh database. The
 * decisions around them (scope, step, idempotent repeats, classification) are the services'
 * (unit tests) and the API's (households.e2e-spec.ts).
 */
describe('HouseholdsRepository', () => {
  let db: TestOrm;
  let households: HouseholdsRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const codes = (rows: { code: string }[]) => rows.map((r) => r.code);
  const complain = (code: string, fields: { caseId?: string; status?: string; at?: Date; summary?: string } = {}) =>
    sql(
      `insert into household_complaint (id, case_id, household_code, summary, filed_by, filed_at, status) values (gen_random_uuid(), ?, ?, ?, ?::jsonb, ?, ?) returning id`,
      [
        fields.caseId ?? CASE,
        code,
        fields.summary ?? 'Sai thu nhập',
        JSON.stringify(BOARD),
        fields.at ?? NOW,
        fields.status ?? 'open',
      ],
    ).then(([row]) => row.id as string);

  beforeEach(async () => {
    db = await createTestOrm();
    households = new HouseholdsRepository(db.em);
    await sql(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by,
         lists_year, rule_set_period, rule_set_reason)
       values (?, 'T1', 2026, 'periodic-review', 'periodic-review@2', '2026-09-01', '2026-12-14', 'active', 2, ?, 'test',
         2027, '2026-2030', '{"vi":"lý do","en":"reason"}'::jsonb)`,
      [CAMPAIGN, NOW],
    );
    await sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (?, ?, 'T1C1V1', 'T1C1', '/T1/T1C1/T1C1V1/', 'periodic-review@2', 'survey', 'active', 2, '{"step":"survey"}'::jsonb, 0, 0, ?, ?),
              (?, ?, 'T1C1V2', 'T1C1', '/T1/T1C1/T1C1V2/', 'periodic-review@2', 'survey', 'active', 2, '{"step":"survey"}'::jsonb, 0, 0, ?, ?)`,
      [CASE, CAMPAIGN, NOW, NOW, OTHER_CASE, CAMPAIGN, NOW, NOW],
    );
  });
  afterEach(async () => {
    await db?.close();
  });

  describe('the case', () => {
    it('reads the case with its campaign’s province, recorded standard and commune’s type; nothing for an unknown case', async () => {
      // No unit row for the commune: no type (the default area then comes from nowhere).
      expect(await households.findCase(households.fork(), CASE, false)).toEqual({
        id: CASE,
        unit_path: '/T1/T1C1/T1C1V1/',
        village_code: 'T1C1V1',
        commune_code: 'T1C1',
        definition_key: 'periodic-review@2',
        snapshot: { step: 'survey' },
        households_locked_at: null,
        province_code: 'T1',
        lists_year: 2027,
        rule_set_period: '2026-2030',
        commune_type: null,
      });
      await sql(
        `insert into admin_unit (code, name, level, parent_code, path, province_code, unit_type) values ('T1C1', 'Phường Một', 'commune', 'T1', '/T1/T1C1/', 'T1', 'Phường')`,
      );
      expect(await households.findCase(households.fork(), CASE, false)).toMatchObject({ commune_type: 'Phường' });
      expect(
        await households.findCase(households.fork(), '00000000-0000-4000-8000-000000000000', false),
      ).toBeUndefined();
    });

    it('with the lock, holds the case lock and the case row until the transaction ends', async () => {
      const held = await households.transaction(async (tx) => {
        await households.findCase(tx, CASE, true);
        const [{ advisory }] = await sql<{ advisory: number }>(
          `select count(*)::int as advisory from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`,
        );
        const row = await sql(`select id from review_case where id = ? for update nowait`, [CASE]).then(
          () => 'free',
          (error: { code?: string }) => error.code,
        );
        return { advisory, row };
      });
      expect(held).toEqual({ advisory: 1, row: '55P03' }); // lock_not_available
      expect(await sql(`select id from review_case where id = ? for update nowait`, [CASE])).toHaveLength(1);
    });
  });

  describe('the list', () => {
    it('replaces the case’s list (1,201 rows: more than one insert) and reads it back in code order with complaint counts', async () => {
      await households.transaction((tx) => households.insertHouseholds(tx, CASE, [listed('OLD')], BOARD, NOW));
      await households.transaction((tx) => households.insertHouseholds(tx, OTHER_CASE, [listed('H1')], BOARD, NOW));
      const many = Array.from({ length: 1201 }, (_, i) => listed(`H${i + 1}`));
      await households.transaction((tx) => households.replaceHouseholds(tx, CASE, many, BOARD, LATER));
      await complain('h2');
      await complain('H2', { status: 'resolved' });
      await complain('H3', { caseId: OTHER_CASE });

      const rows = await households.households(households.fork(), CASE);
      expect(rows).toHaveLength(1201);
      expect(codes(rows.slice(0, 3))).toEqual(['H1', 'H2', 'H3']);
      expect(codes(rows.slice(9, 11))).toEqual(['H10', 'H11']);
      expect(rows.find((r) => r.code === 'H2')).toMatchObject({ complaints_total: 2, complaints_open: 1 });
      expect(rows.find((r) => r.code === 'H3')).toMatchObject({ complaints_total: 0, complaints_open: 0 });
      expect(codes(await households.households(households.fork(), OTHER_CASE))).toEqual(['H1']);
    });

    it('stores a classified household with the deprivations as classified, surveyed by the actor; a listed one without', async () => {
      await households.transaction((tx) =>
        households.insertHouseholds(
          tx,
          CASE,
          [
            {
              record: {
                householdCode: 'H1',
                headName: 'Nguyễn Văn An',
                idNumber: '001090012345',
                address: 'Thôn Đông',
                memberCount: 4,
                area: 'rural',
                source: 'previous_poor',
                incomePerCapitaMonthly: 1_100_000,
                deprivations: [...THREE, 'latrine'],
              },
              classification: poor(),
            },
            listed('H2', { note: 'Mới tách hộ', incomePerCapitaMonthly: 900_000 }),
          ],
          SURVEYOR,
          NOW,
        ),
      );
      const [h1, h2] = await households.households(households.fork(), CASE);
      expect({
        ...h1,
        id: undefined,
        surveyed_at: new Date(h1.surveyed_at!),
        created_at: undefined,
        updated_at: new Date(h1.updated_at),
      }).toEqual({
        id: undefined,
        case_id: CASE,
        code: 'H1',
        head_name: 'Nguyễn Văn An',
        id_number: '001090012345',
        address: 'Thôn Đông',
        member_count: 4,
        area: 'rural',
        source: 'previous_poor',
        note: null,
        income_per_capita_monthly: '1100000',
        deprivations: THREE,
        surveyed_at: NOW,
        surveyed_by: SURVEYOR.sub,
        classification: 'poor',
        explanation: poor().explanation,
        rule_set: '2022-2025',
        provincial_classification: null,
        provincial_explanation: null,
        provincial_rule_set: null,
        low_income_workers: null,
        agree_votes: null,
        present_votes: null,
        voted_at: null,
        certificate_number: null,
        created_at: undefined,
        updated_at: NOW,
        complaints_total: 0,
        complaints_open: 0,
      });
      expect(h2).toMatchObject({
        note: 'Mới tách hộ',
        income_per_capita_monthly: '900000',
        deprivations: null,
        surveyed_at: null,
        surveyed_by: null,
        classification: null,
        explanation: null,
        rule_set: null,
      });
    });

    it('finds one household by its code whatever the case and surrounding spaces, with its complaint counts', async () => {
      await households.transaction((tx) => households.insertHouseholds(tx, CASE, [listed('Hộ-7')], BOARD, NOW));
      await complain('hộ-7');
      expect(await households.findHousehold(households.fork(), CASE, '  HỘ-7 ')).toMatchObject({
        code: 'Hộ-7',
        complaints_total: 1,
        complaints_open: 1,
      });
      expect(await households.findHousehold(households.fork(), OTHER_CASE, 'Hộ-7')).toBeUndefined();
    });
  });

  describe('changes to one household', () => {
    let id: string;
    const one = async () => (await households.findHousehold(households.fork(), CASE, 'H1'))!;
    beforeEach(async () => {
      await households.transaction((tx) =>
        households.insertHouseholds(
          tx,
          CASE,
          [
            listed('H1', { idNumber: '001090012345', incomePerCapitaMonthly: 1_800_000, deprivations: THREE }),
            listed('H2'),
          ],
          BOARD,
          NOW,
        ),
      );
      id = (await one()).id;
    });

    it('edits the identity fields, and the classification only when re-classified', async () => {
      const identity = {
        headName: 'Nguyễn Văn Bình',
        idNumber: null,
        address: 'Xóm 2',
        memberCount: 5,
        area: 'urban' as const,
        source: 'request' as const,
        note: 'Đổi chủ hộ',
      };
      await households.transaction((tx) => households.updateIdentity(tx, id, identity, null, LATER));
      expect(await one()).toMatchObject({
        head_name: 'Nguyễn Văn Bình',
        id_number: null,
        address: 'Xóm 2',
        member_count: 5,
        area: 'urban',
        source: 'request',
        note: 'Đổi chủ hộ',
        classification: null,
      });
      expect(new Date((await one()).updated_at)).toEqual(LATER);

      await households.transaction((tx) => households.updateIdentity(tx, id, identity, poor(), LATER));
      expect(await one()).toMatchObject({
        classification: 'poor',
        explanation: poor().explanation,
        rule_set: '2022-2025',
        surveyed_at: null,
      });
    });

    it('writes survey answers with their classification', async () => {
      await households.transaction((tx) =>
        households.writeSurvey(
          tx,
          id,
          { area: 'urban', incomePerCapitaMonthly: 1_100_000, deprivations: [...THREE, 'telecom'] },
          poor(),
          SURVEYOR,
          LATER,
        ),
      );
      const row = await one();
      expect(row).toMatchObject({
        area: 'urban',
        income_per_capita_monthly: '1100000',
        deprivations: THREE,
        surveyed_by: SURVEYOR.sub,
        classification: 'poor',
        rule_set: '2022-2025',
      });
      expect(new Date(row.surveyed_at!)).toEqual(LATER);
    });

    it('writes the national and the provincial classification side by side, and the low-income workers; a later national-only result clears the provincial one', async () => {
      await households.transaction((tx) =>
        households.writeSurvey(
          tx,
          id,
          { area: 'rural', incomePerCapitaMonthly: 1_600_000, deprivations: THREE, lowIncomeWorkers: 2 },
          sideBySide(),
          SURVEYOR,
          LATER,
        ),
      );
      expect(await one()).toMatchObject({
        classification: 'average',
        rule_set: '2022-2025',
        provincial_classification: 'poor',
        provincial_explanation: sideBySide().provincial!.explanation,
        provincial_rule_set: '2022-2025+24',
        low_income_workers: 2,
      });
      await households.transaction((tx) =>
        households.updateIdentity(
          tx,
          id,
          {
            headName: 'H',
            idNumber: null,
            address: null,
            memberCount: 3,
            area: 'urban',
            source: 'request',
            note: null,
          },
          poor(),
          LATER,
        ),
      );
      expect(await one()).toMatchObject({
        classification: 'poor',
        provincial_classification: null,
        provincial_explanation: null,
        provincial_rule_set: null,
        low_income_workers: null,
      });
      await households.transaction((tx) =>
        households.insertHouseholds(tx, CASE, [{ ...listed('H9'), classification: sideBySide() }], BOARD, LATER),
      );
      expect(await households.findHousehold(households.fork(), CASE, 'H9')).toMatchObject({
        classification: 'average',
        provincial_classification: 'poor',
        provincial_rule_set: '2022-2025+24',
        low_income_workers: 2,
      });
    });

    it('writes the meeting’s votes over earlier ones', async () => {
      const meeting = new Date('2026-10-10T00:00:00+07:00');
      await households.transaction((tx) =>
        households.writeVotesMany(tx, [{ householdId: id, agree: 10, present: 40 }], meeting, NOW),
      );
      await households.transaction((tx) =>
        households.writeVotesMany(tx, [{ householdId: id, agree: 30, present: 40 }], meeting, LATER),
      );
      const row = await one();
      expect([row.agree_votes, row.present_votes, new Date(row.voted_at!)]).toEqual([30, 40, meeting]);
    });

    it('finds the other household holding a certificate number, never the household itself', async () => {
      await households.transaction((tx) => households.writeCertificate(tx, id, 'GCN-01', LATER));
      expect((await one()).certificate_number).toBe('GCN-01');
      const h2 = (await households.findHousehold(households.fork(), CASE, 'H2'))!.id;
      expect(await households.certificateHolder(households.fork(), CASE, 'GCN-01', h2)).toBe('H1');
      expect(await households.certificateHolder(households.fork(), CASE, 'GCN-01', id)).toBeUndefined();
      expect(await households.certificateHolder(households.fork(), OTHER_CASE, 'GCN-01', h2)).toBeUndefined();
    });

    it('the facts the guards read count the list (the cases context’s statement)', async () => {
      await households.transaction((tx) =>
        households.writeSurvey(
          tx,
          id,
          { area: 'rural', incomePerCapitaMonthly: 1_100_000, deprivations: THREE },
          poor(),
          SURVEYOR,
          LATER,
        ),
      );
      await households.transaction((tx) =>
        households.writeVotesMany(tx, [{ householdId: id, agree: 10, present: 40 }], LATER, LATER),
      );
      await complain('H2');
      expect(await households.facts(households.fork(), CASE)).toEqual({
        total: 2,
        surveyed: 1,
        unsurveyed: 1,
        poor: 1,
        nearPoor: 0,
        voted: 1,
        minAgreement: 0.25,
        belowHalfAgreement: 1,
        complaints: 1,
        openComplaints: 1,
      });
    });
  });

  describe('complaints', () => {
    it('opens a complaint and finds it again only while open, by household (any case of letters) and summary', async () => {
      const complaintId = await households.transaction((tx) =>
        households.insertComplaint(tx, CASE, 'H1', 'Sai thu nhập', BOARD, NOW),
      );
      const found = await households.findComplaint(households.fork(), CASE, complaintId);
      expect({ ...found, filed_at: new Date(found!.filed_at) }).toEqual({
        id: complaintId,
        case_id: CASE,
        household_code: 'H1',
        summary: 'Sai thu nhập',
        filed_by: BOARD,
        filed_at: NOW,
        status: 'open',
        resolution: null,
        resolved_by: null,
        resolved_at: null,
      });
      expect(await households.findComplaint(households.fork(), OTHER_CASE, complaintId)).toBeUndefined();
      expect((await households.findOpenComplaint(households.fork(), CASE, 'h1', 'Sai thu nhập'))?.id).toBe(complaintId);
      expect(await households.findOpenComplaint(households.fork(), CASE, 'H1', 'Khác')).toBeUndefined();

      const commune: Actor = { sub: 'xa@T1C1', role: 'commune_committee', unit: 'T1C1' };
      await households.transaction((tx) =>
        households.resolveComplaint(tx, complaintId, { outcome: 'dismissed', note: 'Đúng kết quả' }, commune, LATER),
      );
      const resolved = (await households.findComplaint(households.fork(), CASE, complaintId))!;
      expect([resolved.status, resolved.resolution, resolved.resolved_by, new Date(resolved.resolved_at!)]).toEqual([
        'resolved',
        { outcome: 'dismissed', note: 'Đúng kết quả' },
        commune,
        LATER,
      ]);
      expect(await households.findOpenComplaint(households.fork(), CASE, 'H1', 'Sai thu nhập')).toBeUndefined();
    });

    it('lists the case’s complaints oldest first', async () => {
      const second = await complain('H2', { at: LATER });
      const first = await complain('H1', { at: NOW });
      await complain('H1', { caseId: OTHER_CASE });
      expect((await households.complaints(households.fork(), CASE)).map((c) => c.id)).toEqual([first, second]);
    });
  });

  it('writes a household history entry at the case’s step', async () => {
    await households.transaction((tx) =>
      households.insertHistory(tx, {
        caseId: CASE,
        at: NOW,
        eventType: 'household.survey',
        actor: SURVEYOR,
        step: 'survey',
        details: { operation: 'survey', code: 'H1' },
      }),
    );
    const rows = await sql(
      `select case_id, at = ? as at, kind, seq, event_type, actor, from_step, to_step, details from case_history`,
      [NOW],
    );
    expect(rows).toEqual([
      {
        case_id: CASE,
        at: true,
        kind: 'household',
        seq: null,
        event_type: 'household.survey',
        actor: SURVEYOR,
        from_step: 'survey',
        to_step: 'survey',
        details: { operation: 'survey', code: 'H1' },
      },
    ]);
  });
});
