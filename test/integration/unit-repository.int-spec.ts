import { UnitRepository, withPaths, type UnitSeed } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const TREE: UnitSeed[] = [
  { code: 'T1', name: 'Tỉnh Một', level: 'province', parentCode: null },
  { code: 'T1D1', name: 'Huyện Một', level: 'district', parentCode: 'T1' },
  { code: 'T1C2', name: 'Xã Hai', level: 'commune', parentCode: 'T1D1' },
  { code: 'T1C1', name: 'Xã Một', level: 'commune', parentCode: 'T1D1' },
  { code: 'T1C1V1', name: 'Thôn Một', level: 'village', parentCode: 'T1C1' },
];

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
        withPaths([...TREE, { code: 'T1C1V2', name: 'Thôn Hai', level: 'village', parentCode: 'T1C1' }]),
      ),
    ).toBe(1);

    expect(await units.findByCode('T1C1V2')).toMatchObject({
      code: 'T1C1V2',
      name: 'Thôn Hai',
      level: 'village',
      parentCode: 'T1C1',
      path: '/T1/T1D1/T1C1/T1C1V2/',
      provinceCode: 'T1',
    });
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
    const execute = jest.spyOn(em, 'execute');
    jest.spyOn(db.em, 'fork').mockReturnValueOnce(em);
    expect(await units.insertMissing(withPaths([...TREE, ...villages]))).toBe(12_006);
    expect(execute).toHaveBeenCalledTimes(3);
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
});
