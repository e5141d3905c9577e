import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseMigrationRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-15T02:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const CAMPAIGN = id(99);
const instant = (value: unknown) => (value === null ? null : new Date(value as string));

/**
 * A migration's statements on a real PostgreSQL, each test on a fresh database. What a migration
 * maps and refuses is the service's; the whole move through the API: definitions-admin.e2e-spec.ts.
 */
describe('CaseMigrationRepository', () => {
  let db: TestOrm;
  let migrations: CaseMigrationRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const tx = <T>(work: (em: EntityManager) => Promise<T>) => db.em.fork().transactional(work);
  const addCase = (n: number, village: string, campaignId = CAMPAIGN) =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (?, ?, ?, 'T1C1', ?, 'periodic-review@1', 'meeting', 'active', 3, '{"step":"meeting"}', 4, 3, ?, ?)`,
      [id(n), campaignId, village, `/T1/T1C1/${village}/`, NOW, NOW],
    );
  const addDeadline = (n: number, step: string, status: string) =>
    sql(
      `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at) values (?, ?, ?, '2026-09-30', '2026-09-30T16:59:59.999Z', '{}', ?, ?, '[{"at":"2026-09-29T01:00:00Z"}]', 1, '2026-09-29T01:00:00Z')`,
      [id(n), id(1), step, status, NOW],
    );

  beforeEach(async () => {
    db = await createTestOrm();
    migrations = new CaseMigrationRepository();
    await sql(
      `insert into admin_unit (code, name, level, parent_code, path, province_code) values ('T1', 'Tỉnh Một', 'province', null, '/T1/', 'T1')`,
    );
    await sql(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by)
       values (?, 'T1', 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-11-30', 'active', 2, ?, 'test')`,
      [CAMPAIGN, NOW],
    );
    await addCase(2, 'T1C1V2');
    await addCase(1, 'T1C1V1');
    await addCase(3, 'T1C1V3', id(98)); // another campaign's
  });
  afterEach(async () => {
    await db?.close();
  });

  it('reads the campaign with its province’s path, and its cases by village code', async () => {
    expect(await migrations.findCampaign(db.em.fork(), CAMPAIGN)).toEqual({
      id: CAMPAIGN,
      province_code: 'T1',
      definition_id: 'periodic-review',
      definition_key: 'periodic-review@1',
      window_start: '2026-09-01',
      window_end: '2026-11-30',
      path: '/T1/',
    });
    expect(await migrations.findCampaign(db.em.fork(), id(98))).toBeUndefined();
    const cases = await migrations.casesOf(db.em.fork(), CAMPAIGN);
    expect(cases.map((c) => c.id)).toEqual([id(1), id(2)]);
    expect(cases[0]).toEqual({
      id: id(1),
      village_code: 'T1C1V1',
      commune_code: 'T1C1',
      unit_path: '/T1/T1C1/T1C1V1/',
      definition_key: 'periodic-review@1',
      step: 'meeting',
      status: 'active',
      max_stage: 3,
      snapshot: { step: 'meeting' },
      accepted_seq: 4,
      applied_seq: 3,
    });
  });

  it('locks a case (its case lock, then its row) and its open deadlines until the transaction ends', async () => {
    await addDeadline(11, 'meeting', 'armed');
    await addDeadline(12, 'listing', 'overdue');
    await addDeadline(13, 'listing', 'cancelled');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const first = tx(async (em) => {
      const row = await migrations.lockCase(em, id(1));
      const open = await migrations.openDeadlines(em, id(1));
      locked();
      await held;
      return { row, open };
    });
    await lockTaken;
    const numbering = tx((em) => em.execute(`select 1 from review_case where id = ? for update nowait`, [id(1)]));
    await expect(numbering).rejects.toMatchObject({ code: '55P03' });

    release();
    const { row, open } = await first;
    expect(row).toMatchObject({ id: id(1), step: 'meeting', accepted_seq: 4, applied_seq: 3 });
    expect(open.map((d) => ({ ...d, due_at: instant(d.due_at) })).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      {
        id: id(11),
        step: 'meeting',
        status: 'armed',
        due_at: new Date('2026-09-30T16:59:59.999Z'),
        due_date: '2026-09-30',
      },
      {
        id: id(12),
        step: 'listing',
        status: 'overdue',
        due_at: new Date('2026-09-30T16:59:59.999Z'),
        due_date: '2026-09-30',
      },
    ]);
  });

  it('rewrites a moved deadline and case, re-pins the campaign and records the audit entry', async () => {
    await addDeadline(11, 'meeting', 'armed');
    const spec = { due: { kind: 'windowEnd' } } as never;
    const alarms = [{ at: '2026-11-20T01:00:00.000Z', kind: 'reminder', level: 3 }] as never;
    await tx(async (em) => {
      await migrations.moveDeadline(em, id(11), {
        step: 'village_meeting',
        spec,
        alarms,
        nextAlarmAt: new Date('2026-11-20T01:00:00Z'),
      });
      await migrations.saveMigratedCase(em, id(1), {
        definitionKey: 'periodic-review@2',
        snapshot: { step: 'village_meeting', note: 'Nguyễn Thị Hoa' },
        step: 'village_meeting',
        maxStage: 4,
        now: NOW,
      });
      await migrations.pinCampaign(em, CAMPAIGN, 'periodic-review@2');
      await migrations.insertAudit(em, {
        at: NOW,
        action: 'migrate',
        definitionId: 'periodic-review',
        version: 2,
        provinceCode: 'T1',
        actor: { sub: 'admin@T1' },
        diff: '',
        details: { campaignId: CAMPAIGN },
      });
    });

    const [deadline] = await sql<Record<string, unknown>>(
      `select step, spec, alarms, next_alarm, next_alarm_at, status from deadline where id = ?`,
      [id(11)],
    );
    expect({ ...deadline, next_alarm_at: instant(deadline.next_alarm_at) }).toEqual({
      step: 'village_meeting',
      spec,
      alarms,
      next_alarm: 0,
      next_alarm_at: new Date('2026-11-20T01:00:00Z'),
      status: 'armed',
    });
    const [moved] = await sql<Record<string, unknown>>(
      `select definition_key, snapshot, step, max_stage, updated_at, accepted_seq from review_case where id = ?`,
      [id(1)],
    );
    expect({ ...moved, updated_at: instant(moved.updated_at) }).toEqual({
      definition_key: 'periodic-review@2',
      snapshot: { step: 'village_meeting', note: 'Nguyễn Thị Hoa' },
      step: 'village_meeting',
      max_stage: 4,
      updated_at: NOW,
      accepted_seq: 4,
    });
    expect(await sql(`select definition_key from review_case where id = ?`, [id(2)])).toEqual([
      { definition_key: 'periodic-review@1' },
    ]);
    expect(await sql(`select definition_key from campaign where id = ?`, [CAMPAIGN])).toEqual([
      { definition_key: 'periodic-review@2' },
    ]);
    expect(
      await sql(`select action, definition_id, version, province_code, actor, details from definition_audit`),
    ).toEqual([
      {
        action: 'migrate',
        definition_id: 'periodic-review',
        version: 2,
        province_code: 'T1',
        actor: { sub: 'admin@T1' },
        details: { campaignId: CAMPAIGN },
      },
    ]);
  });
});
