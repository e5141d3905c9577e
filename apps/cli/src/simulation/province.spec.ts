import { generatedProvince, simulatedProvince } from './province';

describe('simulated provinces', () => {
  it('generates a two-level province: communes of 24 villages directly under it, codes prefixed by the province', () => {
    const p = generatedProvince('P07', 50);
    expect(p).toMatchObject({ code: 'P07', districts: 0, communes: 3 });
    expect(p.villages).toHaveLength(50);
    expect(p.units.filter((u) => u.level === 'commune').every((u) => u.parentCode === 'P07')).toBe(true);
    expect(
      p.villages.every(
        (v, i) =>
          v.index === i && v.districtCode === null && v.provinceCode === 'P07' && v.code.startsWith(v.communeCode),
      ),
    ).toBe(true);
    const codes = p.units.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => c.startsWith('P07'))).toBe(true);
  });

  it('generates provinces under different codes that share no unit', () => {
    const a = generatedProvince('P01', 100).units.map((u) => u.code);
    const b = new Set(generatedProvince('P02', 100).units.map((u) => u.code));
    expect(a.some((c) => b.has(c))).toBe(false);
  });

  it('keeps the demo province for the single-province season', () => {
    expect(simulatedProvince('24', 30)).toMatchObject({ code: '24', districts: 1, communes: 3 });
  });
});
