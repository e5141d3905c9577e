import type { Actor } from '@rasoat/contracts';
import { CampaignRepository, type NewCampaignRow } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-01T02:00:00Z');
const admin: Actor = { sub: 'admin@T1', role: 'province_admin', unit: 'T1' };
const campaignRow = (fields: Partial<NewCampaignRow> = {}): NewCampaignRow => ({
  id: '00000000-0000-4000-8000-00000000c001',
  provinceCode: 'T1',
  year: 2026,
  definitionId: 'periodic-review',
  definitionKey: 'periodic-review@1',
  windowStart: '2026-09-01',
  windowEnd: '2026-12-14',
  createdAt: NOW,
  createdBy: admin.sub,
  standard: {
    listsYear: 2027,
    ruleSetPeriod: '2026-2030',
    ruleSetReason: { vi: 'Danh sách áp dụng năm 2027 → chuẩn nghèo 2026–2030', en: 'Lists of 2027 → 2026–2030' },
  },
  ...fields,
});
const initial = {
  definitionKey: 'periodic-review@1',
  step: 'listing',
  stage: 1,
  snapshot: { step: 'listing', status: 'active' },
  now: NOW,
};

/**
 * The campaigns' statements on a real PostgreSQL, each test on a fresh database. What a start
 * decides (scope, conflicts, plans) is the service's (unit tests); the whole start through the
 * engine is in durable-execution.int-spec.ts.
 */
describe('CampaignRepository', () => {
  let db: TestOrm;
  let campaigns: CampaignRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  beforeEach(async () => {
    db = await createTestOrm();
    campaigns = new CampaignRepository(db.em);
    // Province T1 (two communes of two and one villages) and province T2 (one village).
    await sql(`insert into admin_unit (code, name, level, parent_code, path, province_code) values
      ('T1', 'Tỉnh Một', 'province', null, '/T1/', 'T1'),
      ('T1C1', 'Xã Một', 'commune', 'T1', '/T1/T1C1/', 'T1'), ('T1C1V2', 'Thôn Hai', 'village', 'T1C1', '/T1/T1C1/T1C1V2/', 'T1'),
      ('T1C1V1', 'Thôn Một', 'village', 'T1C1', '/T1/T1C1/T1C1V1/', 'T1'),
      ('T1C2', 'Xã Hai', 'commune', 'T1', '/T1/T1C2/', 'T1'), ('T1C2V1', 'Thôn Một', 'village', 'T1C2', '/T1/T1C2/T1C2V1/', 'T1'),
      ('T2', 'Tỉnh Hai', 'province', null, '/T2/', 'T2'),
      ('T2C1', 'Xã Một', 'commune', 'T2', '/T2/T2C1/', 'T2'), ('T2C1V1', 'Thôn Một', 'village', 'T2C1', '/T2/T2C1/T2C1V1/', 'T2')`);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('inserts a campaign once per province, year and process: a second insert leaves the first as it is', async () => {
    await campaigns.transaction((tx) => tx.insertIfAbsent(campaignRow()));
    await campaigns.transaction((tx) =>
      tx.insertIfAbsent(
        campaignRow({
          id: '00000000-0000-4000-8000-00000000c002',
          definitionKey: 'periodic-review@2',
          windowEnd: '2026-12-31',
        }),
      ),
    );

    const found = await campaigns.transaction((tx) => tx.findByProvinceYearDefinition('T1', 2026, 'periodic-review'));
    expect(found).toMatchObject({
      id: '00000000-0000-4000-8000-00000000c001',
      definitionKey: 'periodic-review@1',
      windowStart: '2026-09-01',
      windowEnd: '2026-12-14',
      status: 'running',
      caseCount: 0,
      createdBy: admin.sub,
      listsYear: 2027,
      ruleSetPeriod: '2026-2030',
      ruleSetReason: campaignRow().standard.ruleSetReason,
    });
    expect(await sql(`select count(*)::int as n from campaign`)).toEqual([{ n: 1 }]);
    await expect(
      campaigns.transaction((tx) => tx.findByProvinceYearDefinition('T1', 2025, 'periodic-review')),
    ).rejects.toThrow();
  });

  it('records the standard of a campaign that has none, never over a recorded one, and lists those without', async () => {
    await campaigns.transaction((tx) => tx.insertIfAbsent(campaignRow()));
    const id = campaignRow().id;
    // As a campaign started before the standard was recorded (migration Migration20261207100000PovertyStandard).
    await sql(`update campaign set lists_year = null, rule_set_period = null, rule_set_reason = null where id = ?`, [
      id,
    ]);
    expect((await campaigns.withoutStandard()).map((c) => c.id)).toEqual([id]);
    const standard = { listsYear: 2027, ruleSetPeriod: '2026-2030', ruleSetReason: { vi: 'lý do', en: 'reason' } };
    expect(await campaigns.recordStandard(id, standard)).toBe(true);
    expect(
      await campaigns.transaction((tx) =>
        tx.recordStandard(id, { ...standard, ruleSetPeriod: '2022-2025', listsYear: 2026 }),
      ),
    ).toBe(false);
    expect(await campaigns.findById(id)).toMatchObject(standard);
    expect(await campaigns.withoutStandard()).toEqual([]);
  });

  it('creates a case per village of the province that has none, by village code, and returns only those it created', async () => {
    await campaigns.transaction((tx) => tx.insertIfAbsent(campaignRow()));
    const id = campaignRow().id;

    const created = await campaigns.transaction((tx) => tx.createCases(id, '/T1/', initial));
    expect(created.map((c) => c.commune_code)).toEqual(['T1C1', 'T1C1', 'T1C2']);
    const cases = await sql<{ id: string; village_code: string }>(
      `select id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq from review_case order by village_code`,
    );
    expect(cases.map((c) => c.village_code)).toEqual(['T1C1V1', 'T1C1V2', 'T1C2V1']);
    expect(cases[0]).toMatchObject({
      commune_code: 'T1C1',
      unit_path: '/T1/T1C1/T1C1V1/',
      definition_key: 'periodic-review@1',
      step: 'listing',
      status: 'active',
      max_stage: 1,
      snapshot: initial.snapshot,
      accepted_seq: 0,
      applied_seq: 0,
    });
    expect(new Set(created.map((c) => c.id))).toEqual(new Set(cases.map((c) => c.id)));

    // A village added later: only its case is created.
    await sql(
      `insert into admin_unit (code, name, level, parent_code, path, province_code) values ('T1C2V2', 'Thôn Hai', 'village', 'T1C2', '/T1/T1C2/T1C2V2/', 'T1')`,
    );
    const again = await campaigns.transaction((tx) => tx.createCases(id, '/T1/', initial));
    expect(again.map((c) => c.commune_code)).toEqual(['T1C2']);
    expect(await sql(`select count(*)::int as n from review_case`)).toEqual([{ n: 4 }]);
  });

  it('writes the started history, the armed deadlines, the counters and the case count of the cases created', async () => {
    await campaigns.transaction((tx) => tx.insertIfAbsent(campaignRow()));
    const id = campaignRow().id;
    const plan = {
      dueDate: '2026-12-14',
      dueAt: new Date('2026-12-14T16:59:59.999Z'),
      alarms: [{ at: '2026-11-16T01:00:00.000Z', kind: 'reminder', level: 20 }],
      firstAlarmAt: new Date('2026-11-16T01:00:00Z'),
    } as never;

    await campaigns.transaction(async (tx) => {
      const created = await tx.createCases(id, '/T1/', initial);
      const ids = created.map((c) => c.id);
      await tx.recordStarted(ids, NOW, admin, 'listing', { campaignId: id, definitionKey: 'periodic-review@1' });
      await tx.armDeadlines(ids, 'listing', { due: { kind: 'windowEnd' } }, plan, NOW, 3);
      await tx.countInStep(
        id,
        'listing',
        created.map((c) => c.commune_code),
      );
      await tx.countStagesReached(
        id,
        created.map((c) => c.commune_code),
        2,
      );
      await tx.addToCaseCount(id, created.length);
    });

    const history = await sql(`select kind, actor, to_step, details from case_history`);
    expect(history).toHaveLength(3);
    expect(history[0]).toEqual({
      kind: 'started',
      actor: admin,
      to_step: 'listing',
      details: { campaignId: id, definitionKey: 'periodic-review@1' },
    });
    const deadlines = await sql<{ due_at: Date; armed_at: Date; next_alarm_at: Date }>(
      `select step, due_date::text as due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at, calendar_version from deadline`,
    );
    expect(deadlines).toHaveLength(3);
    expect({
      ...deadlines[0],
      due_at: new Date(deadlines[0].due_at),
      armed_at: new Date(deadlines[0].armed_at),
      next_alarm_at: new Date(deadlines[0].next_alarm_at),
    }).toEqual({
      step: 'listing',
      due_date: '2026-12-14',
      due_at: new Date('2026-12-14T16:59:59.999Z'),
      spec: { due: { kind: 'windowEnd' } },
      status: 'armed',
      armed_at: NOW,
      alarms: [{ at: '2026-11-16T01:00:00.000Z', kind: 'reminder', level: 20 }],
      next_alarm: 0,
      next_alarm_at: new Date('2026-11-16T01:00:00Z'),
      calendar_version: 3,
    });
    expect(await sql(`select commune_code, step, current from progress_counter order by commune_code`)).toEqual([
      { commune_code: 'T1C1', step: 'listing', current: 2 },
      { commune_code: 'T1C2', step: 'listing', current: 1 },
    ]);
    expect(await sql(`select commune_code, stage, reached from stage_counter order by commune_code, stage`)).toEqual([
      { commune_code: 'T1C1', stage: 1, reached: 2 },
      { commune_code: 'T1C1', stage: 2, reached: 2 },
      { commune_code: 'T1C2', stage: 1, reached: 1 },
      { commune_code: 'T1C2', stage: 2, reached: 1 },
    ]);
    expect(await sql(`select case_count from campaign`)).toEqual([{ case_count: 3 }]);

    // The counters add up across starts.
    await campaigns.transaction(async (tx) => {
      await tx.countInStep(id, 'listing', ['T1C2']);
      await tx.countStagesReached(id, ['T1C2'], 1);
      await tx.addToCaseCount(id, 1);
    });
    expect(await sql(`select current from progress_counter where commune_code = 'T1C2'`)).toEqual([{ current: 2 }]);
    expect(await sql(`select stage, reached from stage_counter where commune_code = 'T1C2' order by stage`)).toEqual([
      { stage: 1, reached: 2 },
      { stage: 2, reached: 1 },
    ]);
    expect(await sql(`select case_count from campaign`)).toEqual([{ case_count: 4 }]);
  });

  it('rolls back everything a start wrote when the transaction fails', async () => {
    await expect(
      campaigns.transaction(async (tx) => {
        await tx.insertIfAbsent(campaignRow());
        await tx.createCases(campaignRow().id, '/T1/', initial);
        throw new Error('conflict');
      }),
    ).rejects.toThrow('conflict');
    expect(
      await sql(
        `select (select count(*)::int from campaign) as campaigns, (select count(*)::int from review_case) as cases`,
      ),
    ).toEqual([{ campaigns: 0, cases: 0 }]);
  });

  it('finds, lists (the latest year first) and moves the window of campaigns', async () => {
    await campaigns.transaction(async (tx) => {
      await tx.insertIfAbsent(campaignRow());
      await tx.insertIfAbsent(campaignRow({ id: '00000000-0000-4000-8000-00000000c002', year: 2025 }));
      await tx.insertIfAbsent(campaignRow({ id: '00000000-0000-4000-8000-00000000c003', provinceCode: 'T2' }));
    });

    expect(await campaigns.findById('00000000-0000-4000-8000-00000000c002')).toMatchObject({
      provinceCode: 'T1',
      year: 2025,
    });
    expect(await campaigns.findById('00000000-0000-4000-8000-00000000c0ff')).toBeNull();
    expect((await campaigns.listAll()).map((c) => [c.provinceCode, c.year])).toEqual([
      ['T1', 2026],
      ['T2', 2026],
      ['T1', 2025],
    ]);
    expect((await campaigns.listInProvince('T1')).map((c) => c.year)).toEqual([2026, 2025]);

    await campaigns.setWindow('00000000-0000-4000-8000-00000000c001', '2026-09-15', '2026-12-31');
    expect(await campaigns.findById('00000000-0000-4000-8000-00000000c001')).toMatchObject({
      windowStart: '2026-09-15',
      windowEnd: '2026-12-31',
    });
    expect(await campaigns.findById('00000000-0000-4000-8000-00000000c002')).toMatchObject({
      windowStart: '2026-09-01',
      windowEnd: '2026-12-14',
    });
  });
});
