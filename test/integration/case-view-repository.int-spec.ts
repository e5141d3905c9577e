import { CaseViewRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-15T02:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const CAMPAIGN = id(99);
const instant = (value: unknown) => (value === null ? null : new Date(value as string));

/**
 * The case view's statements on a real PostgreSQL, each test on a fresh database. Scoping,
 * masking and composing the view are the service's (case-query.service.spec.ts); history pages
 * and refusals are CaseHistoryRepository's (case-history.e2e-spec.ts).
 */
describe('CaseViewRepository', () => {
  let db: TestOrm;
  let views: CaseViewRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const addCase = (n: number, village: string, commune: string, step = 'listing') =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (?, ?, ?, ?, ?, 'periodic-review@1', ?, 'active', 1, '{"step":"listing"}', 0, 0, ?, ?)`,
      [id(n), CAMPAIGN, village, commune, `/T1/${commune}/${village}/`, step, NOW, NOW],
    );

  beforeEach(async () => {
    db = await createTestOrm();
    views = new CaseViewRepository();
    await sql(
      `insert into admin_unit (code, name, level, parent_code, path, province_code) values
       ('T1', 'Tỉnh Một', 'province', null, '/T1/', 'T1'), ('T1C1', 'Xã Một', 'commune', 'T1', '/T1/T1C1/', 'T1'), ('T1C2', 'Xã Hai', 'commune', 'T1', '/T1/T1C2/', 'T1'),
       ('T1C1V1', 'Thôn Một', 'village', 'T1C1', '/T1/T1C1/T1C1V1/', 'T1'), ('T1C1V2', 'Thôn Hai', 'village', 'T1C1', '/T1/T1C1/T1C1V2/', 'T1'),
       ('T1C2V1', 'Thôn Ba', 'village', 'T1C2', '/T1/T1C2/T1C2V1/', 'T1')`,
    );
    await sql(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by)
       values (?, 'T1', 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-11-30', 'active', 3, ?, 'test')`,
      [CAMPAIGN, NOW],
    );
    await addCase(2, 'T1C1V2', 'T1C1', 'meeting');
    await addCase(1, 'T1C1V1', 'T1C1');
    await addCase(3, 'T1C2V1', 'T1C2');
  });
  afterEach(async () => {
    await db?.close();
  });

  it('reads a case with its village’s name and its campaign (year, window as dates, province); an unknown case is undefined', async () => {
    const row = await views.findCase(db.em.fork(), id(1));
    expect(row).toMatchObject({
      id: id(1),
      campaign_id: CAMPAIGN,
      village_code: 'T1C1V1',
      commune_code: 'T1C1',
      unit_path: '/T1/T1C1/T1C1V1/',
      definition_key: 'periodic-review@1',
      snapshot: { step: 'listing' },
      village_name: 'Thôn Một',
      province_code: 'T1',
      year: 2026,
      window_start: '2026-09-01',
      window_end: '2026-11-30',
    });
    expect(await views.findCase(db.em.fork(), id(9))).toBeUndefined();
    expect(await views.findScope(db.em.fork(), id(1))).toEqual({
      unit_path: '/T1/T1C1/T1C1V1/',
      definition_key: 'periodic-review@1',
      village_code: 'T1C1V1',
      commune_code: 'T1C1',
    });
    expect(await views.findScope(db.em.fork(), id(9))).toBeUndefined();
  });

  it('lists the case’s deadlines in the order they were armed, and its pending events in sequence order', async () => {
    for (const [n, step, armedAt, status] of [
      [11, 'meeting', '2026-09-12T01:00:00Z', 'armed'],
      [12, 'listing', '2026-09-02T01:00:00Z', 'cancelled'],
    ] as const) {
      await sql(
        `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, closed_at) values (?, ?, ?, '2026-09-30', '2026-09-30T16:59:59.999Z', '{}', ?, ?, ?)`,
        [id(n), id(1), step, status, armedAt, status === 'cancelled' ? NOW : null],
      );
    }
    for (const [seq, status] of [
      [2, 'pending'],
      [1, 'applied'],
      [3, 'pending'],
    ] as const) {
      await sql(
        `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at) values (?, ?, ?, ?, 'MEETING_HELD', '{}', '{}', ?, ?)`,
        [id(20 + seq), id(1), seq, `key-${seq}`, status, NOW],
      );
    }

    const deadlines = await views.deadlines(db.em.fork(), id(1));
    expect(
      deadlines.map((d) => ({
        ...d,
        dueAt: instant(d.dueAt),
        armedAt: instant(d.armedAt),
        closedAt: instant(d.closedAt),
      })),
    ).toEqual([
      {
        id: id(12),
        step: 'listing',
        dueDate: '2026-09-30',
        dueAt: new Date('2026-09-30T16:59:59.999Z'),
        status: 'cancelled',
        armedAt: new Date('2026-09-02T01:00:00Z'),
        closedAt: NOW,
      },
      {
        id: id(11),
        step: 'meeting',
        dueDate: '2026-09-30',
        dueAt: new Date('2026-09-30T16:59:59.999Z'),
        status: 'armed',
        armedAt: new Date('2026-09-12T01:00:00Z'),
        closedAt: null,
      },
    ]);
    const pending = await views.pendingEvents(db.em.fork(), id(1));
    expect(pending.map((e) => ({ ...e, receivedAt: instant(e.receivedAt) }))).toEqual([
      { id: id(22), seq: 2, type: 'MEETING_HELD', receivedAt: NOW },
      { id: id(23), seq: 3, type: 'MEETING_HELD', receivedAt: NOW },
    ]);
  });

  it('lists a campaign’s cases under a unit by village code, at one step when asked, a page at a time', async () => {
    const list = (filter: { unitPath: string; step?: string; limit?: number; offset?: number }) =>
      views
        .list(db.em.fork(), { campaignId: CAMPAIGN, limit: 10, offset: 0, ...filter })
        .then((rows) => rows.map((r) => [r.villageCode, r.villageName, r.communeCode, r.step, r.status]));

    expect(await list({ unitPath: '/T1/' })).toEqual([
      ['T1C1V1', 'Thôn Một', 'T1C1', 'listing', 'active'],
      ['T1C1V2', 'Thôn Hai', 'T1C1', 'meeting', 'active'],
      ['T1C2V1', 'Thôn Ba', 'T1C2', 'listing', 'active'],
    ]);
    expect(await list({ unitPath: '/T1/T1C1/' })).toEqual([
      ['T1C1V1', 'Thôn Một', 'T1C1', 'listing', 'active'],
      ['T1C1V2', 'Thôn Hai', 'T1C1', 'meeting', 'active'],
    ]);
    expect(await list({ unitPath: '/T1/', step: 'listing', limit: 1, offset: 1 })).toEqual([
      ['T1C2V1', 'Thôn Ba', 'T1C2', 'listing', 'active'],
    ]);
    const [first] = await views.list(db.em.fork(), {
      campaignId: CAMPAIGN,
      unitPath: '/T1/T1C1/T1C1V1/',
      limit: 1,
      offset: 0,
    });
    expect({ ...first, updatedAt: instant(first.updatedAt) }).toEqual({
      id: id(1),
      villageCode: 'T1C1V1',
      villageName: 'Thôn Một',
      communeCode: 'T1C1',
      step: 'listing',
      status: 'active',
      updatedAt: NOW,
    });
  });
});
