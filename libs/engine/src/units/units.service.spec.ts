import type { Actor } from '@rasoat/contracts';
import type { AdminUnit } from '@rasoat/persistence';
import { AuthException } from '../auth';
import type { UnitRow } from './unit-tree';
import type { UnitRepository } from './unit.repository';
import { UnitNotFoundException } from './units.exception';
import { UnitsService } from './units.service';

const unit = (code: string, level: AdminUnit['level'], path: string): AdminUnit => ({
  code,
  name: `Đơn vị ${code}`,
  level,
  path,
  provinceCode: 'T1',
  parentCode: null,
});
const COMMUNE = unit('T1C1', 'commune', '/T1/T1D1/T1C1/');

function setup() {
  const units = {
    findByCode: jest.fn(async (code: string) => (code === 'T1C1' ? COMMUNE : null)),
    children: jest.fn().mockResolvedValue([unit('T1C1V1', 'village', '/T1/T1D1/T1C1/T1C1V1/')]),
    placesOf: jest.fn().mockResolvedValue(new Map([['T1C1', { path: '/T1/T1D1/T1C1/', provinceCode: 'T1' }]])),
    insertMissing: jest.fn(async (rows: readonly UnitRow[]) => rows.length),
    links: jest.fn(),
    link: jest.fn(),
    officialListHash: jest.fn(),
    loadOfficialList: jest.fn(),
    communesOf: jest.fn(),
    subtreesWithCases: jest.fn(),
    deleteSubtrees: jest.fn(),
    unofficialUnits: jest.fn(),
    changes: jest.fn(),
    transaction: jest.fn(),
  } satisfies Record<keyof UnitRepository, jest.Mock>;
  return { service: new UnitsService(units as unknown as UnitRepository), units };
}

describe('UnitsService', () => {
  it('finds a unit by code; 404 when there is none', async () => {
    const { service } = setup();
    expect(await service.get('T1C1')).toBe(COMMUNE);
    await expect(service.get('T9')).rejects.toBeInstanceOf(UnitNotFoundException);
  });

  it('shows a unit and its children inside the actor’s scope only (403 outside, before reading the children)', async () => {
    const { service, units } = setup();
    const district: Actor = { sub: 'd', role: 'district_committee', unit: 'T1D1' };
    expect(await service.getWithChildren('T1C1', district)).toEqual({
      unit: COMMUNE,
      children: [expect.objectContaining({ code: 'T1C1V1' })],
    });
    expect(units.children).toHaveBeenCalledWith('T1C1');
    await expect(
      service.getWithChildren('T1C1', { sub: 'o', role: 'district_committee', unit: 'T1D2' }),
    ).rejects.toBeInstanceOf(AuthException);
    expect(units.children).toHaveBeenCalledTimes(1);
  });

  it('inserts a tree below units that exist, computing the paths from their parents, and says how many were new', async () => {
    const { service, units } = setup();
    const inserted = await service.upsertTree(
      [
        { code: 'T1C1V9', name: 'Thôn 9', level: 'village', parentCode: 'T1C1' },
        { code: 'T1C1V9X', name: 'Xóm', level: 'village', parentCode: 'T1C1V9' },
      ],
      'simulation',
    );
    expect(inserted).toBe(2);
    expect(units.placesOf).toHaveBeenCalledWith(['T1C1', 'T1C1V9']);
    expect(units.insertMissing).toHaveBeenCalledWith(
      [
        {
          code: 'T1C1V9',
          name: 'Thôn 9',
          level: 'village',
          parentCode: 'T1C1',
          path: '/T1/T1D1/T1C1/T1C1V9/',
          provinceCode: 'T1',
        },
        {
          code: 'T1C1V9X',
          name: 'Xóm',
          level: 'village',
          parentCode: 'T1C1V9',
          path: '/T1/T1D1/T1C1/T1C1V9/T1C1V9X/',
          provinceCode: 'T1',
        },
      ],
      'simulation',
    );
    await expect(service.upsertTree([{ code: 'X1', name: 'X', level: 'village', parentCode: 'T9' }])).rejects.toThrow(
      'parent T9 is unknown',
    );
  });
});
