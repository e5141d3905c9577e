import { synthetic2021Province, type UnitSeed } from '@rasoat/engine';
import type { VillageUnit } from '@rasoat/season-model';

export type { VillageUnit } from '@rasoat/season-model';

/** The units a simulation seeds, and the chain of each village (for actors' units). */
export interface SimulatedProvince {
  code: string;
  name: string;
  units: UnitSeed[];
  villages: VillageUnit[];
  districts: number;
  communes: number;
}

/**
 * The synthetic 2021 province (libs/engine/src/units/demo-province.ts: 10 districts, 230
 * communes, 2,127 villages, Bắc Giang-sized, codes that no official unit has) under `code`, for
 * the three-level procedure's district step; `villages` keeps only its first N villages in code
 * order, with the communes and districts that hold them (communes left empty are dropped).
 */
export function simulatedProvince(code: string, villages?: number): SimulatedProvince {
  const name = `Tỉnh ${code} (mô phỏng, quy mô Bắc Giang 2021 / simulated)`;
  const all = synthetic2021Province(code, name);
  const byCode = new Map(all.map((u) => [u.code, u]));
  const keptVillages = all.filter((u) => u.level === 'village').slice(0, villages ?? Number.POSITIVE_INFINITY);
  const keep = new Set<string>();
  for (const v of keptVillages) {
    for (let unit: UnitSeed | undefined = v; unit; unit = unit.parentCode ? byCode.get(unit.parentCode) : undefined)
      keep.add(unit.code);
  }
  const units = all.filter((u) => keep.has(u.code));
  const chain = (v: UnitSeed) => {
    const commune = byCode.get(v.parentCode as string) as UnitSeed;
    const parent = commune.parentCode ? byCode.get(commune.parentCode) : undefined;
    return { communeCode: commune.code, districtCode: parent?.level === 'district' ? parent.code : null };
  };
  return {
    code,
    name,
    units,
    villages: keptVillages.map((v, index) => ({ index, code: v.code, name: v.name, provinceCode: code, ...chain(v) })),
    districts: units.filter((u) => u.level === 'district').length,
    communes: units.filter((u) => u.level === 'commune').length,
  };
}

/**
 * A generated province in the post-2025 two-level shape (34 provinces, about 3,300 communes,
 * no districts): `villages` villages, `villagesPerCommune` to a commune (the national average
 * is about 24), communes directly under the province. Every code starts with the province's,
 * so provinces generated under different codes never share a unit.
 */
export function generatedProvince(code: string, villages: number, villagesPerCommune = 24): SimulatedProvince {
  const name = `Tỉnh ${code} (mô phỏng / simulated)`;
  const units: UnitSeed[] = [{ code, name, level: 'province', parentCode: null }];
  const out: VillageUnit[] = [];
  const communes = Math.ceil(villages / villagesPerCommune);
  for (let c = 0; c < communes; c++) {
    const commune = `${code}X${String(c).padStart(4, '0')}`;
    units.push({ code: commune, name: `Xã ${c + 1}`, level: 'commune', parentCode: code });
    for (let v = 0; v < villagesPerCommune && out.length < villages; v++) {
      const village = { code: `${commune}T${String(v).padStart(2, '0')}`, name: `Thôn ${v + 1}, xã ${c + 1}` };
      units.push({ ...village, level: 'village', parentCode: commune });
      out.push({ index: out.length, ...village, communeCode: commune, districtCode: null, provinceCode: code });
    }
  }
  return { code, name, units, villages: out, districts: 0, communes };
}
