import type { UnitSeed } from './unit-tree';

// Bắc Giang's ten districts as they were in 2021 (before the 2025 merger into Bắc Ninh), with
// their GSO codes (3 digits: no unit of the 2025 list has such a code).
const DISTRICTS = [
  ['213', 'Thành phố Bắc Giang', 'Thành phố'],
  ['215', 'Huyện Yên Thế', 'Huyện'],
  ['216', 'Huyện Tân Yên', 'Huyện'],
  ['217', 'Huyện Lạng Giang', 'Huyện'],
  ['218', 'Huyện Lục Nam', 'Huyện'],
  ['219', 'Huyện Lục Ngạn', 'Huyện'],
  ['220', 'Huyện Sơn Động', 'Huyện'],
  ['221', 'Huyện Yên Dũng', 'Huyện'],
  ['222', 'Huyện Việt Yên', 'Huyện'],
  ['223', 'Huyện Hiệp Hòa', 'Huyện'],
] as const;

const FIRST = [
  'An',
  'Bảo',
  'Cẩm',
  'Đông',
  'Đồng',
  'Hòa',
  'Hương',
  'Hoàng',
  'Hồng',
  'Kim',
  'Lam',
  'Liên',
  'Minh',
  'Nghĩa',
  'Ngọc',
  'Phúc',
  'Quang',
  'Tân',
  'Thanh',
  'Tiên',
  'Trung',
  'Vân',
  'Xuân',
];
const SECOND = ['Sơn', 'Hà', 'Lộc', 'Phong', 'Thịnh', 'Hưng', 'Bình', 'Lâm', 'Tiến', 'Khê'];
const VILLAGE = ['Đồng', 'Trại', 'Chợ', 'Đình', 'Giữa', 'Cầu', 'Núi', 'Bãi', 'Hạ', 'Thượng'];

/**
 * A pre-2025 synthetic province the size of Bắc Giang in 2021: 10 districts, 230 communes, 2,127
 * villages (the count in the province's 10/10/2021 progress report), for the simulator and the
 * benchmark, which play the three-level procedure (a district step). Names are Vietnamese-looking,
 * not real. Codes cannot collide with the official list (2-digit provinces, 5-digit communes):
 * districts keep Bắc Giang's 3-digit codes under province 24 (`<province>H<code>` under any
 * other), communes are `<province>S001`…`<province>S230`, villages `<commune>01`….
 */
export function synthetic2021Province(provinceCode = '24', provinceName = 'Tỉnh Bắc Giang (demo)'): UnitSeed[] {
  const units: UnitSeed[] = [
    { code: provinceCode, name: provinceName, level: 'province', parentCode: null, unitType: 'Tỉnh' },
  ];
  const communesPerDistrict = 23;
  const totalVillages = 2127;
  const communeCount = DISTRICTS.length * communesPerDistrict;
  let communeIndex = 0;
  for (const [code, districtName, districtType] of DISTRICTS) {
    const districtCode = provinceCode === '24' ? code : `${provinceCode}H${code}`;
    units.push({
      code: districtCode,
      name: districtName,
      level: 'district',
      parentCode: provinceCode,
      unitType: districtType,
    });
    for (let c = 0; c < communesPerDistrict; c++, communeIndex++) {
      const communeCode = `${provinceCode}S${String(communeIndex + 1).padStart(3, '0')}`;
      const name = `Xã ${FIRST[communeIndex % FIRST.length]} ${SECOND[Math.floor(communeIndex / FIRST.length) % SECOND.length]}`;
      units.push({ code: communeCode, name, level: 'commune', parentCode: districtCode, unitType: 'Xã' });
      // 2,127 = 230 × 9 + 57: the first 57 communes have ten villages, the rest nine.
      const villages = Math.floor(totalVillages / communeCount) + (communeIndex < totalVillages % communeCount ? 1 : 0);
      for (let v = 0; v < villages; v++) {
        units.push({
          code: `${communeCode}${String(v + 1).padStart(2, '0')}`,
          name: `Thôn ${VILLAGE[v % VILLAGE.length]} ${Math.floor(v / VILLAGE.length) + 1}`,
          level: 'village',
          parentCode: communeCode,
          unitType: 'Thôn',
        });
      }
    }
  }
  return units;
}

/** The codes and names of the districts of the 2021 demo tree an earlier version seeded under province 24. */
export const EARLIER_DEMO_DISTRICTS: ReadonlyMap<string, string> = new Map(
  DISTRICTS.map(([code, name]) => [code, name]),
);

// Village names: a direction or a quality, then a place word ("Thôn Đông Sơn", "Thôn Thượng Lâm").
const VILLAGE_FIRST = [
  'Đông',
  'Tây',
  'Nam',
  'Bắc',
  'Thượng',
  'Hạ',
  'Trung',
  'Tân',
  'Yên',
  'Phúc',
  'An',
  'Hòa',
  'Minh',
  'Quang',
  'Xuân',
  'Kim',
];
const VILLAGE_SECOND = ['Sơn', 'Lâm', 'Hà', 'Lộc', 'Thịnh', 'Hưng', 'Bình', 'Tiến', 'Khê', 'Đình', 'Cầu', 'Trại'];

/** A commune of the official list, as the demo tree needs it. */
export interface DemoCommune {
  code: string;
  unitType: string | null;
}

/** FNV-1a of a code: the same commune always gets the same number of villages. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Generated villages for the real communes of a province (the demo's Bắc Ninh: 99 communes of
 * the official list): a phường gets tổ dân phố ("Tổ dân phố số 1"…, 14 to 28), any other commune
 * thôn ("Thôn Đông Sơn"…, 12 to 25), the count fixed by the commune's code — about 1,900 for Bắc
 * Ninh. Codes are the commune's 5 digits and 3 more (`07210001`): 8 characters, which no unit of
 * the official list (2 or 5 digits) nor of the earlier demo (7 digits) has. Names are
 * Vietnamese-looking, not real: a province loads its real villages with `units import`.
 */
export function demoVillages(communes: readonly DemoCommune[]): UnitSeed[] {
  const villages: UnitSeed[] = [];
  for (const commune of communes) {
    const h = hash(commune.code);
    const ward = commune.unitType === 'Phường';
    const count = ward ? 14 + (h % 15) : 12 + (h % 14);
    const offset = h % VILLAGE_FIRST.length;
    for (let v = 0; v < count; v++) {
      const name = ward
        ? `Tổ dân phố số ${v + 1}`
        : `Thôn ${VILLAGE_FIRST[(v + offset) % VILLAGE_FIRST.length]} ${VILLAGE_SECOND[(Math.floor(v / VILLAGE_FIRST.length) + v + offset) % VILLAGE_SECOND.length]}`;
      villages.push({
        code: `${commune.code}${String(v + 1).padStart(3, '0')}`,
        name,
        level: 'village',
        parentCode: commune.code,
        unitType: ward ? 'Tổ dân phố' : 'Thôn',
      });
    }
  }
  return villages;
}
