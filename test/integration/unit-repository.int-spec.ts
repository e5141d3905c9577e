import { UnitRepository, withPaths, type UnitSeed } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const TREE: UnitSeed[] = [
  { code: 'T1', name: 'Tỉnh Một', level: 'province', parentCode: null },
  { code: 'T1D1', name: 'Huyện Một', level: 'district', parentCode: 'T1' },
  { code: 'T1C2', name: 'Xã Hai', level: 'commune', parentCode: 'T1D1' },
  { code: 'T1C1', name: 'Xã Một', level: 'commune', parentCode: 'T1D1' },
  { code: 'T1C1V1', name: 'Thôn Một', level: 'village', parentCode: 'T1C1' },
];

/** A two-level province as the official list has them, with types. */
const OFFICIAL: UnitSeed[] = [
  { code: '24', name: 'Tỉnh Bắc Ninh', level: 'province', parentCode: null, unitType: 'Tỉnh', nameEn: 'Bac Ninh' },
  {
    code: '07210',
    name: 'Phường Bắc Giang',
    level: 'commune',
    parentCode: '24',
    unitType: 'Phường',
    nameEn: 'Bac Giang',
  },
  { code: '07246', name: 'Xã Xuân Lương', level: 'commune', parentCode: '24', unitType: 'Xã', nameEn: 'Xuan Luong' },
];
const AT = new Date('2026-12-07T01:00:00Z');
const SHA = 'a'.repeat(64);

/**
 * The administrative tree's statements on a real PostgreSQL, each test on a fresh database. The
 * paths are computed by `withPaths` (unit tests); the tree through the engine is everywhere else.
 */
describe('UnitRepository', () => {
  let db: TestOrm;
  let units: UnitRepository;

  beforeEach(async () => {
    db = await createTestOrm();
    units = new UnitRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('inserts the units that do not exist, counts only those, and reads them back', async () => {
    expect(await units.insertMissing(withPaths(TREE))).toBe(5);
    expect(
      await units.insertMissing(
        withPaths([
          ...TREE,
          { code: 'T1C1V2', name: 'Thôn Hai', level: 'village', parentCode: 'T1C1', unitType: 'Thôn' },
        ]),
        'demo',
      ),
    ).toBe(1);

    expect(await units.findByCode('T1C1V2')).toMatchObject({
      code: 'T1C1V2',
      name: 'Thôn Hai',
      level: 'village',
      parentCode: 'T1C1',
      path: '/T1/T1D1/T1C1/T1C1V2/',
      provinceCode: 'T1',
      unitType: 'Thôn',
      source: 'demo',
      retiredAt: null,
      mergedInto: null,
    });
    expect(await units.findByCode('T1')).toMatchObject({ unitType: null, source: null });
    expect(await units.findByCode('T9')).toBeNull();
    expect((await units.children('T1D1')).map((u) => u.code)).toEqual(['T1C1', 'T1C2']);
    expect(await units.children('T1C1V1')).toEqual([]);
  });

  it('inserts a large tree in statements of 5,000 units', async () => {
    const villages: UnitSeed[] = Array.from({ length: 12_001 }, (_, i) => ({
      code: `T1C1X${String(i).padStart(5, '0')}`,
      name: `Thôn ${i}`,
      level: 'village',
      parentCode: 'T1C1',
    }));
    const em = db.em.fork();
    const knex = jest.spyOn(em, 'getKnex');
    jest.spyOn(db.em, 'fork').mockReturnValueOnce(em);
    expect(await units.insertMissing(withPaths([...TREE, ...villages]))).toBe(12_006);
    expect(knex).toHaveBeenCalledTimes(3);
    expect(await db.sql(`select count(*)::int as n from admin_unit`)).toEqual([{ n: 12_006 }]);
  });

  it('gives the path and province of the units that exist among those asked for', async () => {
    await units.insertMissing(withPaths(TREE));
    expect(await units.placesOf(['T1C1', 'T1', 'T9'])).toEqual(
      new Map([
        ['T1C1', { path: '/T1/T1D1/T1C1/', provinceCode: 'T1' }],
        ['T1', { path: '/T1/', provinceCode: 'T1' }],
      ]),
    );
    expect(await units.placesOf([])).toEqual(new Map());
  });

  it('reads the links (code, name, level) of the units that exist, several or one', async () => {
    await units.insertMissing(withPaths(TREE));
    const links = await units.links(['T1', 'T1C1V1', 'T9']);
    expect(links.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { code: 'T1', name: 'Tỉnh Một', level: 'province' },
      { code: 'T1C1V1', name: 'Thôn Một', level: 'village' },
    ]);
    expect(await units.links(['T1D1'], db.em.fork())).toEqual([{ code: 'T1D1', name: 'Huyện Một', level: 'district' }]);
    expect(await units.link('T1C2')).toEqual({ code: 'T1C2', name: 'Xã Hai', level: 'commune' });
    expect(await units.link('T9')).toBeUndefined();
  });

  describe('an official list', () => {
    it('loads in one statement and records its hash; loading it again writes nothing', async () => {
      expect(await units.officialListHash('vn-2026')).toBeUndefined();
      expect(await units.loadOfficialList('vn-2026', SHA, withPaths(OFFICIAL), AT)).toEqual({
        inserted: 3,
        updated: 0,
        held: [],
      });
      expect(await units.officialListHash('vn-2026')).toBe(SHA);
      expect(await db.sql(`select code, name, unit_type, name_en, source, path from admin_unit order by code`)).toEqual(
        [
          {
            code: '07210',
            name: 'Phường Bắc Giang',
            unit_type: 'Phường',
            name_en: 'Bac Giang',
            source: 'vn-2026',
            path: '/24/07210/',
          },
          {
            code: '07246',
            name: 'Xã Xuân Lương',
            unit_type: 'Xã',
            name_en: 'Xuan Luong',
            source: 'vn-2026',
            path: '/24/07246/',
          },
          {
            code: '24',
            name: 'Tỉnh Bắc Ninh',
            unit_type: 'Tỉnh',
            name_en: 'Bac Ninh',
            source: 'vn-2026',
            path: '/24/',
          },
        ],
      );
      expect(await units.loadOfficialList('vn-2026', SHA, withPaths(OFFICIAL), AT)).toEqual({
        inserted: 0,
        updated: 0,
        held: [],
      });
      expect(
        await db.sql(
          `select units, to_char(loaded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as loaded_at from unit_list`,
        ),
      ).toEqual([{ units: 3, loaded_at: '2026-12-07 01:00' }]);
    });

    it('updates the units at their place (an older list, an earlier demo’s province name) and leaves a code held elsewhere, not recording the list', async () => {
      // An earlier demo: province 24 under another name, a commune with an official code under a district.
      await units.insertMissing(
        withPaths([
          { code: '24', name: 'Tỉnh Bắc Giang (demo)', level: 'province', parentCode: null },
          { code: '213', name: 'Thành phố Bắc Giang', level: 'district', parentCode: '24' },
          { code: '07210', name: 'Xã Giả', level: 'commune', parentCode: '213' },
        ]),
      );
      expect(await units.loadOfficialList('vn-2026', SHA, withPaths(OFFICIAL), AT)).toEqual({
        inserted: 1,
        updated: 1,
        held: ['07210'],
      });
      expect(
        await db.sql(`select code, name, path, source from admin_unit where code in ('24', '07210') order by code`),
      ).toEqual([
        { code: '07210', name: 'Xã Giả', path: '/24/213/07210/', source: null },
        { code: '24', name: 'Tỉnh Bắc Ninh', path: '/24/', source: 'vn-2026' },
      ]);
      expect(await units.officialListHash('vn-2026')).toBeUndefined();
    });

    it('lists a province’s communes in use with their types', async () => {
      await units.loadOfficialList('vn-2026', SHA, withPaths(OFFICIAL), AT);
      expect(await units.communesOf('24')).toEqual([
        { code: '07210', name: 'Phường Bắc Giang', unitType: 'Phường' },
        { code: '07246', name: 'Xã Xuân Lương', unitType: 'Xã' },
      ]);
      expect(await units.communesOf('20')).toEqual([]);
    });
  });

  it('finds the subtrees some case names, deletes whole subtrees, and lists a province’s units not of the national list', async () => {
    await units.insertMissing(withPaths(TREE));
    await db.sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (gen_random_uuid(), gen_random_uuid(), 'T1C1V1', 'T1C1', '/T1/T1D1/T1C1/T1C1V1/', 'periodic-review@1', 'listing', 'active', 1, '{}', 0, 0, now(), now())`,
    );
    expect(await units.subtreesWithCases(['/T1/T1D1/T1C1/', '/T1/T1D1/T1C2/', '/T9/'])).toEqual(['/T1/T1D1/T1C1/']);
    expect(await units.subtreesWithCases([])).toEqual([]);
    expect(await units.unofficialUnits('T1', 'commune')).toEqual([
      { code: 'T1C1', name: 'Xã Một', path: '/T1/T1D1/T1C1/' },
      { code: 'T1C2', name: 'Xã Hai', path: '/T1/T1D1/T1C2/' },
    ]);
    expect(await units.deleteSubtrees(['/T1/T1D1/'])).toBe(4);
    expect(await db.sql(`select code from admin_unit`)).toEqual([{ code: 'T1' }]);
  });

  describe('an import’s statements', () => {
    beforeEach(async () => {
      await units.loadOfficialList('vn-2026', SHA, withPaths(OFFICIAL), AT);
      await units.insertMissing(
        withPaths(
          [
            {
              code: '07210001',
              name: 'Tổ dân phố số 1',
              level: 'village',
              parentCode: '07210',
              unitType: 'Tổ dân phố',
            },
            {
              code: '07210002',
              name: 'Tổ dân phố số 2',
              level: 'village',
              parentCode: '07210',
              unitType: 'Tổ dân phố',
            },
          ],
          await units.placesOf(['07210']),
        ),
        'import',
      );
    });

    it('reads the units named, inserts, renames, retires and records the changes in one transaction under the import lock', async () => {
      const actor = { sub: 'admin@24', role: 'province_admin' as const, unit: '24' };
      await units.transaction(async (tx) => {
        expect(
          (await tx.existing(['07210001', '07210', '07299'])).sort((a, b) => a.code.localeCompare(b.code)),
        ).toEqual([
          {
            code: '07210',
            name: 'Phường Bắc Giang',
            level: 'commune',
            parentCode: '24',
            path: '/24/07210/',
            provinceCode: '24',
            unitType: 'Phường',
            source: 'vn-2026',
            retiredAt: null,
            mergedInto: null,
          },
          expect.objectContaining({ code: '07210001', unitType: 'Tổ dân phố', source: 'import', retiredAt: null }),
        ]);
        expect(await tx.existing([])).toEqual([]);
        expect(
          await tx.insert(
            withPaths(
              [
                {
                  code: '07210003',
                  name: 'Tổ dân phố số 3',
                  level: 'village',
                  parentCode: '07210',
                  unitType: 'Tổ dân phố',
                },
              ],
              await units.placesOf(['07210']),
            ),
            'import',
          ),
        ).toBe(1);
        await tx.rename([
          {
            code: '07210001',
            provinceCode: '24',
            before: { name: 'Tổ dân phố số 1', unitType: 'Tổ dân phố' },
            after: { name: 'Tổ dân phố Trần Phú', unitType: 'Tổ dân phố' },
          },
        ]);
        await tx.retire(
          [
            {
              code: '07210002',
              provinceCode: '24',
              before: { name: 'Tổ dân phố số 2', unitType: 'Tổ dân phố' },
              mergedInto: '07210001',
            },
          ],
          AT,
        );
        await tx.recordChanges(
          { importId: '00000000-0000-4000-8000-000000000001', at: AT, actor, fileName: 'thon.csv', fileSha256: SHA },
          [
            {
              unitCode: '07210001',
              provinceCode: '24',
              kind: 'renamed',
              before: { name: 'Tổ dân phố số 1' },
              after: { name: 'Tổ dân phố Trần Phú' },
              mergedInto: null,
            },
            {
              unitCode: '07210002',
              provinceCode: '24',
              kind: 'merged',
              before: { name: 'Tổ dân phố số 2' },
              after: null,
              mergedInto: '07210001',
            },
          ],
        );
      });
      expect(
        await db.sql(
          `select code, name, to_char(retired_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as retired_at, merged_into
           from admin_unit where level = 'village' order by code`,
        ),
      ).toEqual([
        { code: '07210001', name: 'Tổ dân phố Trần Phú', retired_at: null, merged_into: null },
        { code: '07210002', name: 'Tổ dân phố số 2', retired_at: '2026-12-07 01:00', merged_into: '07210001' },
        { code: '07210003', name: 'Tổ dân phố số 3', retired_at: null, merged_into: null },
      ]);
      // The history of the village merged into: its rename and the merge into it, newest first.
      const history = await units.changes({ unitCode: '07210001', limit: 10 });
      expect(history).toEqual([
        {
          id: expect.any(String),
          importId: '00000000-0000-4000-8000-000000000001',
          unitCode: '07210002',
          provinceCode: '24',
          kind: 'merged',
          before: { name: 'Tổ dân phố số 2' },
          after: null,
          mergedInto: '07210001',
          at: '2026-12-07T01:00:00.000Z',
          actor,
          fileName: 'thon.csv',
          fileSha256: SHA,
        },
        expect.objectContaining({ unitCode: '07210001', kind: 'renamed', after: { name: 'Tổ dân phố Trần Phú' } }),
      ]);
      expect(await units.changes({ provinceCode: '20', limit: 10 })).toEqual([]);
      const [newest] = await units.changes({ provinceCode: '24', limit: 1 });
      expect(await units.changes({ provinceCode: '24', before: newest?.id, limit: 10 })).toEqual([history[1]]);
    });

    it('finds the villages with a running case, with their campaign’s year; a finished case does not count', async () => {
      await db.sql(
        `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by)
         values ('00000000-0000-4000-8000-00000000c001', '24', 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-12-14', 'running', 2, now(), 'test')`,
      );
      for (const [village, status] of [
        ['07210001', 'active'],
        ['07210002', 'done'],
      ])
        await db.sql(
          `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
           values (gen_random_uuid(), '00000000-0000-4000-8000-00000000c001', ?, '07210', ?, 'periodic-review@1', 'listing', ?, 1, '{}', 0, 0, now(), now())`,
          [village, `/24/07210/${village}/`, status],
        );
      await units.transaction(async (tx) => {
        expect(await tx.runningCases(['07210001', '07210002', '07210003'])).toEqual(new Map([['07210001', 2026]]));
        expect(await tx.runningCases([])).toEqual(new Map());
      });
    });
  });
});
