import type { EntityManager } from '@mikro-orm/postgresql';
import { responsibleIndex, UnitDirectory } from './unit-directory';
import type { UnitLink, UnitRepository } from './unit.repository';

const UNITS: UnitLink[] = [
  { code: '24', name: 'Tỉnh Bắc Giang', level: 'province' },
  { code: '213', name: 'Thành phố Bắc Giang', level: 'district' },
  { code: '07000', name: 'Xã An Sơn', level: 'commune' },
  { code: '0700001', name: 'Thôn Đồng 1', level: 'village' },
  { code: '0700002', name: 'Thôn Đồng 2', level: 'village' },
];

function setup() {
  const repository = {
    links: jest.fn(async (codes: readonly string[], _em?: EntityManager) =>
      UNITS.filter((u) => codes.includes(u.code)),
    ),
    link: jest.fn(async (code: string) => UNITS.find((u) => u.code === code)),
  } satisfies Partial<Record<keyof UnitRepository, jest.Mock>>;
  return { directory: new UnitDirectory(repository as unknown as UnitRepository), repository };
}

describe('UnitDirectory', () => {
  it('gives the chain of units above each case from its path, reading only the units not cached yet (through the caller’s EntityManager when given)', async () => {
    const { directory, repository } = setup();
    const tx = {} as EntityManager;
    const chains = await directory.chains(['/24/213/07000/0700001/', '/24/213/07000/0700002/'], tx);
    expect(chains.get('/24/213/07000/0700001/')?.map((u) => u.code)).toEqual(['24', '213', '07000', '0700001']);
    expect(repository.links).toHaveBeenCalledWith(['24', '213', '07000', '0700001', '0700002'], tx);

    await directory.chains(['/24/213/07000/0700002/', '/24/213/07000/0700009/']);
    expect(repository.links).toHaveBeenLastCalledWith(['0700009'], undefined);
    // An unknown code is skipped in the chain, and asked for again next time.
    expect(
      (await directory.chains(['/24/213/07000/0700009/'])).get('/24/213/07000/0700009/')?.map((u) => u.code),
    ).toEqual(['24', '213', '07000']);
    expect(repository.links).toHaveBeenCalledTimes(3);
  });

  it('finds one unit from the same cache: a read the first time only; an unknown unit is not remembered; forget() empties the cache', async () => {
    const { directory, repository } = setup();
    expect(await directory.find('07000')).toEqual(UNITS[2]);
    expect(await directory.find('07000')).toEqual(UNITS[2]);
    expect(repository.link).toHaveBeenCalledTimes(1);
    expect(await directory.find('T9')).toBeUndefined();
    expect(await directory.find('T9')).toBeUndefined();
    expect(repository.link).toHaveBeenCalledTimes(3);
    directory.forget();
    await directory.find('07000');
    expect(repository.link).toHaveBeenCalledTimes(4);
  });
});

describe('responsibleIndex', () => {
  it('is the unit of the role’s level in the chain, else the village', () => {
    expect(responsibleIndex(UNITS.slice(0, 4), 'commune')).toBe(2);
    expect(responsibleIndex(UNITS.slice(0, 4), 'district')).toBe(1);
    expect(responsibleIndex([UNITS[0], UNITS[2], UNITS[3]], 'district')).toBe(2);
    expect(responsibleIndex(UNITS.slice(0, 4), undefined)).toBe(3);
  });
});
