import { demoVillages, synthetic2021Province } from './demo-province';
import { readOfficialList } from './official-unit-list';

const OFFICIAL = readOfficialList();
const OFFICIAL_CODES = new Set(OFFICIAL.units.map((u) => u.code));
const BAC_NINH = OFFICIAL.units
  .filter((u) => u.parentCode === '24')
  .map((u) => ({ code: u.code, unitType: u.unitType ?? null }));

describe('the demo tree on the real Bắc Ninh', () => {
  const villages = demoVillages(BAC_NINH);

  it('gives each of the 99 communes its villages: tổ dân phố in a phường (14–28), thôn in a xã (12–25), about 1,900 in all', () => {
    expect(BAC_NINH).toHaveLength(99);
    const byCommune = new Map<string, typeof villages>();
    for (const v of villages)
      byCommune.set(v.parentCode as string, [...(byCommune.get(v.parentCode as string) ?? []), v]);
    expect(byCommune.size).toBe(99);
    for (const commune of BAC_NINH) {
      const own = byCommune.get(commune.code) ?? [];
      const ward = commune.unitType === 'Phường';
      expect(own.length).toBeGreaterThanOrEqual(ward ? 14 : 12);
      expect(own.length).toBeLessThanOrEqual(ward ? 28 : 25);
      expect(own.every((v) => v.unitType === (ward ? 'Tổ dân phố' : 'Thôn'))).toBe(true);
      expect(own.every((v) => v.name.startsWith(ward ? 'Tổ dân phố ' : 'Thôn '))).toBe(true);
      expect(new Set(own.map((v) => v.name)).size).toBe(own.length);
    }
    expect(villages.length).toBeGreaterThan(1_500);
    expect(villages.length).toBeLessThan(2_300);
  });

  it('codes villages with 8 characters (commune + 3 digits): no official code, no code of the earlier 7-digit demo, none twice', () => {
    expect(villages.every((v) => /^\d{8}$/.test(v.code) && v.code.startsWith(v.parentCode as string))).toBe(true);
    expect(villages.some((v) => OFFICIAL_CODES.has(v.code))).toBe(false);
    expect(new Set(villages.map((v) => v.code)).size).toBe(villages.length);
  });

  it('is the same tree every time', () => {
    expect(demoVillages(BAC_NINH)).toEqual(villages);
  });
});

describe('the synthetic 2021 province (simulator, benchmark)', () => {
  it('keeps Bắc Giang 2021’s shape: 10 districts, 230 communes, 2,127 villages', () => {
    const units = synthetic2021Province('24');
    const count = (level: string) => units.filter((u) => u.level === level).length;
    expect([count('province'), count('district'), count('commune'), count('village')]).toEqual([1, 10, 230, 2127]);
    expect(units.filter((u) => u.level === 'district').map((u) => u.code)).toEqual([
      '213',
      '215',
      '216',
      '217',
      '218',
      '219',
      '220',
      '221',
      '222',
      '223',
    ]);
  });

  it('has no code of the official list but its province’s, and none shared with a province generated under another code', () => {
    const units = synthetic2021Province('24');
    expect(units.filter((u) => OFFICIAL_CODES.has(u.code)).map((u) => u.code)).toEqual(['24']);
    const other = new Set(synthetic2021Province('P9').map((u) => u.code));
    expect(units.some((u) => other.has(u.code))).toBe(false);
  });
});
